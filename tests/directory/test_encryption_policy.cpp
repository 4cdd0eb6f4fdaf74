// Encryption policy rules and the per-recipient plan (issue 12 items 2, 3
// and 6): inheritance global -> domain (wildcards) -> address, field by
// field; rules kept and audited in the directory (contract suite); the plan
// uses a certificate only when the directory and the path check both pass,
// names the reason otherwise, and chooses the algorithms.
#include <catch2/catch.hpp>

#include "directory/encryption_plan.hpp"
#include "directory_fixture.hpp"
#include "smime/recipient_path.hpp"

using namespace segel;
using directory::CertificateSource;
using directory::CipherChoice;
using directory::EncryptionMode;
using directory::KeyTransportChoice;
using directory::PolicyRule;
using directory::Treatment;
using directory::Unfit;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {

smime::Address address(const std::string& text) { return smime::Address::parse(text).value(); }

PolicyRule rule(const std::string& scope, std::optional<EncryptionMode> mode,
                std::optional<CipherChoice> cipher = std::nullopt,
                std::optional<KeyTransportChoice> transport = std::nullopt) {
    PolicyRule made;
    made.scope = scope;
    made.mode = mode;
    made.cipher = cipher;
    made.key_transport = transport;
    return made;
}

smime::Certificate pki_certificate(const std::string& file) {
    auto loaded = smime::Certificate::load_pem_file(test::pki_file(file).string());
    REQUIRE(loaded.has_value());
    return loaded->front();
}

smime::Certificate certificate_of(const std::string& user) { return pki_certificate(user + ".cert.pem"); }

// The demo root, with the issuing CA beside it (an anchors file holds the
// intermediates of recipients' certificates too).
smime::TrustStore demo_anchors() {
    auto anchors = smime::TrustStore::from_certificates({pki_certificate("root.pem"), pki_certificate("issuing.pem")});
    REQUIRE(anchors.has_value());
    return std::move(anchors).value();
}

// The plan of `recipient` now with the demo anchors.
directory::RecipientPlan plan_for(DirectoryFixture& f, const std::string& recipient, const smime::TrustStore& anchors,
                                  smime::RevocationCheck revocation = {}, bool raised = false) {
    directory::PlanInputs inputs;
    inputs.anchors = &anchors;
    inputs.revocation = std::move(revocation);
    inputs.floor = raised ? directory::EncryptionMode::required : directory::EncryptionMode::never;
    inputs.internal_recipient = address(recipient).domain().is_one_of({"tangerangkota.go.id"});
    inputs.now = std::chrono::system_clock::now();
    auto plan = directory::plan_recipient(*f.store, *f.store, address(recipient), inputs);
    REQUIRE(plan.has_value());
    return std::move(plan).value();
}

void import(DirectoryFixture& f, const std::string& user) {
    REQUIRE(f.store->import_correspondent(certificate_of(user), CertificateSource::operator_import, "", k_test_actor));
}

void set(DirectoryFixture& f, const PolicyRule& r) { REQUIRE(f.store->set_policy_rule(r, k_test_actor).has_value()); }

} // namespace

TEST_CASE("policy: each field is inherited on its own from address, domain, wildcard, global, defaults (ENC-03)",
          "[directory][policy]") {
    const std::vector<PolicyRule> rules = {
        rule("*", EncryptionMode::opportunistic),
        rule("*.example.org", EncryptionMode::required, CipherChoice::aes256_gcm),
        rule("*.sub.example.org", std::nullopt, CipherChoice::aes256_cbc),
        rule("example.org", EncryptionMode::never),
        rule("boss@a.sub.example.org", EncryptionMode::never, std::nullopt, KeyTransportChoice::rsa_oaep),
    };
    const auto global = directory::resolve_policy(rules, address("x@elsewhere.net"));
    CHECK(global.mode == EncryptionMode::opportunistic);
    CHECK(global.mode_from == "*");
    CHECK(global.cipher == CipherChoice::automatic);
    CHECK(global.cipher_from == "default");

    // The wildcard does not cover the domain itself.
    CHECK(directory::resolve_policy(rules, address("x@Example.ORG")).mode == EncryptionMode::never);
    const auto sub = directory::resolve_policy(rules, address("x@a.sub.example.org"));
    CHECK(sub.mode == EncryptionMode::required);
    CHECK(sub.mode_from == "*.example.org");
    CHECK(sub.cipher == CipherChoice::aes256_cbc); // the more specific wildcard
    CHECK(sub.cipher_from == "*.sub.example.org");

    const auto boss = directory::resolve_policy(rules, address("BOSS@a.sub.example.org"));
    CHECK(boss.mode == EncryptionMode::never);
    CHECK(boss.mode_from == "boss@a.sub.example.org");
    CHECK(boss.cipher == CipherChoice::aes256_cbc); // inherited from the wildcard
    CHECK(boss.key_transport == KeyTransportChoice::rsa_oaep);

    CHECK(directory::resolve_policy({}, address("x@y.example")).mode == EncryptionMode::never);
}

