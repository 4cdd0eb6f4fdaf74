// `segel sync ra|crl`, `segel audit verify|list`, `segel report`,
// `segel remind`, `segel config show`: reading the named files and
// presenting the outcomes of directory/admin/supervision_operations.hpp.
#include <fstream>
#include <iostream>

#include <sysexits.h>

#include "commands.hpp"
#include "directory/admin/supervision_operations.hpp"
#include "directory_session.hpp"
#include "output.hpp"
#include "report_format.hpp"
#include "smime/crl.hpp"

namespace segel::tool {

namespace admin = directory::admin;

namespace {

int print_sync(const admin::SyncOutcome& outcome, bool dry_run) {
    for (const auto& line : outcome.changes)
        std::cout << (dry_run ? "would change: " : "change: ") << line << "\n";
    if (outcome.stopped)
        return report_failure(*outcome.stopped);
    if (outcome.changes.empty())
        std::cout << "no changes: the directory already matches\n";
    else if (dry_run)
        std::cout << outcome.changes.size() << " changes (dry run: nothing was written)\n";
    else
        std::cout << outcome.changes.size() << " changes applied\n";
    return EX_OK;
}

admin::Access access_for(bool dry_run) { return dry_run ? admin::Access::read : admin::Access::write; }

} // namespace

int run_sync_ra(const config::SyncRa& command) {
    std::ifstream in(command.file, std::ios::binary);
    if (!in) {
        std::cerr << "segel: cannot read " << command.file << "\n";
        return EX_NOINPUT;
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, access_for(command.dry_run), exit_code);
    if (!directory)
        return exit_code;
    auto outcome = admin::sync_ra(*directory, current_operator(),
                                  {command.file, std::move(content), command.settings.directory.domains, command.dry_run,
                                   std::chrono::system_clock::now()});
    if (!outcome)
        return report_failure(outcome.error());
    return print_sync(*outcome, command.dry_run);
}

int run_sync_crl(const config::SyncCrl& command) {
    auto issuer = smime::Certificate::load_pem_file(command.settings.crl.issuer);
    if (!issuer) {
        std::cerr << "segel: crl.issuer: " << issuer.error().detail << "\n";
        return EX_CONFIG;
    }
    auto crls = smime::Crl::load_all(command.file);
    if (!crls) {
        std::cerr << "segel: " << crls.error().detail << "\n";
        return EX_DATAERR;
    }
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, access_for(command.dry_run), exit_code);
    if (!directory)
        return exit_code;
    directory::CrlFreshness freshness;
    freshness.max_age = std::chrono::hours(command.settings.crl.max_age_hours);
    auto outcome = admin::sync_crl(*directory, current_operator(),
                                   {command.file, std::move(crls).value(), issuer->front(), freshness, command.dry_run,
                                    std::chrono::system_clock::now()});
    if (!outcome)
        return report_failure(outcome.error());
    for (const auto& skipped : outcome->skipped)
        std::cout << "skipped: " << skipped << "\n";
    std::cout << "CRLs of " << issuer->front().subject() << ": " << outcome->entries << " revoked serials, "
              << outcome->known << " of them in the directory\n";
    return print_sync(*outcome, command.dry_run);
}

int run_audit_verify(const config::AuditVerify& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    auto result = admin::verify_audit_log(*directory, current_operator());
    if (!result)
        return report_failure(result.error());
    if (command.json) {
        std::cout << "{\"intact\": " << (result->intact ? "true" : "false") << ", \"entries\": " << result->entries
                  << ", \"first_bad_entry\": " << (result->first_bad_seq ? std::to_string(*result->first_bad_seq) : "null")
                  << ", \"problem\": " << json_string(result->problem) << ", \"head_hash\": " << json_string(result->head_hash)
                  << "}\n";
    } else if (result->intact) {
        std::cout << "audit log intact: " << result->entries << " entries; head hash " << result->head_hash
                  << "\n(note the head hash outside this machine to anchor the chain)\n";
    } else {
        std::cout << "audit log BROKEN at entry " << *result->first_bad_seq << ": " << result->problem << "\n";
    }
    return result->intact ? EX_OK : EX_DATAERR;
}

