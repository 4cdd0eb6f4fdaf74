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
    auto crl = smime::Crl::load_all(path);
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
    CHECK_THAT(other_issuer.error().detail, Catch::Contains("no CRL issued by CN=Demo BSrE CA DS G1"));
}

TEST_CASE("every CRL of a PEM file is applied, another CA's CRL in it skipped, a certificate in it refused",
          "[directory][crl]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    const auto write = [&](const test::CrlSpec& spec, const std::string& name) {
        test::write_crl(spec, (f.dir / name).string());
        return test::read_file(f.dir / name);
    };
    auto root_crl = spec_revoking("alice", 1);
    root_crl.issuer_cert_pem = test::pki_file("root.pem").string();
    root_crl.signer_key_pem = test::pki_file("root.key.pem").string();
    const std::string bundle = write(root_crl, "root.crl") + write(spec_revoking("alice", 1), "a.crl") +
                               write(spec_revoking("bambang", 3), "b.crl");
    test::write_file(f.dir / "bundle.pem", bundle);
    auto crls = smime::Crl::load_all((f.dir / "bundle.pem").string());
    REQUIRE(crls.has_value());
    CHECK(crls->size() == 3);
    auto planned = directory::plan_crl_sync(*f.store, *crls, issuing_ca(), std::chrono::system_clock::now(), {}, "bundle.pem");
    REQUIRE(planned.has_value());
    CHECK(planned->changes.statuses.size() == 2); // alice once, though on two CRLs, and bambang
    REQUIRE(planned->skipped.size() == 1);
    CHECK_THAT(planned->skipped.front(), Catch::Contains("bundle.pem (CRL 1)") && Catch::Contains("Demo Root CA Indonesia"));

    test::write_file(f.dir / "mixed.pem", bundle + test::read_file(test::pki_file("alice.cert.pem")));
    auto mixed = smime::Crl::load_all((f.dir / "mixed.pem").string());
    REQUIRE_FALSE(mixed.has_value());
    CHECK_THAT(mixed.error().detail, Catch::Contains("PEM block 4 is a CERTIFICATE, not a CRL"));
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
