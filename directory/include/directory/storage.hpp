// DirectoryStorage: the narrow interface a storage backend implements for
// the DirectoryService (directory_service.hpp). Rows in, rows out,
// transactions, and an audit append under a lock on the chain head. No
// rules live here: which certificate signs, renewal, domain checks, key
// sealing, the audit entries' content and hashes are the service's. SQLite
// is the first backend (sqlite_storage.hpp); a second one implements this
// interface and passes the same contract tests: PostgreSQL
// (postgres_storage.hpp), shared by several nodes.
//
// A session is one connection held exclusively (the backend's lock) until
// it is destroyed; a write transaction opened with begin_write() and not
// committed is rolled back when the session ends. Reads outside a
// transaction see committed data. Errors use directory::ErrorKind:
// `unavailable` for a store that cannot be reached or is busy too long.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/correspondents.hpp"
#include "directory/encryption_policy.hpp"
#include "directory/message_trace.hpp"
#include "directory/model.hpp"
#include "smime/capabilities.hpp"
#include "smime/certificate.hpp"
#include "smime/key_sealing.hpp"

namespace segel::directory {

// Which certificates a read returns; unset fields do not filter.
struct CertificateFilter {
    std::optional<std::string> fingerprint_prefix; // lower-case hex
    std::optional<std::string> serial;             // upper-case hex without leading zeros
    std::optional<std::string> email;              // any address of the certificate (case-insensitive)
    std::optional<std::string> text;               // substring of owner, serial, fingerprint, subject, addresses
    std::optional<std::string> issuer;             // with serial: one issuance
    bool with_private_key_only = false;
    enum class Order { by_unit_and_owner, newest_first } order = Order::by_unit_and_owner;
    std::size_t limit = 0;                         // 0: all
};

// Which correspondents' certificates a read returns; unset fields do not
// filter. Newest learned first.
struct CorrespondentFilter {
    std::optional<std::string> email;              // an address of the certificate (case-insensitive)
    std::optional<std::string> domain;             // domain certificates standing for this domain
    std::optional<std::string> text;               // substring of addresses, subject, serial, fingerprint, domain
    std::optional<std::string> fingerprint_prefix; // lower-case hex
    std::optional<std::string> serial;             // upper-case hex
};

struct AuditRow {
    std::int64_t seq = 0;
    std::int64_t at = 0; // seconds since the epoch
    std::string actor, action, detail, prev_hash, hash;
};

// Rows read whole when a directory is copied to another store
// (directory_copy.hpp).
struct ReminderRow {
    std::string fingerprint;
    int threshold_days = 0;
    TimePoint sent_at;
};
struct CapabilitiesRow {
    std::string email;
    smime::AdvertisedAlgorithms advertised;
    TimePoint learned_at;
};
struct DecryptedMessageRow {
    std::string message_id;
    TimePoint decrypted_at;
};

struct AuditHead {
    std::int64_t last_seq = 0; // 0: empty log
    std::string last_hash;     // empty: empty log
};

class StorageSession {
public:
    virtual ~StorageSession() = default;

    virtual Result<void> begin_write() = 0;
    virtual Result<void> commit() = 0;

    virtual Result<std::optional<Person>> person(std::string_view email) = 0;
    virtual Result<std::vector<Person>> people() = 0;
    // Inserts, or updates the fields given non-empty (email is the key).
    virtual Result<void> upsert_person(const Person& person) = 0;

    // Records with status, addresses, authorised logins and has_private_key.
    virtual Result<std::vector<CertificateRecord>> certificates(const CertificateFilter& filter) = 0;
    // Stores the record's certificate, addresses and logins; false when the
    // fingerprint is stored already; `conflict` for another certificate
    // with the same issuer and serial.
    virtual Result<bool> insert_certificate(const CertificateRecord& record, TimePoint imported_at) = 0;
    // False when no certificate has the fingerprint.
    virtual Result<bool> set_status(const std::string& fingerprint, CertificateStatus status,
                                    std::optional<RevocationReason> reason, std::optional<TimePoint> effective) = 0;
    // Adds (present) or removes a login; true when something changed.
    virtual Result<bool> set_login(const std::string& fingerprint, std::string_view login, bool present) = 0;

