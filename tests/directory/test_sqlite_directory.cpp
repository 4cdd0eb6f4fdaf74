// The SQLite store: import rules, keys at rest, master key handling, file
// permissions, schema versions, concurrency.
#include <catch2/catch.hpp>

#include <atomic>
#include <sys/stat.h>
#include <thread>

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "directory_fixture.hpp"

using namespace segel;
using test::DirectoryFixture;
using test::k_test_actor;

TEST_CASE("an import records person, certificate, addresses, owner login and sealed key", "[directory][import]") {
    DirectoryFixture f;
    const auto outcome = f.import_user("alice");
    CHECK(outcome.inserted);
    auto record = f.store->get_certificate(outcome.fingerprint);
    REQUIRE(record.has_value());
    CHECK(record->emails == std::vector<std::string>{"alice@tangerangkota.go.id"});
    CHECK(record->authorised_logins == std::vector<std::string>{"alice@tangerangkota.go.id"});
    CHECK(record->has_private_key);
    CHECK(record->serial == test::demo_identity("alice").certificate().serial_hex());
    CHECK(record->status == directory::CertificateStatus::active);
    auto person = f.store->find_person("ALICE@tangerangkota.go.id");
    REQUIRE(person.has_value());
    REQUIRE(person->has_value());
    CHECK((*person)->unit == "Diskominfo");
    // By serial too.
    CHECK(f.store->get_certificate(record->serial).has_value());
}

TEST_CASE("importing the same certificate twice changes nothing", "[directory][import]") {
    DirectoryFixture f;
    f.import_user("alice");
    const auto again = f.import_user("alice");
    CHECK_FALSE(again.inserted);
    auto all = f.store->find_certificates({});
    REQUIRE(all.has_value());
    CHECK(all->size() == 1);
}

TEST_CASE("only addresses in the configured domains are accepted (Tangerang art. 15 c)", "[directory][import]") {
    DirectoryFixture f;
    const auto& identity = test::demo_identity("luar");
    directory::ImportRequest request{identity.certificate(), identity.shared_private_key(), identity.chain(),
                                     directory::CertificateKind::individual, {"luar@example.com", "Luar", "", "", ""}};
    auto outcome = f.store->import_certificate(request, k_test_actor);
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().kind == directory::ErrorKind::invalid_input);
    CHECK_THAT(outcome.error().detail, Catch::Contains("outside the internal domains"));
}

TEST_CASE("an individual certificate must carry its owner's address", "[directory][import]") {
    DirectoryFixture f;
    const auto& identity = test::demo_identity("alice");
    directory::ImportRequest request{identity.certificate(), identity.shared_private_key(), identity.chain(),
                                     directory::CertificateKind::individual,
                                     {"bambang@tangerangkota.go.id", "", "", "", ""}};
    auto outcome = f.store->import_certificate(request, k_test_actor);
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().kind == directory::ErrorKind::invalid_input);
}

TEST_CASE("a key that does not belong to the certificate is refused", "[directory][import]") {
    DirectoryFixture f;
    directory::ImportRequest request{test::demo_identity("alice").certificate(),
                                     test::demo_identity("bambang").shared_private_key(), {},
                                     directory::CertificateKind::individual,
                                     {"alice@tangerangkota.go.id", "", "", "", ""}};
    auto outcome = f.store->import_certificate(request, k_test_actor);
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().kind == directory::ErrorKind::invalid_input);
}

TEST_CASE("private keys are not in the database file in the clear", "[directory][keys]") {
    DirectoryFixture f;
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

TEST_CASE("a copied database with another master key gives no key", "[directory][keys]") {
    DirectoryFixture f;
    f.import_user("alice");
    auto other_key = directory::create_master_key_file((f.dir / "other.key").string());
    REQUIRE(other_key.has_value());
    directory::SqliteOptions options;
    options.master_key = *other_key;
    auto copy = directory::SqliteDirectory::open(f.database_path(), options);
    REQUIRE(copy.has_value());
    auto choice = (*copy)->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                      std::chrono::system_clock::now(), k_test_actor);
    REQUIRE_FALSE(choice.has_value());
    CHECK(choice.error().kind == directory::ErrorKind::key_unavailable);
}

