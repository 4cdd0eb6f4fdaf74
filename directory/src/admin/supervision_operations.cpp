// RA and CRL sync, the audit log, the report and reminders.
#include <sstream>

#include "directory/admin/supervision_operations.hpp"

namespace segel::directory::admin {

namespace {

Permission sync_permission(bool dry_run) { return dry_run ? Permission::read : Permission::change_certificates; }

// Writes the plan (all or nothing) unless it is a dry run or empty.
void apply_plan(DirectoryService& directory, const Operator& person, const SyncPlan& plan, bool dry_run,
                SyncOutcome& outcome) {
    outcome.changes = plan.descriptions;
    if (plan.empty() || dry_run)
        return;
    if (auto applied = directory.apply(plan.changes, audit_actor(person)); !applied)
        outcome.stopped = directory_failure(applied.error(), "nothing was changed");
    else
        outcome.applied = true;
}

std::string reminder_about(const DueReminder& reminder) {
    return reminder.owner.email + " about " + reminder.certificate.serial + " (" + std::to_string(reminder.days_left) +
           " days left, " + std::to_string(reminder.threshold_days) + "-day reminder)";
}

} // namespace

OperationResult<SyncOutcome> sync_ra(DirectoryService& directory, const Operator& person, const RaSync& request) {
    if (auto refused = refusal(person, sync_permission(request.dry_run)))
        return *refused;
    std::istringstream in(request.content);
    auto rows = parse_ra_export(in, request.source);
    if (!rows)
        return directory_failure(rows.error(), "the RA file was rejected; nothing was changed");
    auto plan = plan_ra_sync(directory, *rows, request.domains, request.now, request.source);
    if (!plan)
        return directory_failure(plan.error(), "the RA file was rejected; nothing was changed");
    SyncOutcome outcome;
    apply_plan(directory, person, *plan, request.dry_run, outcome);
    return outcome;
}

OperationResult<CrlSyncOutcome> sync_crl(DirectoryService& directory, const Operator& person, const CrlSync& request) {
    if (auto refused = refusal(person, sync_permission(request.dry_run)))
        return *refused;
    auto plan = plan_crl_sync(directory, request.crls, request.issuer, request.now, request.freshness, request.source);
    if (!plan)
        return directory_failure(plan.error(), "the CRL was rejected; nothing was changed");
    CrlSyncOutcome outcome;
    outcome.entries = plan->entries;
    outcome.known = plan->known;
    outcome.skipped = plan->skipped;
    apply_plan(directory, person, *plan, request.dry_run, outcome);
    return outcome;
}

OperationResult<AuditVerification> verify_audit_log(DirectoryService& directory, const Operator& person) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto result = directory.verify_audit_log();
    if (!result)
        return directory_failure(result.error(), "cannot read the audit log");
    return std::move(result).value();
}

OperationResult<std::vector<AuditEntry>> audit_entries(DirectoryService& directory, const Operator& person) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto entries = directory.audit_entries();
    if (!entries)
        return directory_failure(entries.error(), "cannot read the audit log");
    return std::move(entries).value();
}

OperationResult<Report> supervision_report(DirectoryService& directory, const Operator& person, TimePoint now,
                                           int window_days) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto report = build_report(directory, now, window_days);
    if (!report)
        return directory_failure(report.error(), "cannot build the report");
    return std::move(report).value();
}

OperationResult<RemindOutcome> remind(DirectoryService& directory, const Operator& person, const Remind& request) {
    if (auto refused = refusal(person, sync_permission(request.dry_run)))
        return *refused;
    auto due = due_reminders(directory, request.settings, request.now);
    if (!due)
        return directory_failure(due.error(), "cannot find the reminders due");
    RemindOutcome outcome;
    for (const auto& reminder : *due) {
        if (request.dry_run) {
            outcome.reminders.push_back({reminder_about(reminder), false});
            continue;
        }
        std::vector<std::string> recipients = {reminder.owner.email};
        if (!request.settings.admin.empty())
            recipients.push_back(request.settings.admin);
        // Claimed before it is sent: of two nodes running at once, one sends.
        auto claimed = directory.claim_reminder(reminder.certificate.fingerprint, reminder.threshold_days,
                                                audit_actor(person));
        if (!claimed) {
            outcome.stopped = directory_failure(claimed.error(), "reminder to " + reminder.owner.email + " not claimed");
            break;
        }
        if (!*claimed)
            continue; // sent by another run meanwhile
        const std::string message = compose_reminder(reminder, request.settings, request.now);
        if (auto delivered = send_with_sendmail(message, request.settings, recipients); !delivered) {
            outcome.stopped = directory_failure(delivered.error(), "reminder to " + reminder.owner.email + " not sent (" +
                                                                       std::to_string(outcome.reminders.size()) +
                                                                       " sent before it)");
            if (auto released = directory.release_reminder(reminder.certificate.fingerprint, reminder.threshold_days,
                                                           audit_actor(person));
                !released)
                outcome.stopped->message += "; its claim could not be undone: " + released.error().detail;
            break;
        }
        outcome.reminders.push_back({reminder_about(reminder), true});
    }
    return outcome;
}

} // namespace segel::directory::admin