TEST_CASE("policy: scopes are normalised, a bad one is named", "[directory][policy]") {
    CHECK(directory::normalise_policy_scope("*").value() == "*");
    CHECK(directory::normalise_policy_scope("Example.ORG").value() == "example.org");
    CHECK(directory::normalise_policy_scope("*.Example.org").value() == "*.example.org");
    CHECK(directory::normalise_policy_scope("Someone@Example.org").value() == "someone@example.org");
    for (const char* bad : {"", "exa mple.org", "*.", "a@", "**.example.org"}) {
        auto refused = directory::normalise_policy_scope(bad);
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().kind == directory::ErrorKind::invalid_input);
        CHECK_THAT(refused.error().detail, Catch::Contains("policy scope"));
    }
}

TEST_CASE("policy: rules are kept, merged field by field, removed, and audited", "[directory][policy]") {
    DirectoryFixture f;
    set(f, rule("Mitra.Example", EncryptionMode::required));
    set(f, rule("mitra.example", std::nullopt, CipherChoice::aes256_gcm));
    auto other = f.open_again();
    auto rules = other->policy_rules();
    REQUIRE(rules.has_value());
    REQUIRE(rules->size() == 1);
    CHECK(rules->front().scope == "mitra.example");
    CHECK(rules->front().mode == EncryptionMode::required);
    CHECK(rules->front().cipher == CipherChoice::aes256_gcm);
    CHECK_FALSE(rules->front().key_transport.has_value());
    CHECK(rules->front().set_by == k_test_actor.name);
    CHECK(other->policy_for(address("x@mitra.example"))->mode == EncryptionMode::required);
    CHECK(f.audit_count("policy_set") == 2);

    auto empty = f.store->set_policy_rule(rule("*", std::nullopt), k_test_actor);
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().kind == directory::ErrorKind::invalid_input);

    REQUIRE(f.store->remove_policy_rule("MITRA.example", k_test_actor).has_value());
    CHECK(f.audit_count("policy_remove") == 1);
    CHECK(f.store->policy_rules()->empty());
    auto missing = f.store->remove_policy_rule("mitra.example", k_test_actor);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == directory::ErrorKind::not_found);
    CHECK(f.store->verify_audit_log()->intact);
}

TEST_CASE("plan: never sends clear, opportunistic encrypts to a usable certificate, required refuses without one",
          "[directory][policy][plan]") {
    DirectoryFixture f;
    const auto anchors = demo_anchors();
    import(f, "mitra");
    CHECK(plan_for(f, "mitra@mitra.example", anchors).treatment == Treatment::clear); // default: never

    set(f, rule("*", EncryptionMode::opportunistic));
    const auto mitra = plan_for(f, "mitra@mitra.example", anchors);
    CHECK(mitra.treatment == Treatment::encrypt);
    REQUIRE(mitra.certificates.size() == 1);
    CHECK(mitra.certificates.front().source == CertificateSource::operator_import);

    const auto nobody = plan_for(f, "nobody@example.net", anchors);
    CHECK(nobody.treatment == Treatment::clear);
    CHECK(nobody.unfit == Unfit::none);

    set(f, rule("example.net", EncryptionMode::required));
    const auto refused = plan_for(f, "nobody@example.net", anchors);
    CHECK(refused.treatment == Treatment::refuse);
    CHECK_THAT(refused.reason, Catch::Contains("no certificate is known for nobody@example.net"));

    // The trigger raises opportunistic and never to required, never lowers.
    set(f, rule("*", EncryptionMode::never));
    CHECK(plan_for(f, "someone@elsewhere.example", anchors, {}, true).treatment == Treatment::refuse);
    CHECK(plan_for(f, "mitra@mitra.example", anchors, {}, true).treatment == Treatment::encrypt);

    // Internal recipients are delivered here: never encrypted.
    REQUIRE(f.import_user("alice-enc").inserted);
    const auto alice = plan_for(f, "alice@tangerangkota.go.id", anchors, {}, true);
    CHECK(alice.treatment == Treatment::clear);
    CHECK(alice.internal_recipient);
}