    virtual Result<std::optional<smime::SealedKey>> sealed_key(const std::string& fingerprint) = 0;
    virtual Result<std::vector<std::pair<std::string, smime::SealedKey>>> sealed_keys() = 0;
    // Keeps an existing key unless `replace`.
    virtual Result<void> put_sealed_key(const std::string& fingerprint, const smime::SealedKey& key, bool replace) = 0;

    // False when a certificate of that fingerprint is stored already.
    virtual Result<bool> insert_correspondent(const CorrespondentRecord& record) = 0;
    virtual Result<std::vector<CorrespondentRecord>> correspondents(const CorrespondentFilter& filter) = 0;
    virtual Result<bool> delete_correspondent(const std::string& fingerprint) = 0;
    virtual Result<bool> approve_correspondent(const std::string& fingerprint) = 0;

    // Encryption policy rules (encryption_policy.hpp), by scope.
    virtual Result<std::vector<PolicyRule>> policy_rules() = 0;
    // Inserts or replaces the rule of `rule.scope` as given.
    virtual Result<void> put_policy_rule(const PolicyRule& rule) = 0;
    // False when the scope had no rule.
    virtual Result<bool> delete_policy_rule(const std::string& scope) = 0;

    // What an address's last verified signature advertised (replaces the earlier).
    virtual Result<void> put_capabilities(const std::string& email, const smime::AdvertisedAlgorithms& advertised,
                                          TimePoint at) = 0;
    virtual Result<std::optional<smime::AdvertisedAlgorithms>> capabilities(const std::string& email) = 0;
    virtual Result<std::vector<CapabilitiesRow>> all_capabilities() = 0;
    virtual Result<void> put_decrypted_message(const std::string& message_id, TimePoint at) = 0;
    virtual Result<bool> any_decrypted(const std::vector<std::string>& message_ids) = 0;
    virtual Result<std::vector<DecryptedMessageRow>> decrypted_messages() = 0;

    virtual Result<void> add_ca_certificate(const smime::Certificate& ca) = 0;
    virtual Result<std::optional<std::string>> ca_certificate_der(const std::string& subject) = 0;
    virtual Result<std::vector<std::string>> ca_certificates_der() = 0;

    virtual Result<bool> reminder_recorded(std::string_view fingerprint, int threshold_days) = 0;
    // Claims the reminder: true when it was not recorded before.
    virtual Result<bool> claim_reminder(std::string_view fingerprint, int threshold_days, TimePoint at) = 0;
    // False when it was not recorded.
    virtual Result<bool> release_reminder(std::string_view fingerprint, int threshold_days) = 0;
    virtual Result<std::vector<ReminderRow>> reminders() = 0;

    // The message trace (message_trace.hpp).
    virtual Result<void> append_trace(const std::vector<TraceRecord>& records) = 0;
    virtual Result<std::vector<TraceRecord>> trace(const TraceQuery& query) = 0;
    // Deletes records older than `before`; how many.
    virtual Result<std::int64_t> prune_trace(TimePoint before) = 0;

    // Inside a write transaction: the head, locked until commit, so that
    // concurrent writers append one after the other.
    virtual Result<AuditHead> lock_audit_head() = 0;
    // Appends the row and moves the head to it.
    virtual Result<void> append_audit(const AuditRow& row) = 0;
    virtual Result<std::vector<AuditRow>> audit_rows() = 0;
    virtual Result<AuditHead> audit_head() = 0;
};

class DirectoryStorage {
public:
    virtual ~DirectoryStorage() = default;
    // Waits for the backend's lock; the session holds it while it lives.
    virtual Result<std::unique_ptr<StorageSession>> session() = 0;
    // Whether cached certificates and keys may be stale (the store was
    // replaced under us); cleared by the call.
    virtual bool take_replaced_flag() = 0;
};

} // namespace segel::directory
