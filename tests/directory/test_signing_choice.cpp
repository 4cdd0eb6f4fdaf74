// Choosing the one certificate that may sign for (login, From) now.
#include <catch2/catch.hpp>

#include "directory_fixture.hpp"
#include "external_verifiers.hpp"

using namespace segel;
using directory::Refusal;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {
const std::string k_alice = "alice@tangerangkota.go.id";
directory::TimePoint now() { return std::chrono::system_clock::now(); }

directory::SigningChoice choose(directory::CertificateDirectory& store, const std::string& login,
                                const std::string& from, directory::TimePoint at = now()) {
    auto choice = store.choose_signing_certificate(login, from, at, k_test_actor);
    INFO((choice ? std::string() : choice.error().detail));
    REQUIRE(choice.has_value());
    return std::move(choice).value();
}
} // namespace

TEST_CASE("the owner's login gets the owner's certificate, and it signs a verifiable message", "[directory][choice]") {
    DirectoryFixture f;
    f.import_user("alice");
    auto choice = choose(*f.store, k_alice, k_alice);
    REQUIRE(choice.identity.has_value());
    CHECK(choice.certificate->fingerprint == f.fingerprint_of("alice"));
    // The chain comes from the stored issuing CA (CH-12).
    CHECK(choice.identity->chain().size() == 1);
    const std::string signed_message = test::sign_to_text(
        test::crlf("From: " + k_alice + "\nSubject: dari direktori\n\nIsi.\n"), *choice.identity);
    CHECK(test::verify_with_openssl(signed_message, k_alice).good);
}

TEST_CASE("logins and addresses match case-insensitively", "[directory][choice]") {
    DirectoryFixture f;
    f.import_user("alice");
    CHECK(choose(*f.store, "Alice@TangerangKota.go.id", "ALICE@tangerangkota.go.id").identity.has_value());
}

TEST_CASE("another login may not sign as the owner (not_authorised)", "[directory][choice]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    auto choice = choose(*f.store, "bambang@tangerangkota.go.id", k_alice);
    CHECK_FALSE(choice.identity.has_value());
    CHECK(choice.refusal == Refusal::not_authorised);
}

TEST_CASE("an address without a certificate gets no_certificate", "[directory][choice]") {
    DirectoryFixture f;
    f.import_user("alice");
    CHECK(choose(*f.store, "x@tangerangkota.go.id", "x@tangerangkota.go.id").refusal == Refusal::no_certificate);
}

TEST_CASE("every revocation reason blocks signing, from the next call on (REV-03)", "[directory][choice][revocation]") {
    using directory::RevocationReason;
    const auto reason = GENERATE(RevocationReason::unspecified, RevocationReason::key_compromise,
                                 RevocationReason::affiliation_changed, RevocationReason::superseded,
                                 RevocationReason::cessation, RevocationReason::certificate_hold,
                                 RevocationReason::privilege_withdrawn);
    DirectoryFixture f;
    f.import_user("alice");
    REQUIRE(choose(*f.store, k_alice, k_alice).identity.has_value());
    // Revoked through another connection, as `segel directory revoke` would.
    auto admin = f.open_again();
    directory::ChangeSet changes{"test revoke", {}, {{f.fingerprint_of("alice"), directory::CertificateStatus::revoked, reason, now()}}};
    REQUIRE(admin->apply(changes, k_test_actor).has_value());
    auto choice = choose(*f.store, k_alice, k_alice);
    CHECK_FALSE(choice.identity.has_value());
    CHECK(choice.refusal == Refusal::revoked);
    CHECK_THAT(choice.detail, Catch::Contains(std::string(directory::to_string(reason))));
}

TEST_CASE("a revocation effective later blocks only from then on", "[directory][choice][revocation]") {
    DirectoryFixture f;
    f.import_user("alice");
    const auto tomorrow = now() + std::chrono::hours(24);
    REQUIRE(f.store->apply({"test", {}, {{f.fingerprint_of("alice"), directory::CertificateStatus::revoked,
                                          directory::RevocationReason::affiliation_changed, tomorrow}}},
                           k_test_actor));
    CHECK(choose(*f.store, k_alice, k_alice).identity.has_value());
    CHECK(choose(*f.store, k_alice, k_alice, tomorrow + std::chrono::minutes(1)).refusal == Refusal::revoked);
}

