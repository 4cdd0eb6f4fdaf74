// The narrow lookups beside the signing choice (issue 11), part of the
// directory contract suite: certificates to encrypt to, by address, and
// decryption keys by a CMS recipient identifier, whatever their status.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include "directory_fixture.hpp"

using namespace segel;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {
void revoke(DirectoryFixture& f, const std::string& user) {
    REQUIRE(f.store->apply({"test", {}, {{f.fingerprint_of(user), directory::CertificateStatus::revoked,
                                          directory::RevocationReason::key_compromise, std::nullopt}}},
                           k_test_actor));
}

} // namespace

TEST_CASE("encryption certificates: key usage for key transport or agreement decides, case-insensitive address",
          "[directory][lookup][encryption]") {
    DirectoryFixture f;
    for (const char* user : {"alice", "citra", "dewi", "hadi"})
        f.import_user(user);
    const auto citra = f.candidates_for("Citra@TangerangKota.go.id");
    REQUIRE(citra.size() == 1);
    CHECK(citra.front().usable);
    CHECK(citra.front().certificate.sha256_fingerprint_hex() == f.fingerprint_of("citra"));
    const auto hadi = f.candidates_for("hadi@tangerangkota.go.id"); // keyEncipherment only
    REQUIRE(hadi.size() == 1);
    CHECK(hadi.front().usable);
    const auto alice = f.candidates_for("alice@tangerangkota.go.id"); // BSrE's signing-only profile
    REQUIRE(alice.size() == 1);
    CHECK_FALSE(alice.front().usable);
    CHECK_THAT(alice.front().why_not, Catch::Contains("keyEncipherment"));
    const auto dewi = f.candidates_for("dewi@tangerangkota.go.id"); // EC without keyAgreement
    REQUIRE(dewi.size() == 1);
    CHECK_FALSE(dewi.front().usable);
    CHECK_THAT(dewi.front().why_not, Catch::Contains("keyAgreement"));
    CHECK(f.candidates_for("nobody@tangerangkota.go.id").empty());
}

TEST_CASE("encryption certificates: revoked and expired ones are listed as unusable, never used",
          "[directory][lookup][encryption]") {
    DirectoryFixture f;
    f.import_user("citra");
    f.import_user("eko");
    revoke(f, "citra");
    const auto citra = f.candidates_for("citra@tangerangkota.go.id");
    REQUIRE(citra.size() == 1);
    CHECK_FALSE(citra.front().usable);
    CHECK(citra.front().why_not == "revoked (key_compromise)");
    const auto eko = f.candidates_for("eko@tangerangkota.go.id");
    REQUIRE(eko.size() == 1);
    CHECK_FALSE(eko.front().usable);
    CHECK(eko.front().why_not == "expired");
}

TEST_CASE("decryption keys by issuer and serial, and by subject key identifier, audited",
          "[directory][lookup][decryption]") {
    DirectoryFixture f;
    f.import_user("citra");
    f.import_user("alice");
    const auto& cert = test::demo_identity("citra").certificate();
    auto by_issuer = f.store->decryption_keys({cert.issuer(), cert.serial_hex(), ""}, k_test_actor);
    REQUIRE(by_issuer.has_value());
    REQUIRE(by_issuer->size() == 1);
    CHECK(by_issuer->front().certificate.sha256_fingerprint_hex() == f.fingerprint_of("citra"));
    CHECK(EVP_PKEY_eq(by_issuer->front().key.get(), test::demo_identity("citra").shared_private_key().get()) == 1);
    REQUIRE_FALSE(cert.subject_key_identifier_hex().empty());
    auto by_ski = f.store->decryption_keys({"", "", cert.subject_key_identifier_hex()}, k_test_actor);
    REQUIRE(by_ski.has_value());
    REQUIRE(by_ski->size() == 1);
    CHECK(by_ski->front().record.fingerprint == f.fingerprint_of("citra"));
    CHECK(f.audit_count("decryption_key_access") == 2);
    // An identifier no key answers to: nothing, and nothing audited.
    auto none = f.store->decryption_keys({cert.issuer(), "DEADBEEF", ""}, k_test_actor);
    REQUIRE(none.has_value());
    CHECK(none->empty());
    CHECK(f.store->decryption_keys({"", "", "00ff"}, k_test_actor)->empty());
    CHECK(f.audit_count("decryption_key_access") == 2);
}

TEST_CASE("decryption keys include revoked, superseded and expired certificates: old mail still opens",
          "[directory][lookup][decryption]") {
    DirectoryFixture f;
    f.import_user("alice-old", directory::CertificateKind::individual, "alice@tangerangkota.go.id");
    f.import_user("alice"); // supersedes alice-old
    f.import_user("eko");
    revoke(f, "alice");
    for (const char* user : {"alice-old", "alice", "eko"}) {
        INFO(user);
        const auto& cert = test::demo_identity(user).certificate();
        auto keys = f.store->decryption_keys({cert.issuer(), cert.serial_hex(), ""}, k_test_actor);
        REQUIRE(keys.has_value());
        REQUIRE(keys->size() == 1);
        CHECK(keys->front().record.status_at(std::chrono::system_clock::now()) != directory::CertificateStatus::active);
    }
}

TEST_CASE("a certificate stored without its key is never a decryption key", "[directory][lookup][decryption]") {
    DirectoryFixture f;
    f.import_user("citra", directory::CertificateKind::individual, {}, false);
    const auto& cert = test::demo_identity("citra").certificate();
    auto keys = f.store->decryption_keys({cert.issuer(), cert.serial_hex(), ""}, k_test_actor);
    REQUIRE(keys.has_value());
    CHECK(keys->empty());
}

TEST_CASE("open_directory takes sqlite:PATH and a plain path, and names a backend Segel does not have",
          "[directory][factory]") {
    test::TempDir dir;
    directory::DirectoryOptions options;
    options.create = true;
    CHECK(directory::open_directory("sqlite:" + (dir / "a.sqlite").string(), options).has_value());
    CHECK(directory::open_directory((dir / "b.sqlite").string(), options).has_value());
    CHECK(directory::open_directory("sqlite::memory:", options).has_value());
    auto other = directory::open_directory("mysql://segel@localhost/segel", options);
    REQUIRE_FALSE(other.has_value());
    CHECK(other.error().kind == directory::ErrorKind::invalid_input);
    CHECK_THAT(other.error().detail, Catch::Contains("names a backend Segel does not have"));
}
