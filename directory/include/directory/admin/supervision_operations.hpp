// Admin operations that keep the directory in step and report on it: RA
// export and CRL sync (each all or nothing, with a dry run), the audit log
// (verify, list), the supervision report (Tangerang art. 26, Cianjur art.
// 24) and expiry reminders (art. 18). Typed requests and outcomes, role
// checks as in certificate_operations.hpp; nothing printed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "directory/admin/operation_error.hpp"
#include "directory/admin/operator.hpp"
#include "directory/crl_sync.hpp"
#include "directory/directory_service.hpp"
#include "directory/reminders.hpp"
#include "directory/report.hpp"

namespace segel::directory::admin {

struct SyncOutcome {
    std::vector<std::string> changes; // one line per change
    bool applied = false;             // written (false for a dry run or no change)
    std::optional<Failure> stopped;   // the changes were planned but could not be written: none was
};

struct RaSync {
    std::string source;  // the file's name, for messages and the audit log
    std::string content; // the RA's CSV export (ra_sync.hpp)
    std::vector<std::string> domains;
    bool dry_run = false;
    TimePoint now;
};
OperationResult<SyncOutcome> sync_ra(DirectoryService& directory, const Operator& person, const RaSync& request);

struct CrlSync {
    std::string source;
    std::vector<smime::Crl> crls;   // every CRL of the file
    smime::Certificate issuer;      // the CA whose CRLs are accepted
    smime::CrlFreshness freshness;
    bool dry_run = false;
    TimePoint now;
};
struct CrlSyncOutcome : SyncOutcome {
    std::size_t entries = 0;          // revoked serials on the issuer's CRLs
    std::size_t known = 0;            // of those, certificates in the directory
    std::vector<std::string> skipped; // CRLs of other CAs
};
OperationResult<CrlSyncOutcome> sync_crl(DirectoryService& directory, const Operator& person, const CrlSync& request);

OperationResult<AuditVerification> verify_audit_log(DirectoryService& directory, const Operator& person);
OperationResult<std::vector<AuditEntry>> audit_entries(DirectoryService& directory, const Operator& person);

OperationResult<Report> supervision_report(DirectoryService& directory, const Operator& person, TimePoint now,
                                           int window_days);

struct Remind {
    ReminderSettings settings;
    bool dry_run = false;
    TimePoint now;
};
struct ReminderLine {
    std::string about; // "OWNER about SERIAL (N days left, T-day reminder)"
    bool sent = false; // false for a dry run
};
struct RemindOutcome {
    std::vector<ReminderLine> reminders;
    std::optional<Failure> stopped; // a reminder failed: those before it were sent and recorded
};
// Sends each due reminder through sendmail and records it, once.
OperationResult<RemindOutcome> remind(DirectoryService& directory, const Operator& person, const Remind& request);

} // namespace segel::directory::admin
