// CertificateDirectory: the gateway's memory of who holds which certificate
// and what the RA decided about it (Tangerang art. 8-9, 16-18, 22-23).
//
// Every change is recorded in the tamper-evident audit log in the same
// transaction, with the Actor who made it. choose_signing_certificate reads
// the store afresh on every call, so a revocation or expiry recorded by
// another process applies to the very next message. Implementations are
// safe to call from several threads; errors use directory::ErrorKind.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "directory/model.hpp"
#include "smime/certificate.hpp"
#include "smime/signing_identity.hpp"

namespace segel::directory {

struct Actor {
    std::string name; // "admin:budi", "ra-sync", "segel-milter"
};

struct ImportRequest {
    smime::Certificate certificate;
    std::shared_ptr<EVP_PKEY> private_key;   // may be empty: certificate only
    std::vector<smime::Certificate> chain;   // issuing CAs to keep for signing (roots are skipped)
    CertificateKind kind = CertificateKind::individual;
    Person owner;                            // email required; empty name/nip/unit keep stored values
};

struct ImportOutcome {
    bool inserted = false;                   // false: the certificate was already there (key added if new)
    std::string fingerprint;
    std::vector<std::string> superseded;     // fingerprints this renewal superseded
};

struct CertificateQuery {
    std::string text;                        // substring of email, name, NIP, unit, serial, fingerprint, subject
    std::optional<CertificateStatus> status; // status in force at `now`
    std::optional<TimePoint> expiring_before;// active certificates with notAfter before this
    TimePoint now = std::chrono::system_clock::now();
};

struct StatusChange {
    std::string fingerprint;
    CertificateStatus status = CertificateStatus::active;
    std::optional<RevocationReason> reason;
    std::optional<TimePoint> effective;
};

// Applied all together or not at all (RA sync, CRL sync).
struct ChangeSet {
    std::string description;                 // for the audit log: "ra sync export-2026-11.csv"
    std::vector<Person> people;              // upserted by email
    std::vector<StatusChange> statuses;
};

struct SigningChoice {
    std::optional<smime::SigningIdentity> identity; // set when a certificate may sign now
    std::optional<CertificateRecord> certificate;   // the one chosen, or the one that explains the refusal
    std::optional<Refusal> refusal;
    std::string detail;                             // plain words, no secrets
};

struct SigningEvent {
    std::string login;
    std::string serial;
    std::string fingerprint;
    std::string message_id;
    TimePoint at;
};

struct AuditEntry {
    std::int64_t seq = 0;
    TimePoint at;
    std::string actor;
    std::string action;
    std::string detail;
    std::string hash;
};

struct AuditVerification {
    bool intact = true;
    std::int64_t entries = 0;
    std::optional<std::int64_t> first_bad_seq;
    std::string problem;
    std::string head_hash;                   // write it down elsewhere to anchor the chain
};

class CertificateDirectory {
public:
    virtual ~CertificateDirectory() = default;

    virtual Result<ImportOutcome> import_certificate(const ImportRequest& request, const Actor& actor) = 0;
    virtual Result<std::optional<Person>> find_person(std::string_view email) = 0;
    virtual Result<std::vector<Person>> list_people() = 0;
    virtual Result<std::vector<CertificateRecord>> find_certificates(const CertificateQuery& query) = 0;
    // By fingerprint (or a unique prefix of at least 8 hex digits) or by serial.
    virtual Result<CertificateRecord> get_certificate(std::string_view reference) = 0;
    virtual Result<void> authorise(std::string_view reference, std::string_view login, const Actor& actor) = 0;
    virtual Result<void> unauthorise(std::string_view reference, std::string_view login, const Actor& actor) = 0;
    virtual Result<void> apply(const ChangeSet& changes, const Actor& actor) = 0;

    // The one certificate `login` may sign with as `from` at `now` (art. 20-21):
    // authorised, status active, within its dates, KU/EKU fit, key present;
    // the newest issuance wins. Decrypts its key and audits the key access.
    virtual Result<SigningChoice> choose_signing_certificate(std::string_view login, std::string_view from,
                                                             TimePoint now, const Actor& actor) = 0;
    // Non-repudiation evidence for one signed message (ID-08).
    virtual Result<void> record_signing(const SigningEvent& event, const Actor& actor) = 0;

    virtual Result<bool> reminder_sent(std::string_view fingerprint, int threshold_days) = 0;
    // Claims a reminder before it is sent, atomically across processes and
    // nodes: true for the one caller that is to send it, false when it was
    // claimed already. Audited ("remind").
    virtual Result<bool> claim_reminder(std::string_view fingerprint, int threshold_days, const Actor& actor) = 0;
    // Undoes a claim whose sending failed, so that a later run sends it.
    virtual Result<void> release_reminder(std::string_view fingerprint, int threshold_days, const Actor& actor) = 0;

    virtual Result<std::vector<AuditEntry>> audit_entries() = 0;
    virtual Result<AuditVerification> verify_audit_log() = 0;
    // Appends an audit entry of `action` (incidents.hpp: "incident" and
    // "incident_status" entries) in its own write transaction.
    virtual Result<void> record_event(const std::string& action, const std::string& detail, const Actor& actor) = 0;
};

} // namespace segel::directory
