// `segel sync ra|crl`, `segel audit verify|list`, `segel report`,
// `segel remind`, `segel config show`.
#include <fstream>
#include <iostream>

#include <sysexits.h>

#include "commands.hpp"
#include "directory/crl_sync.hpp"
#include "directory/ra_sync.hpp"
#include "directory/reminders.hpp"
#include "directory/report.hpp"
#include "directory_session.hpp"
#include "output.hpp"
#include "smime/crl.hpp"

namespace segel::tool {

namespace {

int apply_plan(Session& session, const directory::SyncPlan& plan, bool dry_run) {
    for (const auto& line : plan.descriptions)
        std::cout << (dry_run ? "would change: " : "change: ") << line << "\n";
    if (plan.empty()) {
        std::cout << "no changes: the directory already matches\n";
        return EX_OK;
    }
    if (dry_run) {
        std::cout << plan.descriptions.size() << " changes (dry run: nothing was written)\n";
        return EX_OK;
    }
    if (auto applied = session.directory->apply(plan.changes, session.actor); !applied)
        return report_error(applied.error(), "nothing was changed");
    std::cout << plan.descriptions.size() << " changes applied\n";
    return EX_OK;
}

} // namespace

int run_sync_ra(const config::SyncRa& command) {
    std::ifstream in(command.file, std::ios::binary);
    if (!in) {
        std::cerr << "segel: cannot read " << command.file << "\n";
        return EX_NOINPUT;
    }
    int exit_code = EX_OK;
    auto session = open_session(command.settings, KeyNeed::none, command.dry_run ? Access::read : Access::write, exit_code);
    if (!session)
        return exit_code;
    auto rows = directory::parse_ra_export(in, command.file);
    if (!rows)
        return report_error(rows.error(), "the RA file was rejected; nothing was changed");
    auto plan = directory::plan_ra_sync(*session->directory, *rows, command.settings.domains,
                                        std::chrono::system_clock::now(), command.file);
    if (!plan)
        return report_error(plan.error(), "the RA file was rejected; nothing was changed");
    return apply_plan(*session, *plan, command.dry_run);
}

int run_sync_crl(const config::SyncCrl& command) {
    auto issuer = smime::Certificate::load_pem_file(command.settings.crl_issuer);
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
    auto session = open_session(command.settings, KeyNeed::none, command.dry_run ? Access::read : Access::write, exit_code);
    if (!session)
        return exit_code;
    directory::CrlFreshness freshness;
    freshness.max_age = std::chrono::hours(command.settings.crl_max_age_hours);
    auto plan = directory::plan_crl_sync(*session->directory, *crls, issuer->front(), std::chrono::system_clock::now(),
                                         freshness, command.file);
    if (!plan)
        return report_error(plan.error(), "the CRL was rejected; nothing was changed");
    for (const auto& skipped : plan->skipped)
        std::cout << "skipped: " << skipped << "\n";
    std::cout << "CRLs of " << issuer->front().subject() << ": " << plan->entries << " revoked serials, "
              << plan->known << " of them in the directory\n";
    return apply_plan(*session, *plan, command.dry_run);
}

int run_audit_verify(const config::AuditVerify& command) {
    int exit_code = EX_OK;
    auto session = open_session(command.settings, KeyNeed::none, Access::read, exit_code);
    if (!session)
        return exit_code;
    auto result = session->directory->verify_audit_log();
    if (!result)
        return report_error(result.error(), "cannot read the audit log");
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
    auto session = open_session(command.settings, KeyNeed::none, Access::read, exit_code);
    if (!session)
        return exit_code;
    auto entries = session->directory->audit_entries();
    if (!entries)
        return report_error(entries.error(), "cannot read the audit log");
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
    auto session = open_session(command.settings, KeyNeed::none, Access::read, exit_code);
    if (!session)
        return exit_code;
    auto report = directory::build_report(*session->directory, std::chrono::system_clock::now(), command.days);
    if (!report)
        return report_error(report.error(), "cannot build the report");
    const auto reasons = [](const directory::UnitReport& unit) {
        std::string text;
        for (const auto& [reason, count] : unit.revoked_by_reason)
            text += (text.empty() ? "" : "; ") + reason + "=" + std::to_string(count);
        return text;
    };
    if (command.format == "json") {
        std::cout << "{\"generated\": " << json_string(smime::format_utc(report->at)) << ", \"expiring_within_days\": "
                  << report->window_days << ", \"units\": [";
        for (std::size_t i = 0; i < report->units.size(); ++i) {
            const auto& u = report->units[i];
            std::cout << (i ? ",\n  " : "\n  ") << "{\"unit\": " << json_string(u.unit) << ", \"people\": " << u.people
                      << ", \"active_certificates\": " << u.active_certificates
                      << ", \"without_active_certificate\": " << json_string_array(u.without_active_certificate)
                      << ", \"expiring\": " << json_string_array(u.expiring) << ", \"revoked_by_reason\": {";
            std::size_t n = 0;
            for (const auto& [reason, count] : u.revoked_by_reason)
                std::cout << (n++ ? ", " : "") << json_string(reason) << ": " << count;
            std::cout << "}}";
        }
        std::cout << "\n]}\n";
        return EX_OK;
    }
    const Row header = {"UNIT", "PEOPLE", "ACTIVE", "WITHOUT ACTIVE", "EXPIRING", "REVOKED BY REASON"};
    std::vector<Row> rows;
    for (const auto& u : report->units)
        rows.push_back({u.unit.empty() ? "(no unit)" : u.unit, std::to_string(u.people), std::to_string(u.active_certificates),
                        std::to_string(u.without_active_certificate.size()), std::to_string(u.expiring.size()), reasons(u)});
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
    auto session = open_session(command.settings, KeyNeed::none, command.dry_run ? Access::read : Access::write, exit_code);
    if (!session)
        return exit_code;
    directory::ReminderSettings settings{command.settings.remind_days, command.settings.remind_admin,
                                         command.settings.remind_from, command.settings.sendmail,
                                         command.settings.language};
    const auto now = std::chrono::system_clock::now();
    auto due = directory::due_reminders(*session->directory, settings, now);
    if (!due)
        return report_error(due.error(), "cannot find the reminders due");
    int sent = 0;
    for (const auto& reminder : *due) {
        const std::string what = reminder.owner.email + " about " + reminder.certificate.serial + " (" +
                                 std::to_string(reminder.days_left) + " days left, " +
                                 std::to_string(reminder.threshold_days) + "-day reminder)";
        if (command.dry_run) {
            std::cout << "would remind " << what << "\n";
            continue;
        }
        std::vector<std::string> recipients = {reminder.owner.email};
        if (!settings.admin.empty())
            recipients.push_back(settings.admin);
        if (auto delivered = directory::send_with_sendmail(directory::compose_reminder(reminder, settings, now), settings,
                                                           recipients);
            !delivered)
            return report_error(delivered.error(), "reminder to " + reminder.owner.email + " not sent (" +
                                                       std::to_string(sent) + " sent before it)");
        if (auto recorded = session->directory->record_reminder(reminder.certificate.fingerprint, reminder.threshold_days,
                                                                session->actor);
            !recorded)
            return report_error(recorded.error(), "reminder sent but not recorded");
        std::cout << "reminded " << what << "\n";
        ++sent;
    }
    if (due->empty())
        std::cout << "no reminders are due\n";
    return EX_OK;
}

int run_config_show(const config::ConfigShow& command) {
    const auto& s = command.settings;
    std::string domains, days;
    for (const auto& d : s.domains)
        domains += (domains.empty() ? "" : ", ") + d;
    for (int d : s.remind_days)
        days += (days.empty() ? "" : ", ") + std::to_string(d);
    std::cout << "# effective settings (from " << s.source << ")\n"
              << "[directory]\ndatabase = " << s.database << "\nmaster_key = " << s.master_key_file
              << "\ndomain = " << domains << "\n\n[crl]\nissuer = " << s.crl_issuer
              << "\nmax_age_hours = " << s.crl_max_age_hours << "\n\n[remind]\ndays = " << days
              << "\nadmin = " << s.remind_admin << "\nfrom = " << s.remind_from << "\nsendmail = " << s.sendmail
              << "\nlanguage = " << s.language << "\n";
    return EX_OK;
}

} // namespace segel::tool
