// `segel sync crl`: a checked, fresh CRL revokes with its reason code.
#include <catch2/catch.hpp>

#include "crl_builder.hpp"
#include "directory/crl_sync.hpp"
#include "directory_fixture.hpp"

using namespace segel;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {
smime::Certificate issuing_ca() { return smime::Certificate::load_pem_file(test::pki_file("issuing.pem").string())->front(); }

test::CrlSpec spec_revoking(const std::string& user, int reason) {
    test::CrlSpec spec;
    spec.revoked = {{test::demo_identity(user).certificate().serial_hex(), reason}, {"7FFFFFFF", 1}};
    spec.issuer_cert_pem = test::pki_file("issuing.pem").string();
    spec.signer_key_pem = test::pki_file("issuing.key.pem").string();
    return spec;
}

directory::Result<directory::CrlSyncPlan> plan(DirectoryFixture& f, const test::CrlSpec& spec) {
    const std::string path = (f.dir / "test.crl").string();
    test::write_crl(spec, path);
    auto crl = smime::Crl::load_file(path);
    REQUIRE(crl.has_value());
    return directory::plan_crl_sync(*f.store, *crl, issuing_ca(), std::chrono::system_clock::now(), {}, "test.crl");
}
} // namespace

TEST_CASE("a CRL revokes a directory certificate with its reason code, once", "[directory][crl]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    auto first = plan(f, spec_revoking("alice", 1));
    INFO((first ? std::string() : first.error().detail));
    REQUIRE(first.has_value());
    CHECK(first->entries == 2);
    CHECK(first->known == 1);
    REQUIRE(first->changes.statuses.size() == 1);
    CHECK(first->changes.statuses[0].reason == directory::RevocationReason::key_compromise);
    REQUIRE(f.store->apply(first->changes, k_test_actor));
    auto choice = f.store->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                      std::chrono::system_clock::now(), k_test_actor);
    CHECK(choice->refusal == directory::Refusal::revoked);
    CHECK(plan(f, spec_revoking("alice", 1))->empty());
    CHECK(f.store->choose_signing_certificate("bambang@tangerangkota.go.id", "bambang@tangerangkota.go.id",
                                              std::chrono::system_clock::now(), k_test_actor)
              ->identity.has_value());
}

TEST_CASE("a CRL entry without a reason code revokes as unspecified", "[directory][crl]") {
    DirectoryFixture f;
    f.import_user("alice");
    auto result = plan(f, spec_revoking("alice", -1));
    REQUIRE(result.has_value());
    CHECK(result->changes.statuses.at(0).reason == directory::RevocationReason::unspecified);
}

TEST_CASE("a CRL not signed by the configured issuer is refused (REV-01)", "[directory][crl]") {
    DirectoryFixture f;
    f.import_user("alice");
    auto spec = spec_revoking("alice", 1);
    spec.signer_key_pem = test::pki_file("root.key.pem").string();
    auto forged = plan(f, spec);
    REQUIRE_FALSE(forged.has_value());
    CHECK_THAT(forged.error().detail, Catch::Contains("signature does not verify"));
    spec = spec_revoking("alice", 1);
    spec.issuer_cert_pem = test::pki_file("root.pem").string();
    spec.signer_key_pem = test::pki_file("root.key.pem").string();
    auto other_issuer = plan(f, spec);
    REQUIRE_FALSE(other_issuer.has_value());
    CHECK_THAT(other_issuer.error().detail, Catch::Contains("is issued by"));
}

TEST_CASE("a stale CRL is refused", "[directory][crl]") {
    DirectoryFixture f;
    f.import_user("alice");
    auto spec = spec_revoking("alice", 1);
    spec.this_update = std::chrono::system_clock::now() - std::chrono::hours(24 * 10);
    spec.next_update = std::chrono::system_clock::now() - std::chrono::hours(24 * 3);
    auto stale = plan(f, spec);
    REQUIRE_FALSE(stale.has_value());
    CHECK_THAT(stale.error().detail, Catch::Contains("stale"));
    spec.next_update.reset();
    CHECK_THAT(plan(f, spec).error().detail, Catch::Contains("without nextUpdate"));
    spec = spec_revoking("alice", 1);
    spec.this_update = std::chrono::system_clock::now() + std::chrono::hours(2);
    CHECK_THAT(plan(f, spec).error().detail, Catch::Contains("in the future"));
}
