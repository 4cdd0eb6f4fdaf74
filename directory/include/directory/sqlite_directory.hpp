// SqliteDirectory: the embedded CertificateDirectory on one SQLite file (WAL,
// foreign keys, schema versioned with migrations). One connection per
// object, guarded by a mutex; open one object per process (or per thread
// that must not wait). Readers in other processes proceed while a writer
// commits (WAL). Private keys are stored sealed under the MasterKey, which
// never enters the database. A file created here is mode 0640. Every
// operation first compares the path's device and inode with the file
// opened: a file renamed over it (a restore) is reopened before the
// operation, and a file moved away makes it fail as unavailable.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "directory/certificate_directory.hpp"
#include "smime/key_sealing.hpp"

namespace segel::directory {

struct SqliteOptions {
    bool create = false;                                  // create the file when missing
    std::shared_ptr<const smime::MasterKey> master_key;   // to store keys and to sign; may be empty
    std::vector<std::string> domains;                     // internal domains (art. 15 c); empty: any
    std::chrono::milliseconds busy_timeout{5000};
    // Called (under the directory's lock) when the file was found replaced
    // and was reopened, with a sentence for the log; may be empty.
    std::function<void(const std::string&)> on_reopen;
};

class SqliteDirectory final : public CertificateDirectory {
public:
    // path ":memory:" gives a private in-memory database (tests).
    static Result<std::unique_ptr<SqliteDirectory>> open(const std::string& path, SqliteOptions options);
    ~SqliteDirectory() override;

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
    Result<void> record_reminder(std::string_view fingerprint, int threshold_days, const Actor& actor) override;
    Result<std::vector<AuditEntry>> audit_entries() override;
    Result<AuditVerification> verify_audit_log() override;

    // Re-seals every private key under new_key in one transaction (master key
    // rotation); afterwards only new_key opens them.
    Result<int> reseal_keys(std::shared_ptr<const smime::MasterKey> new_key, const Actor& actor);

    struct State; // the connection, its mutex and the options

private:
    explicit SqliteDirectory(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

// Master key files: 64 hex digits, mode 0600 (or 0400), never in the database.
Result<std::shared_ptr<const smime::MasterKey>> load_master_key_file(const std::string& path);
// Creates a new key file (fails if it exists) with mode 0600.
Result<std::shared_ptr<const smime::MasterKey>> create_master_key_file(const std::string& path);

} // namespace segel::directory