TEST_CASE("a renewal supersedes the older certificate and the newest issuance signs", "[directory][choice][renewal]") {
    DirectoryFixture f;
    f.import_user("alice-old", directory::CertificateKind::individual, k_alice);
    REQUIRE(choose(*f.store, k_alice, k_alice).certificate->fingerprint == f.fingerprint_of("alice-old"));
    const auto outcome = f.import_user("alice");
    CHECK(outcome.superseded == std::vector<std::string>{f.fingerprint_of("alice-old")});
    auto choice = choose(*f.store, k_alice, k_alice);
    REQUIRE(choice.identity.has_value());
    CHECK(choice.certificate->fingerprint == f.fingerprint_of("alice"));
    auto old = f.store->get_certificate(f.fingerprint_of("alice-old"));
    REQUIRE(old.has_value());
    CHECK(old->status == directory::CertificateStatus::superseded);
    // With the new one revoked, the superseded one does not come back.
    REQUIRE(f.store->apply({"test", {}, {{f.fingerprint_of("alice"), directory::CertificateStatus::revoked,
                                          directory::RevocationReason::key_compromise, now()}}},
                           k_test_actor));
    CHECK(choose(*f.store, k_alice, k_alice).refusal == Refusal::revoked);
}

TEST_CASE("a certificate imported after its renewal is stored as superseded", "[directory][choice][renewal]") {
    DirectoryFixture f;
    f.import_user("alice");
    const auto outcome = f.import_user("alice-old", directory::CertificateKind::individual, k_alice);
    CHECK(outcome.superseded == std::vector<std::string>{f.fingerprint_of("alice-old")});
    CHECK(f.store->get_certificate(f.fingerprint_of("alice-old"))->status == directory::CertificateStatus::superseded);
    CHECK(choose(*f.store, k_alice, k_alice).certificate->fingerprint == f.fingerprint_of("alice"));
}

TEST_CASE("expired certificates cannot sign, by date or by RA record", "[directory][choice]") {
    DirectoryFixture f;
    f.import_user("eko");
    CHECK(choose(*f.store, "eko@tangerangkota.go.id", "eko@tangerangkota.go.id").refusal == Refusal::expired);
    f.import_user("alice");
    REQUIRE(f.store->apply({"test", {}, {{f.fingerprint_of("alice"), directory::CertificateStatus::expired, {}, now()}}},
                           k_test_actor));
    CHECK(choose(*f.store, k_alice, k_alice).refusal == Refusal::expired);
}

TEST_CASE("not yet valid, unfit key usage or EKU, and missing keys are explained", "[directory][choice]") {
    DirectoryFixture f;
    f.import_user("fajar");
    CHECK(choose(*f.store, "fajar@tangerangkota.go.id", "fajar@tangerangkota.go.id").refusal == Refusal::not_yet_valid);
    f.import_user("hadi");
    CHECK(choose(*f.store, "hadi@tangerangkota.go.id", "hadi@tangerangkota.go.id").refusal == Refusal::unusable);
    f.import_user("gita");
    CHECK(choose(*f.store, "gita@tangerangkota.go.id", "gita@tangerangkota.go.id").refusal == Refusal::unusable);
    f.import_user("bambang", directory::CertificateKind::individual, {}, /*with_key=*/false);
    CHECK(choose(*f.store, "bambang@tangerangkota.go.id", "bambang@tangerangkota.go.id").refusal ==
          Refusal::no_private_key);
}

TEST_CASE("a position certificate signs only for the logins it lists (Cianjur art. 7)", "[directory][choice]") {
    DirectoryFixture f;
    // bambang's certificate as the Sekretariat's position certificate, held by alice.
    f.import_user("bambang", directory::CertificateKind::position, k_alice);
    const std::string address = "bambang@tangerangkota.go.id";
    CHECK(choose(*f.store, address, address).refusal == Refusal::not_authorised);
    CHECK(choose(*f.store, k_alice, address).refusal == Refusal::not_authorised);
    REQUIRE(f.store->authorise(f.fingerprint_of("bambang").substr(0, 12), "sekda", k_test_actor));
    CHECK(choose(*f.store, "sekda", address).identity.has_value());
    REQUIRE(f.store->unauthorise(f.fingerprint_of("bambang"), "sekda", k_test_actor));
    CHECK(choose(*f.store, "sekda", address).refusal == Refusal::not_authorised);
}

TEST_CASE("every key access for signing is in the audit log", "[directory][choice][audit]") {
    DirectoryFixture f;
    f.import_user("alice");
    choose(*f.store, k_alice, k_alice);
    auto entries = f.store->audit_entries();
    REQUIRE(entries.has_value());
    REQUIRE(entries->back().action == "key_access");
    CHECK_THAT(entries->back().detail, Catch::Contains("login=" + k_alice));
}
