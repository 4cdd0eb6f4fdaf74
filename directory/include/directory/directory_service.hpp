// DirectoryService: the directory's rules over any storage backend
// (storage.hpp). Here, once for every backend: which certificate a login
// may sign with for an address (art. 20-21), renewal supersedes (art. 9,
// 18), the internal-domain check (art. 15 c), addresses compared by the
// address type's rules, key sealing under the master key and the audit of
// every key use, the hash-chained audit entries of every change, and the
// caches of parsed certificates, unsealed keys and issuing chains (never of
// a status: that is read from the store on every lookup, so a revocation
// recorded by another process or node applies to the very next message).
//
// Beside the signing choice sit the narrow lookups of the next features:
// certificates to encrypt to (recipient_certificates.hpp), the encryption
// policy rules (encryption_policy.hpp) and keys to decrypt with
// (decryption_keys.hpp). Thread-safe.
//
// open_directory() is the one factory the daemon and `segel` use.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "directory/certificate_directory.hpp"
#include "directory/message_trace.hpp"
#include "directory/correspondents.hpp"
#include "directory/decryption_keys.hpp"
#include "directory/encryption_policy.hpp"
#include "directory/recipient_certificates.hpp"
#include "directory/storage.hpp"
#include "smime/key_sealing.hpp"