TEST_CASE("rotating the master key re-seals every key", "[directory][keys]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    auto new_key = directory::create_master_key_file((f.dir / "new.key").string());
    REQUIRE(new_key.has_value());
    auto resealed = f.store->reseal_keys(*new_key, k_test_actor);
    REQUIRE(resealed.has_value());
    CHECK(*resealed == 2);
    CHECK(f.store->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                              std::chrono::system_clock::now(), k_test_actor)
              ->identity.has_value());
    // The old key no longer opens them.
    auto stale = f.open_again();
    auto choice = stale->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                    std::chrono::system_clock::now(), k_test_actor);
    REQUIRE_FALSE(choice.has_value());
    CHECK(choice.error().kind == directory::ErrorKind::key_unavailable);
}

TEST_CASE("files are created with tight modes and a loose key file is refused", "[directory][permissions]") {
    DirectoryFixture f;
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
    DirectoryFixture f;
    f.store.reset();
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(f.database_path().c_str(), &raw) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &statement, nullptr);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    CHECK(sqlite3_column_int(statement, 0) == 1);
    sqlite3_finalize(statement);
    sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    auto reopened = directory::SqliteDirectory::open(f.database_path(), {});
    REQUIRE_FALSE(reopened.has_value());
    CHECK(reopened.error().kind == directory::ErrorKind::conflict);
}

TEST_CASE("a missing database is named, not silently created", "[directory][schema]") {
    test::TempDir dir;
    auto opened = directory::SqliteDirectory::open((dir / "none.sqlite").string(), {});
    REQUIRE_FALSE(opened.has_value());
    CHECK_THAT(opened.error().detail, Catch::Contains("segel directory init"));
}

TEST_CASE("readers keep choosing while another connection writes", "[directory][concurrency]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    std::atomic<bool> stop{false};
    std::atomic<int> reads{0}, failures{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r)
        readers.emplace_back([&] {
            auto reader = f.open_again();
            while (!stop) {
                auto choice = reader->choose_signing_certificate("bambang@tangerangkota.go.id",
                                                                 "bambang@tangerangkota.go.id",
                                                                 std::chrono::system_clock::now(), k_test_actor);
                if (!choice || !choice->identity)
                    ++failures;
                ++reads;
            }
        });
    auto writer = f.open_again();
    for (int i = 0; i < 100; ++i) {
        const auto status = i % 2 == 0 ? directory::CertificateStatus::revoked : directory::CertificateStatus::active;
        auto applied = writer->apply({"toggle", {{"x" + std::to_string(i) + "@tangerangkota.go.id", "X", "", "Unit", ""}},
                                      {{f.fingerprint_of("alice"), status, directory::RevocationReason::unspecified, {}}}},
                                     k_test_actor);
        REQUIRE(applied.has_value());
    }
    stop = true;
    for (auto& t : readers)
        t.join();
    CHECK(reads > 0);
    CHECK(failures == 0);
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

directory::SigningChoice choose_alice(directory::SqliteDirectory& store) {
    auto choice = store.choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                   std::chrono::system_clock::now(), k_test_actor);
    REQUIRE(choice.has_value());
    return std::move(choice).value();
}
} // namespace

TEST_CASE("a database file renamed over the open one is noticed on the next operation and reopened",
          "[directory][restore]") {
    DirectoryFixture f;
    f.import_user("alice");
    std::vector<std::string> reopened;
    directory::SqliteOptions options;
    options.master_key = f.master_key;
    options.on_reopen = [&](const std::string& why) { reopened.push_back(why); };
    auto live = directory::SqliteDirectory::open(f.database_path(), options);
    REQUIRE(live.has_value());
    REQUIRE(choose_alice(**live).identity.has_value());
    // A prepared copy in which the RA revoked alice, swapped in by rename.
    const std::string copy = copy_of(f.database_path(), (f.dir / "prepared.sqlite").string());
    {
        directory::SqliteOptions copy_options;
        copy_options.master_key = f.master_key;
        auto prepared = directory::SqliteDirectory::open(copy, copy_options);
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
    REQUIRE((*live)->record_reminder(f.fingerprint_of("alice"), 30, k_test_actor));
    auto other = f.open_again();
    CHECK(other->reminder_sent(f.fingerprint_of("alice"), 30).value());
    CHECK(other->verify_audit_log()->intact);
}

TEST_CASE("a database file moved away while open makes operations fail as unavailable", "[directory][restore]") {
    DirectoryFixture f;
    f.import_user("alice");
    REQUIRE(::rename(f.database_path().c_str(), (f.dir / "moved.sqlite").c_str()) == 0);
    auto choice = f.store->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                      std::chrono::system_clock::now(), k_test_actor);
    REQUIRE_FALSE(choice.has_value());
    CHECK(choice.error().kind == directory::ErrorKind::unavailable);
    CHECK_THAT(choice.error().detail, Catch::Contains("moved or deleted while in use"));
}
