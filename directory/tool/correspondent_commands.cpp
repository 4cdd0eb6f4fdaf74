// `segel correspondent import|list|remove`: presenters over the admin
// operations of directory/admin/correspondent_operations.hpp.
#include <iostream>

#include <sysexits.h>

#include "commands.hpp"
#include "directory/admin/correspondent_operations.hpp"
#include "directory_session.hpp"
#include "output.hpp"
#include "record_json.hpp"

namespace segel::tool {

namespace admin = directory::admin;

namespace {

std::string day(directory::TimePoint t) { return smime::format_utc(t).substr(0, 10); }

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : ", ") + item;
    return text;
}


} // namespace

int run_correspondent_import(const config::CorrespondentImportCommand& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    auto outcome = admin::import_correspondents(*directory, current_operator(),
                                                {command.paths, command.domain, command.passphrase_file});
    if (!outcome)
        return report_failure(outcome.error());
    std::vector<Row> rows;
    for (const auto& imported : outcome->imported)
        rows.push_back({imported.file, imported.serial, imported.covers, imported.inserted ? "imported" : "already present"});
    if (!rows.empty())
        std::cout << format_table({"FILE", "SERIAL", "FOR", "RESULT"}, rows);
    return outcome->stopped ? report_failure(*outcome->stopped) : EX_OK;
}

int run_correspondent_list(const config::CorrespondentListCommand& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    auto records = admin::list_correspondents(*directory, current_operator(), command.text);
    if (!records)
        return report_failure(records.error());
    if (command.json) {
        std::cout << "[";
        for (std::size_t i = 0; i < records->size(); ++i)
            std::cout << (i ? ",\n " : "") << correspondent_json((*records)[i]);
        std::cout << "]\n";
        return EX_OK;
    }
    std::vector<Row> rows;
    for (const auto& r : *records)
        rows.push_back({r.serial, r.domain.empty() ? joined(r.emails) : "domain " + r.domain,
                        std::string(directory::to_string(r.source)) + (r.pending ? " (pending approval)" : ""),
                        day(r.learned_at), day(r.not_after),
                        r.fingerprint.substr(0, 16)});
    std::cout << format_table({"SERIAL", "FOR", "SOURCE", "LEARNED", "NOT AFTER", "FINGERPRINT"}, rows);
    return EX_OK;
}

int run_correspondent_remove(const config::CorrespondentRemoveCommand& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    auto removed = admin::remove_correspondent(*directory, current_operator(), command.reference);
    if (!removed)
        return report_failure(removed.error());
    std::cout << "removed certificate " << removed->serial << " ("
              << (removed->domain.empty() ? joined(removed->emails) : "domain " + removed->domain)
              << "); mail is no longer encrypted to it\n";
    return EX_OK;
}

int run_correspondent_approve(const config::CorrespondentApproveCommand& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    auto approved = admin::approve_correspondent(*directory, current_operator(), command.reference);
    if (!approved)
        return report_failure(approved.error());
    std::cout << "approved certificate " << approved->serial << " (" << joined(approved->emails)
              << "); mail may now be encrypted to it\n";
    return EX_OK;
}

} // namespace segel::tool