TEST_CASE("plan: expired, wrong key usage, untrusted, revoked and other addresses' certificates are refused with their "
          "reason (ENC-02)",
          "[directory][policy][plan]") {
    DirectoryFixture f;
    const auto anchors = demo_anchors();
    set(f, rule("*", EncryptionMode::required));
    import(f, "mitra-old");
    import(f, "luar");
    import(f, "asing");

    const auto expired = plan_for(f, "mitra@mitra.example", anchors);
    CHECK(expired.treatment == Treatment::refuse);
    CHECK(expired.unfit == Unfit::expired);
    const auto signing_only = plan_for(f, "luar@example.com", anchors);
    CHECK(signing_only.treatment == Treatment::refuse);
    CHECK(signing_only.unfit == Unfit::key_usage);
    const auto untrusted = plan_for(f, "asing@example.net", anchors);
    CHECK(untrusted.treatment == Treatment::refuse);
    CHECK(untrusted.unfit == Unfit::untrusted);
    CHECK_THAT(untrusted.reason, Catch::Contains("does not chain to a trust anchor"));

    import(f, "mitra");
    const auto revoked_serial = certificate_of("mitra").serial_hex();
    const auto revoking = [&](const smime::Certificate& subject, const smime::Certificate&) {
        return subject.serial_hex() == revoked_serial
                   ? smime::RevocationAnswer{smime::RevocationAnswer::Status::revoked, "CRL: key_compromise"}
                   : smime::RevocationAnswer{smime::RevocationAnswer::Status::good, ""};
    };
    const auto revoked = plan_for(f, "mitra@mitra.example", anchors, revoking);
    CHECK(revoked.treatment == Treatment::refuse);
    CHECK(revoked.unfit == Unfit::revoked);
    CHECK_THAT(revoked.reason, Catch::Contains("key_compromise"));

    // A certificate is used only for an address it carries (SAN rfc822Name or emailAddress).
    const auto other = plan_for(f, "other@mitra.example", anchors);
    CHECK(other.treatment == Treatment::refuse);
    CHECK(other.certificates.empty());
    CHECK(other.unusable.empty());

    const auto unknown = [](const smime::Certificate&, const smime::Certificate&) {
        return smime::RevocationAnswer{smime::RevocationAnswer::Status::unknown, "no fresh CRL"};
    };
    const auto later = plan_for(f, "mitra@mitra.example", anchors, unknown);
    CHECK(later.treatment == Treatment::retry);
    CHECK(later.unfit == Unfit::revocation_unknown);
}

TEST_CASE("plan: a renewal overlap encrypts to both certificates, the expired one left out", "[directory][policy][plan]") {
    DirectoryFixture f;
    const auto anchors = demo_anchors();
    set(f, rule("mitra.example", EncryptionMode::opportunistic));
    for (const char* user : {"mitra-old", "mitra", "mitra-renewed"})
        import(f, user);
    const auto plan = plan_for(f, "mitra@mitra.example", anchors);
    CHECK(plan.treatment == Treatment::encrypt);
    CHECK(plan.certificates.size() == 2);
    REQUIRE(plan.unusable.size() == 1);
    CHECK(plan.unusable.front().unfit == Unfit::expired);
}

TEST_CASE("plan: algorithms are CBC and PKCS#1 v1.5 by default, GCM and OAEP when advertised (RFC 4262, last "
          "signature) or set",
          "[directory][policy][plan]") {
    DirectoryFixture f;
    const auto anchors = demo_anchors();
    set(f, rule("*", EncryptionMode::opportunistic));
    import(f, "mitra");
    import(f, "sahabat");
    const auto plain = directory::choose_algorithms(plan_for(f, "mitra@mitra.example", anchors));
    CHECK(plain.cipher == smime::ContentCipher::aes256_cbc);
    CHECK(plain.rsa_transport == smime::RsaKeyTransport::pkcs1_v1_5);
    const auto advertised = directory::choose_algorithms(plan_for(f, "sahabat@example.net", anchors));
    CHECK(advertised.cipher == smime::ContentCipher::aes256_gcm);
    CHECK(advertised.rsa_transport == smime::RsaKeyTransport::oaep_sha256);
    CHECK_THAT(advertised.why, Catch::Contains("advertised"));

    // What mitra's last verified signature advertised counts like the extension.
    REQUIRE(f.store->remember_capabilities(address("mitra@mitra.example"), {true, true}, std::chrono::system_clock::now()));
    const auto remembered = directory::choose_algorithms(plan_for(f, "mitra@mitra.example", anchors));
    CHECK(remembered.cipher == smime::ContentCipher::aes256_gcm);
    CHECK(remembered.rsa_transport == smime::RsaKeyTransport::oaep_sha256);
    REQUIRE(f.store->remember_capabilities(address("mitra@mitra.example"), {false, false}, std::chrono::system_clock::now()));
    CHECK(directory::choose_algorithms(plan_for(f, "mitra@mitra.example", anchors)).cipher ==
          smime::ContentCipher::aes256_cbc); // the last one replaces the earlier

    set(f, rule("mitra.example", std::nullopt, CipherChoice::aes256_gcm, KeyTransportChoice::rsa_oaep));
    set(f, rule("example.net", std::nullopt, CipherChoice::aes256_cbc, KeyTransportChoice::rsa_pkcs1));
    const auto configured = directory::choose_algorithms(plan_for(f, "mitra@mitra.example", anchors));
    CHECK(configured.cipher == smime::ContentCipher::aes256_gcm);
    CHECK(configured.rsa_transport == smime::RsaKeyTransport::oaep_sha256);
    const auto held_back = directory::choose_algorithms(plan_for(f, "sahabat@example.net", anchors));
    CHECK(held_back.cipher == smime::ContentCipher::aes256_cbc);
    CHECK(held_back.rsa_transport == smime::RsaKeyTransport::pkcs1_v1_5);
}
