// The SQLite backend itself: keys at rest in the file, file permissions,
// schema versions, a missing file, a file replaced or moved while open.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "directory_fixture.hpp"

using namespace segel;
using test::DirectoryFixture;
using test::k_test_actor;

TEST_CASE("private keys are not in the database file in the clear", "[directory][keys]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "sqlite");
    f.import_user("alice");
    f.store.reset(); // close, checkpoint the WAL
    std::string file = test::read_file(f.database_path());
    if (std::filesystem::exists(f.database_path() + "-wal"))
        file += test::read_file(f.database_path() + "-wal");
    // The PKCS#8 DER of the key, and any PEM armour.
    EVP_PKEY* key = test::demo_identity("alice").private_key();
    unsigned char* der = nullptr;
    const int length = i2d_PrivateKey(key, &der);
    REQUIRE(length > 0);
    const std::string key_der(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    CHECK(file.find(key_der) == std::string::npos);
    CHECK(file.find(key_der.substr(key_der.size() / 2, 64)) == std::string::npos);
    CHECK(file.find("PRIVATE KEY") == std::string::npos);
    // The certificate itself is there (a sanity check that we read the right file).
    CHECK(file.find(test::demo_identity("alice").certificate().der()) != std::string::npos);
}

TEST_CASE("files are created with tight modes and a loose key file is refused", "[directory][permissions]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "sqlite");
    struct stat st {};
    REQUIRE(::stat(f.database_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    REQUIRE(::stat((f.dir / "master.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    ::chmod((f.dir / "master.key").c_str(), 0644);
    auto loose = directory::load_master_key_file((f.dir / "master.key").string());
    REQUIRE_FALSE(loose.has_value());
    CHECK_THAT(loose.error().detail, Catch::Contains("readable by others"));
    CHECK_FALSE(directory::create_master_key_file((f.dir / "master.key").string()).has_value());
}

TEST_CASE("the schema is versioned, a newer database is refused", "[directory][schema]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "sqlite");
    f.store.reset();
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(f.database_path().c_str(), &raw) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &statement, nullptr);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    CHECK(sqlite3_column_int(statement, 0) == 5);
    sqlite3_finalize(statement);
    sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    auto reopened = directory::open_directory(f.database_path(), {});
    REQUIRE_FALSE(reopened.has_value());
    CHECK(reopened.error().kind == directory::ErrorKind::conflict);
}

TEST_CASE("a version 1 database migrates to version 5 keeping its rows (correspondents, policies, pending harvest)", "[directory][schema]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "sqlite");
    const auto fingerprint = f.import_user("alice").fingerprint;
    f.store.reset();
    f.execute_raw("DROP TABLE message_trace; DROP TABLE decrypted_messages; DROP TABLE advertised_capabilities; DROP TABLE encryption_policies; DROP TABLE correspondent_emails; DROP TABLE correspondent_certificates; "
                  "PRAGMA user_version = 1;");
    auto reopened = directory::open_directory(f.database_path(), {});
    REQUIRE(reopened.has_value());
    CHECK((*reopened)->get_certificate(fingerprint).has_value());
    auto mitra = smime::Certificate::load_pem_file(test::pki_file("mitra.cert.pem").string());
    REQUIRE(mitra.has_value());
    CHECK((*reopened)->import_correspondent(mitra->front(), directory::CertificateSource::operator_import, "",
                                            test::k_test_actor)
              .has_value());
    directory::PolicyRule rule;
    rule.scope = "mitra.example";
    rule.mode = directory::EncryptionMode::required;
    CHECK((*reopened)->set_policy_rule(rule, test::k_test_actor).has_value());
    CHECK((*reopened)->find_correspondents("")->front().pending == false);
    CHECK((*reopened)->verify_audit_log()->intact);
}

TEST_CASE("a missing database is named, not silently created", "[directory][schema]") {
    test::TempDir dir;
    auto opened = directory::open_directory((dir / "none.sqlite").string(), {});
    REQUIRE_FALSE(opened.has_value());
    CHECK_THAT(opened.error().detail, Catch::Contains("segel directory init"));
}

namespace {
// A consistent copy of the live file, as a backup or a prepared restore is made.
std::string copy_of(const std::string& live, const std::string& copy) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(live.c_str(), &raw) == SQLITE_OK);
    const std::string sql = "VACUUM INTO '" + copy + "'";
    CHECK(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    return copy;
}

directory::SigningChoice choose_alice(directory::DirectoryService& store) {
    auto choice = store.choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                   std::chrono::system_clock::now(), k_test_actor);
    REQUIRE(choice.has_value());
    return std::move(choice).value();
}
} // namespace

TEST_CASE("a database file renamed over the open one is noticed on the next operation and reopened",
          "[directory][restore]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "sqlite");
    f.import_user("alice");
    std::vector<std::string> reopened;
    directory::DirectoryOptions options;
    options.master_key = f.master_key;
    options.on_reopen = [&](const std::string& why) { reopened.push_back(why); };
    auto live = directory::open_directory(f.database_path(), options);
    REQUIRE(live.has_value());
    REQUIRE(choose_alice(**live).identity.has_value());
    // A prepared copy in which the RA revoked alice, swapped in by rename.
    const std::string copy = copy_of(f.database_path(), (f.dir / "prepared.sqlite").string());
    {
        directory::DirectoryOptions copy_options;
        copy_options.master_key = f.master_key;
        auto prepared = directory::open_directory(copy, copy_options);
        REQUIRE(prepared.has_value());
        REQUIRE((*prepared)->apply({"test", {}, {{f.fingerprint_of("alice"), directory::CertificateStatus::revoked,
                                                 directory::RevocationReason::key_compromise, std::nullopt}}},
                                   k_test_actor));
    }
    REQUIRE(::rename(copy.c_str(), f.database_path().c_str()) == 0);
    const auto choice = choose_alice(**live); // the next message
    CHECK_FALSE(choice.identity.has_value());
    CHECK(choice.refusal == directory::Refusal::revoked);
    REQUIRE(reopened.size() == 1);
    CHECK_THAT(reopened.front(), Catch::Contains("was replaced"));
    // Our writes go into the new file, whose audit chain stays whole.
    REQUIRE((*live)->claim_reminder(f.fingerprint_of("alice"), 30, k_test_actor));
    auto other = f.open_again();
    CHECK(other->reminder_sent(f.fingerprint_of("alice"), 30).value());
    CHECK(other->verify_audit_log()->intact);
}

TEST_CASE("a database file moved away while open makes operations fail as unavailable", "[directory][restore]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "sqlite");
    f.import_user("alice");
    REQUIRE(::rename(f.database_path().c_str(), (f.dir / "moved.sqlite").c_str()) == 0);
    auto choice = f.store->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                      std::chrono::system_clock::now(), k_test_actor);
    REQUIRE_FALSE(choice.has_value());
    CHECK(choice.error().kind == directory::ErrorKind::unavailable);
    CHECK_THAT(choice.error().detail, Catch::Contains("moved or deleted while in use"));
}
