// `segel directory ...`: init, import, list/search, show, authorise,
// unauthorise, revoke, expiring, rotate-key. Argument checks and
// presenters (tables, --json) over the admin operations of
// directory/admin/certificate_operations.hpp.
#include <algorithm>
#include <iostream>

#include <sysexits.h>

#include "commands.hpp"

#include "directory/admin/certificate_operations.hpp"
#include "directory/ra_sync.hpp"
#include "directory_session.hpp"
#include "output.hpp"
#include "record_json.hpp"
#include "terminal_passphrase.hpp"

namespace segel::tool {

namespace admin = directory::admin;
using directory::CertificateRecord;

namespace {

std::string day(directory::TimePoint t) { return smime::format_utc(t).substr(0, 10); }

std::string status_text(const CertificateRecord& record, directory::TimePoint now) {
    const auto status = record.status_at(now);
    std::string text(directory::to_string(status));
    if (status == directory::CertificateStatus::revoked && record.reason)
        text += " (" + std::string(directory::to_string(*record.reason)) + ")";
    return text;
}

const Row k_list_header = {"SERIAL", "OWNER", "KIND", "STATUS", "NOT AFTER", "KEY", "FINGERPRINT"};

Row list_row(const CertificateRecord& r, directory::TimePoint now) {
    return {r.serial, r.owner_email, std::string(directory::to_string(r.kind)), status_text(r, now), day(r.not_after),
            r.has_private_key ? "yes" : "no", r.fingerprint.substr(0, 16)};
}

int print_records(const std::vector<CertificateRecord>& records, bool json) {
    const auto now = std::chrono::system_clock::now();
    if (json) {
        std::cout << "[";
        for (std::size_t i = 0; i < records.size(); ++i)
            std::cout << (i ? ",\n " : "") << record_json(records[i], now);
        std::cout << "]\n";
        return EX_OK;
    }
    std::vector<Row> rows;
    for (const auto& r : records)
        rows.push_back(list_row(r, now));
    std::cout << format_table(k_list_header, rows);
    return EX_OK;
}

void print_detail(const admin::CertificateDetail& detail, directory::TimePoint now) {
    const CertificateRecord& record = detail.record;
    std::string logins;
    for (const auto& login : record.authorised_logins)
        logins += (logins.empty() ? "" : ", ") + login;
    std::string emails;
    for (const auto& email : record.emails)
        emails += (emails.empty() ? "" : ", ") + email;
    std::cout << "fingerprint: " << record.fingerprint << "\n"
              << "serial:      " << record.serial << "\n"
              << "subject:     " << record.subject << "\n"
              << "issuer:      " << record.issuer << "\n"
              << "emails:      " << emails << "\n"
              << "valid:       " << smime::format_utc(record.not_before) << " to " << smime::format_utc(record.not_after) << "\n"
              << "kind:        " << directory::to_string(record.kind) << "\n"
              << "status:      " << status_text(record, now);
    if (record.status_effective)
        std::cout << ", recorded " << directory::to_string(record.status) << " effective " << smime::format_utc(*record.status_effective);
    std::cout << "\n"
              << "owner:       " << record.owner_email;
    if (detail.owner) {
        std::string about = detail.owner->name;
        for (const std::string& part : {detail.owner->unit, detail.owner->nip.empty() ? std::string() : "NIP " + detail.owner->nip})
            if (!part.empty())
                about += (about.empty() ? "" : ", ") + part;
        if (!about.empty())
            std::cout << " (" << about << ")";
    }
    std::cout << "\n"
              << "may sign:    " << (logins.empty() ? "nobody (authorise a login)" : logins) << "\n"
              << "private key: " << (record.has_private_key ? "stored, sealed" : "not stored") << "\n";
}

} // namespace

int run_directory_init(const config::DirectoryInit& command) {
    auto done = admin::init_directory(current_operator(), location_of(command.settings));
    if (!done)
        return report_failure(done.error());
    if (!done->created_folder.empty())
        std::cout << "created folder " << done->created_folder << " (0750)\n";
    if (!done->created_key_id.empty())
        std::cout << "created master key " << command.settings.directory.master_key_file << " (0600, id " << done->created_key_id
                  << "); keep a copy offline, never beside database backups\n";
    if (done->database_path.empty())
        std::cout << "directory " << command.settings.directory.database << " is ready (schema up to date)\n";
    else
        std::cout << (done->existed ? "directory database " + done->database_path + " is ready (schema up to date)\n"
                                    : "created directory database " + done->database_path + " (0640)\n");
    return EX_OK;
}

int run_directory_import(const config::DirectoryImport& command) {
    admin::ImportFiles files{command.paths, command.passphrase_file, command.key_file, command.chain_file,
                             command.certificate_only,
                             [](const std::string& file) { return ask_passphrase("Passphrase for " + file + ": "); }};
    auto items = admin::load_import_files(files);
    if (!items)
        return report_failure(items.error());
    const bool needs_key = std::any_of(items->begin(), items->end(), [](const auto& item) { return item.has_key(); });
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, needs_key ? admin::KeyNeed::required : admin::KeyNeed::none,
                                        admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    admin::ImportCertificates request{std::move(items).value(), *directory::parse_certificate_kind(command.kind),
                                      command.owner, command.name, command.nip, command.unit, command.login,
                                      command.settings.directory.domains};
    auto outcome = admin::import_certificates(*directory, current_operator(), request);
    if (!outcome)
        return report_failure(outcome.error());
    std::vector<Row> rows;
    for (const auto& imported : outcome->imported) {
        std::string result = imported.inserted ? "imported" : "already present";
        if (imported.superseded > 0)
            result += ", supersedes " + std::to_string(imported.superseded);
        rows.push_back({imported.name, imported.serial, imported.owner, result});
    }
    if (!rows.empty())
        std::cout << format_table({"FILE", "SERIAL", "OWNER", "RESULT"}, rows);
    return outcome->stopped ? report_failure(*outcome->stopped) : EX_OK;
}

int run_directory_list(const config::DirectoryList& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    directory::CertificateQuery query;
    query.text = command.text;
    if (!command.status.empty())
        query.status = directory::parse_certificate_status(command.status);
    auto records = admin::list_certificates(*directory, current_operator(), query);
    if (!records)
        return report_failure(records.error());
    return print_records(*records, command.json);
}

int run_directory_show(const config::DirectoryShow& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    auto detail = admin::show_certificate(*directory, current_operator(), command.reference);
    if (!detail)
        return report_failure(detail.error());
    const auto now = std::chrono::system_clock::now();
    if (command.json)
        std::cout << record_json(detail->record, now) << "\n";
    else
        print_detail(*detail, now);
    return EX_OK;
}

int run_directory_authorise(const config::DirectoryAuthorise& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    auto done = admin::authorise(*directory, current_operator(), {command.reference, command.login, command.remove});
    if (!done)
        return report_failure(done.error());
    std::cout << "login " << command.login << (command.remove ? " may no longer sign with " : " may sign with ")
              << command.reference << "\n";
    return EX_OK;
}

int run_directory_revoke(const config::DirectoryRevoke& command) {
    const auto reason = directory::parse_revocation_reason(command.reason);
    if (!reason) {
        std::cerr << "segel: --reason: \"" << command.reason << "\" is not a revocation reason (see --help)\n";
        return EX_USAGE;
    }
    auto effective = std::chrono::system_clock::now();
    if (!command.effective.empty()) {
        auto parsed = directory::parse_effective_date(command.effective);
        if (!parsed) {
            std::cerr << "segel: --effective: \"" << command.effective << "\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM with a zone\n";
            return EX_USAGE;
        }
        effective = *parsed;
    }
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    auto revoked = admin::revoke(*directory, current_operator(), {command.reference, *reason, effective});
    if (!revoked)
        return report_failure(revoked.error());
    std::cout << "certificate " << revoked->record.serial << " (" << revoked->record.owner_email << ") revoked: "
              << directory::to_string(*reason) << " (RFC 5280 code " << directory::rfc5280_code(*reason)
              << "), effective " << smime::format_utc(effective) << "\n";
    return EX_OK;
}

int run_directory_expiring(const config::DirectoryExpiring& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    auto records = admin::expiring_certificates(*directory, current_operator(), command.days,
                                                std::chrono::system_clock::now());
    if (!records)
        return report_failure(records.error());
    return print_records(*records, command.json);
}

int run_directory_rotate_key(const config::DirectoryRotateKey& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::required, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    auto rotated = admin::rotate_master_key(*directory, current_operator(), command.new_key_file);
    if (!rotated)
        return report_failure(rotated.error());
    std::cout << "re-sealed " << rotated->resealed << " private keys under master key " << rotated->key_id << " ("
              << command.new_key_file << ").\nNow set directory.master_key = " << command.new_key_file
              << " in the settings, restart segel-milter, and destroy " << command.settings.directory.master_key_file << ".\n";
    return EX_OK;
}

int run_directory_migrate(const config::DirectoryMigrate& command) {
    const auto location = location_of(command.settings);
    const std::string from = command.from.empty() ? location.url : command.from;
    auto copied = admin::migrate_directory(current_operator(), location, {from, command.to});
    if (!copied)
        return report_failure(copied.error());
    const auto& c = *copied;
    std::cout << "copied " << from << " to " << command.to << ":\n"
              << "  people " << c.people << ", certificates " << c.certificates << ", sealed private keys "
              << c.private_keys << ", issuing CA certificates " << c.ca_certificates << "\n"
              << "  correspondents' certificates " << c.correspondents << ", policy rules " << c.policy_rules
              << ", remembered capabilities " << c.capabilities << ", decrypted Message-IDs " << c.decrypted_messages
              << ", reminders " << c.reminders << "\n"
              << "  audit entries " << c.audit_entries << " (+1 directory_migrate entry; the chain verifies)\n"
              << "Now point [directory] url at " << command.to
              << " on every node (keep the same master key file) and restart segel-milter.\n";
    return EX_OK;
}

} // namespace segel::tool
