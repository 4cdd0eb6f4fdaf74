// A directory on a temp file with a master key, and demo users to import.
#pragma once

#include <memory>
#include <string>

#include "directory/sqlite_directory.hpp"
#include "test_support.hpp"

namespace segel::test {

inline const directory::Actor k_test_actor{"test"};

struct DirectoryFixture {
    TempDir dir;
    std::shared_ptr<const smime::MasterKey> master_key;
    std::unique_ptr<directory::SqliteDirectory> store;

    explicit DirectoryFixture(std::vector<std::string> domains = {"tangerangkota.go.id"});
    std::string database_path() const { return (dir / "directory.sqlite").string(); }
    // Another connection to the same file (as another process would have).
    std::unique_ptr<directory::SqliteDirectory> open_again() const;

    // Imports a demo user's PKCS#12 (certificate, key, chain).
    directory::ImportOutcome import_user(const std::string& user,
                                         directory::CertificateKind kind = directory::CertificateKind::individual,
                                         const std::string& owner_email = {}, bool with_key = true);
    std::string fingerprint_of(const std::string& user) const;
};

} // namespace segel::test
