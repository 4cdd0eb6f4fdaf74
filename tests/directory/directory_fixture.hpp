// A directory with a master key, on one of the storage backends this build
// has, and demo users to import. The directory contract suite: a test that
// constructs DirectoryFixture without naming a backend runs once per
// backend (Catch2 GENERATE), so every backend is proven by the same tests.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "directory/directory_service.hpp"
#include "test_support.hpp"

namespace segel::test {

inline const directory::Actor k_test_actor{"test"};

// The backends this build has: "sqlite", and "postgresql" when the tests'
// PostgreSQL server runs (SEGEL_TEST_POSTGRES; always under CTest).
std::vector<std::string> directory_backends();

struct DirectoryFixture {
    TempDir dir;
    std::string backend;
    std::string postgres_database; // the fresh database of a "postgresql" fixture
    std::shared_ptr<const smime::MasterKey> master_key;
    std::unique_ptr<directory::DirectoryService> store;

    // Without a backend: each backend in turn (one run of the test each).
    explicit DirectoryFixture(std::vector<std::string> domains = {"tangerangkota.go.id"},
                              std::optional<std::string> backend = std::nullopt);
    ~DirectoryFixture();
    DirectoryFixture(const DirectoryFixture&) = delete;
    DirectoryFixture& operator=(const DirectoryFixture&) = delete;
    // What open_directory() takes for this store.
    std::string url() const;
    // The SQLite backend's file.
    std::string database_path() const { return (dir / "directory.sqlite").string(); }
    // Another connection to the same store (as another process would have),
    // with the fixture's master key unless another is given.
    std::unique_ptr<directory::DirectoryService> open_again(std::shared_ptr<const smime::MasterKey> key = nullptr) const;
    // Another store (a URL), opened with the fixture's master key and domain.
    std::unique_ptr<directory::DirectoryService> open_url(const std::string& url,
                                                          directory::DirectoryOptions options = {}) const;
    // One SQL statement run on the store behind the service's back (the
    // audit tampering tests).
    void execute_raw(const std::string& statement) const;

    // Imports a demo user's PKCS#12 (certificate, key, chain).
    directory::ImportOutcome import_user(const std::string& user,
                                         directory::CertificateKind kind = directory::CertificateKind::individual,
                                         const std::string& owner_email = {}, bool with_key = true);
    std::string fingerprint_of(const std::string& user) const;

    // encryption_certificates() for an address now; fails the test on error.
    std::vector<directory::EncryptionCandidate> candidates_for(const std::string& address) const;
    // Audit entries with this action.
    int audit_count(const std::string& action) const;
};

} // namespace segel::test