int run_audit_list(const config::AuditList& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    auto entries = admin::audit_entries(*directory, current_operator());
    if (!entries)
        return report_failure(entries.error());
    if (command.json) {
        std::cout << "[";
        for (std::size_t i = 0; i < entries->size(); ++i) {
            const auto& e = (*entries)[i];
            std::cout << (i ? ",\n " : "") << "{\"seq\": " << e.seq << ", \"at\": " << json_string(smime::format_utc(e.at))
                      << ", \"actor\": " << json_string(e.actor) << ", \"action\": " << json_string(e.action)
                      << ", \"detail\": " << json_string(e.detail) << ", \"hash\": " << json_string(e.hash) << "}";
        }
        std::cout << "]\n";
        return EX_OK;
    }
    std::vector<Row> rows;
    for (const auto& e : *entries)
        rows.push_back({std::to_string(e.seq), smime::format_utc(e.at), e.actor, e.action, e.detail});
    std::cout << format_table({"SEQ", "AT", "ACTOR", "ACTION", "DETAIL"}, rows);
    return EX_OK;
}

int run_report(const config::ReportCommand& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    auto report = admin::supervision_report(*directory, current_operator(), std::chrono::system_clock::now(), command.days);
    if (!report)
        return report_failure(report.error());
    if (command.format == "json") {
        std::cout << report_json(*report);
        return EX_OK;
    }
    const Row header = report_header();
    const std::vector<Row> rows = report_rows(*report);
    if (command.format == "csv") {
        std::cout << format_csv(header, rows);
        return EX_OK;
    }
    std::cout << "Report of " << smime::format_utc(report->at) << "; expiring means within " << report->window_days
              << " days.\n\n"
              << format_table(header, rows);
    for (const auto& u : report->units)
        if (!u.without_active_certificate.empty()) {
            std::cout << "\nWithout an active certificate in " << (u.unit.empty() ? "(no unit)" : u.unit) << ":\n";
            for (const auto& email : u.without_active_certificate)
                std::cout << "  " << email << "\n";
        }
    return EX_OK;
}

int run_remind(const config::RemindCommand& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, access_for(command.dry_run), exit_code);
    if (!directory)
        return exit_code;
    const auto& s = command.settings;
    admin::Remind request{{s.remind.days, s.remind.admin, s.remind.from, s.remind.sendmail, s.remind.language},
                          command.dry_run,
                          std::chrono::system_clock::now()};
    auto outcome = admin::remind(*directory, current_operator(), request);
    if (!outcome)
        return report_failure(outcome.error());
    for (const auto& reminder : outcome->reminders)
        std::cout << (reminder.sent ? "reminded " : "would remind ") << reminder.about << "\n";
    if (outcome->stopped)
        return report_failure(*outcome->stopped);
    if (outcome->reminders.empty())
        std::cout << "no reminders are due\n";
    return EX_OK;
}

int run_config_show(const config::ConfigShow& command) {
    const auto& s = command.settings;
    std::string domains, days;
    for (const auto& d : s.directory.domains)
        domains += (domains.empty() ? "" : ", ") + d;
    for (int d : s.remind.days)
        days += (days.empty() ? "" : ", ") + std::to_string(d);
    std::cout << "# effective settings (from " << s.source << ")\n"
              << "[directory]\ndatabase = " << s.directory.database << "\nmaster_key = " << s.directory.master_key_file
              << "\ndomain = " << domains << "\npool_size = " << s.directory.pool_size
              << "\ntimeout_ms = " << s.directory.timeout_ms << "\n\n[crl]\nissuer = " << s.crl.issuer
              << "\nmax_age_hours = " << s.crl.max_age_hours << "\n\n[remind]\ndays = " << days
              << "\nadmin = " << s.remind.admin << "\nfrom = " << s.remind.from << "\nsendmail = " << s.remind.sendmail
              << "\nlanguage = " << s.remind.language << "\n\n[web]\nlisten = " << s.web.listen_address << ":"
              << s.web.listen_port << "\ncertificate = " << s.web.certificate << "\nkey = " << s.web.key
              << "\naccounts = " << s.web.accounts << "\nsession_minutes = " << s.web.session_minutes
              << "\nlogin_attempts = " << s.web.login_attempts << "\nlanguage = " << s.web.language << "\n";
    return EX_OK;
}

} // namespace segel::tool