namespace segel::directory {

struct DirectoryOptions {
    bool create = false;                                // create the store when missing
    std::shared_ptr<const smime::MasterKey> master_key; // to store keys and to open them; may be empty
    std::vector<std::string> domains;                   // internal domains (art. 15 c); empty: any
    // SQLite: how long to wait for the write lock. PostgreSQL: how long to
    // wait for a free pooled connection and for a lock.
    std::chrono::milliseconds busy_timeout{5000};
    std::size_t pool_size = 8;                         // PostgreSQL connections at most
    std::chrono::milliseconds statement_timeout{5000}; // PostgreSQL, per statement
    // Called when the store was found replaced and was reopened, with a
    // sentence for the log; may be empty.
    std::function<void(const std::string&)> on_reopen;
};

class DirectoryService final : public CertificateDirectory,
                               public Correspondents,
                               public RecipientCertificates,
                               public DecryptionKeys,
                               public EncryptionPolicies {
public:
    DirectoryService(std::unique_ptr<DirectoryStorage> storage, DirectoryOptions options);
    ~DirectoryService() override;

    Result<ImportOutcome> import_certificate(const ImportRequest& request, const Actor& actor) override;
    Result<std::optional<Person>> find_person(std::string_view email) override;
    Result<std::vector<Person>> list_people() override;
    Result<std::vector<CertificateRecord>> find_certificates(const CertificateQuery& query) override;
    Result<CertificateRecord> get_certificate(std::string_view reference) override;
    Result<void> authorise(std::string_view reference, std::string_view login, const Actor& actor) override;
    Result<void> unauthorise(std::string_view reference, std::string_view login, const Actor& actor) override;
    Result<void> apply(const ChangeSet& changes, const Actor& actor) override;
    Result<SigningChoice> choose_signing_certificate(std::string_view login, std::string_view from, TimePoint now,
                                                     const Actor& actor) override;
    Result<void> record_signing(const SigningEvent& event, const Actor& actor) override;
    Result<bool> reminder_sent(std::string_view fingerprint, int threshold_days) override;
    Result<bool> claim_reminder(std::string_view fingerprint, int threshold_days, const Actor& actor) override;
    Result<void> release_reminder(std::string_view fingerprint, int threshold_days, const Actor& actor) override;
    Result<std::vector<AuditEntry>> audit_entries() override;
    Result<AuditVerification> verify_audit_log() override;
    Result<void> record_event(const std::string& action, const std::string& detail, const Actor& actor) override;

    Result<CorrespondentImport> import_correspondent(const smime::Certificate& certificate, CertificateSource source,
                                                     const std::string& domain, const Actor& actor) override;
    Result<std::vector<CorrespondentRecord>> find_correspondents(const std::string& text) override;
    Result<CorrespondentRecord> remove_correspondent(std::string_view reference, const Actor& actor) override;
    Result<CorrespondentImport> harvest_correspondent(const smime::Certificate& certificate, const std::string& address,
                                                      TimePoint learned_at, bool pending, const Actor& actor) override;
    Result<CorrespondentRecord> approve_correspondent(std::string_view reference, const Actor& actor) override;

    Result<std::vector<EncryptionCandidate>> encryption_certificates(const smime::Address& recipient,
                                                                     TimePoint now) override;
    Result<void> record_encryption(const EncryptionEvent& event, const Actor& actor) override;
    Result<void> remember_capabilities(const smime::Address& sender, const smime::AdvertisedAlgorithms& advertised,
                                       TimePoint at) override;
    Result<std::optional<smime::AdvertisedAlgorithms>> remembered_capabilities(const smime::Address& address) override;
    Result<std::vector<DecryptionKey>> decryption_keys(const RecipientIdentifier& recipient,
                                                       const Actor& actor) override;
    Result<void> record_decryption(const DecryptionEvent& event, const Actor& actor) override;
    Result<bool> decrypted_any(const std::vector<std::string>& message_ids) override;

    Result<std::vector<PolicyRule>> policy_rules() override;
    Result<PolicyRule> set_policy_rule(const PolicyRule& rule, const Actor& actor) override;
    Result<void> remove_policy_rule(std::string_view scope, const Actor& actor) override;
    Result<ResolvedPolicy> policy_for(const smime::Address& recipient) override;

    // The message trace (message_trace.hpp): a batch in one transaction;
    // newest first; pruning of records older than `before`.
    Result<void> record_trace(const std::vector<TraceRecord>& records);
    Result<std::vector<TraceRecord>> find_trace(const TraceQuery& query);
    Result<std::int64_t> prune_trace(TimePoint before);

    // The internal domains this directory was opened with (empty: any).
    const std::vector<std::string>& internal_domains() const noexcept { return m_options.domains; }

    // Re-seals every private key under new_key in one transaction (master key
    // rotation); afterwards only new_key opens them.
    Result<int> reseal_keys(std::shared_ptr<const smime::MasterKey> new_key, const Actor& actor);

    struct Caches; // parsed certificates, unsealed keys, issuing chains

private:
    Result<std::unique_ptr<StorageSession>> session();
    Result<std::unique_ptr<StorageSession>> write_session(); // a session in a write transaction
    Result<void> check_domain(std::string_view email) const;
    Result<void> check_correspondent(const smime::Certificate& certificate, CertificateSource source,
                                     const std::string& domain) const;
    // Stores a correspondent's certificate with its audit entry, in one
    // transaction; a known one changes nothing and is not audited.
    Result<CorrespondentImport> store_correspondent(const CorrespondentRecord& record, const std::string& action,
                                                    const std::string& detail, const Actor& actor);
    Result<void> add_internal_candidates(StorageSession& session, const smime::Address& recipient, TimePoint now,
                                         std::vector<EncryptionCandidate>& out);
    Result<void> add_correspondent_candidates(StorageSession& session, const smime::Address& recipient,
                                              TimePoint now, std::vector<EncryptionCandidate>& out);
    Result<std::shared_ptr<EVP_PKEY>> unsealed_key(StorageSession& session, const CertificateRecord& record);

    std::unique_ptr<DirectoryStorage> m_storage;
    DirectoryOptions m_options;
    std::unique_ptr<Caches> m_caches;
};

// Opens the directory named by `url` (directory_url.hpp): "sqlite:PATH",
// "sqlite::memory:" (a private in-memory store, for tests), a plain PATH
// (the [directory] database setting, read as an SQLite file), or
// "postgresql://..." (a shared PostgreSQL database).
Result<std::unique_ptr<DirectoryService>> open_directory(const std::string& url, DirectoryOptions options);

// Master key files: 64 hex digits, mode 0600 (or 0400), never in the database.
Result<std::shared_ptr<const smime::MasterKey>> load_master_key_file(const std::string& path);
// Creates a new key file (fails if it exists) with mode 0600.
Result<std::shared_ptr<const smime::MasterKey>> create_master_key_file(const std::string& path);

} // namespace segel::directory
