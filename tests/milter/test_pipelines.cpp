// The outbound and inbound pipelines and the reply table, driven through a
// fake MTA (no libmilter): who gets signed, what each outcome answers, and
// the order and shape of the edits (PF-07, PF-08, PF-09).
#include <catch2/catch.hpp>

#include <algorithm>


#include "crl_builder.hpp"
#include "directory/directory_service.hpp"
#include "external_verifiers.hpp"
#include "http_test_server.hpp"
#include "milter/header_line.hpp"
#include "milter/revocation_sources.hpp"
#include "ocsp_responder.hpp"
#include "milter/message_rewrite.hpp"
#include "milter/pipelines.hpp"
#include "smime/signer.hpp"
#include "test_support.hpp"

using namespace segel;
using milter::InboundOutcome;
using milter::OutboundOutcome;
using milter::Verdict;

#include "pipeline_fixture.hpp"

using test::FakeMta;
using test::ServiceFixture;
using test::facts;
using test::k_alice;
using test::mail;
using test::run;
using test::spool_shared;


TEST_CASE("an authenticated owner is signed: header edits first, then one contiguous body run (PF-07, PF-08)",
          "[milter]") {
    ServiceFixture f;
    FakeMta mta;
    const std::string text = mail(k_alice);
    auto spooled = spool_shared(text);
    const auto result = f.service().outbound().finish(facts("Q1", k_alice, k_alice), smime::MimeEntity(spooled), mta);
    CHECK(result.outcome == OutboundOutcome::signed_message);
    CHECK(result.verdict == Verdict::accept);
    REQUIRE_FALSE(mta.edits.empty());
    bool body_started = false;
    for (const auto& e : mta.edits) {
        if (e.kind == "body")
            body_started = true;
        else
            CHECK_FALSE(body_started); // no header edit after the body began
    }
    // Both Content-* fields go, highest index first; then Content-Type comes.
    CHECK(mta.edits[0].kind == "delete");
    CHECK_THAT(mta.rebuild(*spooled), Catch::Contains("Content-Type: multipart/signed"));
    CHECK(test::verify_with_openssl(mta.rebuild(*spooled), k_alice).good);
    // The signing is in the audit log.
    CHECK(f.store->audit_entries()->back().action == "sign");
}

TEST_CASE("who is not signed, and what each refusal answers with the default policy", "[milter][policy]") {
    ServiceFixture f;
    const auto service = f.service();
    struct Case {
        const char* name;
        std::string login, text, sender;
        OutboundOutcome outcome;
        Verdict verdict;
        const char* reply;
    };
    const std::vector<Case> cases = {
        {"bounce", k_alice, mail(k_alice), "", OutboundOutcome::not_ours, Verdict::accept, ""},
        {"external From", k_alice, mail("x@example.org"), k_alice, OutboundOutcome::not_ours, Verdict::accept, ""},
        {"no AUTH", "", mail(k_alice), k_alice, OutboundOutcome::unauthenticated_internal_from, Verdict::accept, ""},
        {"other login", "bambang@tangerangkota.go.id", mail(k_alice), k_alice, OutboundOutcome::not_authorised,
         Verdict::reject, "550 5.7.1"},
        {"no certificate", "c@tangerangkota.go.id", mail("c@tangerangkota.go.id"), k_alice, OutboundOutcome::no_certificate,
         Verdict::reject, "550 5.7.1 No electronic certificate"},
        {"expired", "eko@tangerangkota.go.id", mail("eko@tangerangkota.go.id"), k_alice, OutboundOutcome::certificate_unusable,
         Verdict::reject, "550 5.7.1 The sender's electronic certificate"},
        {"two From", k_alice, mail(k_alice, "From: " + k_alice + "\n"), k_alice, OutboundOutcome::unsignable_message,
         Verdict::reject, "550 5.7.1 This message cannot be signed"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        FakeMta mta;
        const auto result = run(service, c.login, c.text, mta, c.sender);
        CHECK(result.outcome == c.outcome);
        CHECK(result.verdict == c.verdict);
        if (c.verdict == Verdict::accept)
            CHECK(mta.reply.empty()); // an accepted message sets no reply at all
        else
            CHECK_THAT(mta.reply, Catch::StartsWith(c.reply) && !Catch::Equals(""));
        if (c.verdict != Verdict::accept || c.outcome != OutboundOutcome::signed_message)
            CHECK(mta.body.empty()); // nothing signed, nothing half-applied
    }
}

TEST_CASE("each failure action is applied as configured", "[milter][policy]") {
    ServiceFixture f;
    SECTION("pass adds the explaining header") {
        f.settings->policy.no_certificate = config::FailureAction::pass;
        FakeMta mta;
        const auto result = run(f.service(), "c@tangerangkota.go.id", mail("c@tangerangkota.go.id"), mta);
        CHECK(result.verdict == Verdict::accept);
        REQUIRE(mta.edits.size() == 1);
        CHECK(mta.edits[0].name == "X-Segel-Unsigned");
        CHECK(mta.edits[0].value == "no_certificate");
    }
    SECTION("tempfail answers 451 4.7.0") {
        f.settings->policy.not_authorised = config::FailureAction::tempfail;
        FakeMta mta;
        const auto result = run(f.service(), "bambang@tangerangkota.go.id", mail(k_alice), mta);
        CHECK(result.verdict == Verdict::tempfail);
        CHECK_THAT(mta.reply, Catch::StartsWith("451 4.7.0"));
    }
    SECTION("reject for unauthenticated internal From") {
        f.settings->policy.unauthenticated_internal_from = config::FailureAction::reject;
        FakeMta mta;
        const auto result = run(f.service(), "", mail(k_alice), mta);
        CHECK(result.verdict == Verdict::reject);
        CHECK_THAT(mta.reply, Catch::Contains("must be sent with authentication"));
    }
}

TEST_CASE("PF-09: a signed message over the size limit is refused before any edit", "[milter]") {
    ServiceFixture f;
    f.settings->milter.max_message_bytes = 2000;
    FakeMta mta;
    const auto result = run(f.service(), k_alice, mail(k_alice), mta);
    CHECK(result.outcome == OutboundOutcome::unsignable_message);
    CHECK_THAT(result.reason, Catch::Contains("exceed the size limit"));
    CHECK(mta.edits.empty());
}

TEST_CASE("an MTA that refuses an edit gives a tempfail, never a half-signed message", "[milter]") {
    ServiceFixture f;
    FakeMta mta;
    mta.refuse_body = true;
    const auto result = run(f.service(), k_alice, mail(k_alice), mta);
    CHECK(result.outcome == OutboundOutcome::internal_error);
    CHECK(result.verdict == Verdict::tempfail);
    CHECK_THAT(mta.reply, Catch::StartsWith("451 4.7.0"));
}

TEST_CASE("a directory without its master key tempfails (internal_error)", "[milter]") {
    ServiceFixture f;
    // A directory without its master key cannot open keys.
    directory::DirectoryOptions options;
    auto keyless = std::shared_ptr<directory::DirectoryService>(
        std::move(directory::open_directory((f.dir / "d.sqlite").string(), options)).value());
    milter::Pipelines service(f.settings, keyless);
    FakeMta mta;
    const auto result = run(service, k_alice, mail(k_alice), mta);
    CHECK(result.verdict == Verdict::tempfail);
    CHECK(result.outcome == OutboundOutcome::internal_error);
}

TEST_CASE("signing.footer adds the art. 14 note before signing", "[milter]") {
    ServiceFixture f;
    f.settings->signing.footer = true;
    FakeMta mta;
    const std::string text = mail(k_alice);
    auto spooled = spool_shared(text);
    const auto result = f.service().outbound().finish(facts("Q1", k_alice, k_alice), smime::MimeEntity(spooled), mta);
    REQUIRE(result.outcome == OutboundOutcome::signed_message);
    CHECK_THAT(mta.body, Catch::Contains("tersertifikasi oleh BSrE"));
    CHECK(test::verify_with_openssl(mta.rebuild(*spooled), k_alice).good);
}

namespace {
std::shared_ptr<config::MilterSettings> inbound_settings(ServiceFixture& f) {
    f.settings->verify.enabled = true;
    f.settings->verify.anchors = test::pki_file("root.pem").string();
    return f.settings;
}

milter::Pipelines inbound_service(ServiceFixture& f) {
    auto settings = inbound_settings(f);
    auto anchors = smime::TrustStore::load_pem_file(settings->verify.anchors);
    REQUIRE(anchors.has_value());
    return milter::Pipelines(settings, f.store, std::move(anchors).value());
}

milter::InboundResult run_inbound(const milter::Pipelines& service, const std::string& text, FakeMta& mta) {
    auto spooled = spool_shared(text);
    REQUIRE(spooled != nullptr);
    return service.inbound().finish(facts("Q2", "", "someone@example.org"), smime::MimeEntity(spooled), mta);
}

std::string signed_inbound(const std::string& extra_headers = "") {
    return extra_headers +
           test::sign_to_text(test::crlf("From: " + k_alice + "\nTo: warga@example.com\nSubject: masuk\n\nIsi surat.\n"),
                              test::demo_identity("alice"));
}
} // namespace

TEST_CASE("inbound: an external sender's passing signature is remembered for encrypted replies (RFC 8551 2.5.2)",
          "[milter][inbound][encryption]") {
    ServiceFixture f;
    const auto service = inbound_service(f);
    const smime::Address luar = smime::Address::parse("luar@example.com").value();
    CHECK_FALSE(f.store->remembered_capabilities(luar)->has_value());
    FakeMta mta;
    // Segel's own signatures advertise AES-256-GCM and RSA-OAEP (SHA-256).
    const auto signed_by_luar = test::sign_to_text(
        test::crlf("From: luar@example.com\nTo: alice@tangerangkota.go.id\nSubject: balas\n\nIsi.\n"),
        test::demo_identity("luar"));
    REQUIRE(run_inbound(service, signed_by_luar, mta).outcome == InboundOutcome::verified);
    const auto remembered = f.store->remembered_capabilities(luar);
    REQUIRE(remembered.has_value());
    REQUIRE(remembered->has_value());
    CHECK((*remembered)->aes256_gcm);
    CHECK((*remembered)->rsa_oaep_sha256);
    // An internal sender's signature is not remembered (never encrypted to).
    FakeMta internal;
    REQUIRE(run_inbound(service, signed_inbound(), internal).outcome == InboundOutcome::verified);
    CHECK_FALSE(f.store->remembered_capabilities(smime::Address::parse(k_alice).value())->has_value());
}

TEST_CASE("inbound: a passing signature teaches the sender's certificate and the one its key preference names, "
          "pending when its anchor is for review, and an untrusted one teaches nothing (issue 13 item 8)",
          "[milter][inbound][harvest]") {
    ServiceFixture f;
    const auto text = test::crlf("From: Mitra <mitra@mitra.example>\nTo: alice@tangerangkota.go.id\nSubject: balas\n\nIsi.\n");
    smime::SignOptions options;
    options.encryption_certificate = test::demo_identity("mitra-renewed").certificate();
    const std::string signed_by_mitra = test::sign_to_text(text, test::demo_identity("mitra"), test::Chunking::whole, options);
    {
        FakeMta mta;
        REQUIRE(run_inbound(inbound_service(f), signed_by_mitra, mta).outcome == InboundOutcome::verified);
    }
    const auto learned = f.store->find_correspondents("mitra.example");
    REQUIRE(learned.has_value());
    std::vector<std::string> serials;
    for (const auto& record : *learned) {
        CHECK(record.source == directory::CertificateSource::harvested);
        CHECK_FALSE(record.pending);
        serials.push_back(record.serial);
    }
    std::sort(serials.begin(), serials.end());
    std::vector<std::string> expected = {test::demo_identity("mitra").certificate().serial_hex(),
                                         test::demo_identity("mitra-renewed").certificate().serial_hex()};
    std::sort(expected.begin(), expected.end());
    CHECK(serials == expected);

    // The same chain ending at an anchor marked for review: stored, not used.
    ServiceFixture review;
    review.settings->harvest.review_anchors = test::pki_file("root.pem").string();
    {
        FakeMta mta;
        REQUIRE(run_inbound(inbound_service(review), signed_by_mitra, mta).outcome == InboundOutcome::verified);
    }
    const auto waiting = review.store->find_correspondents("mitra.example");
    REQUIRE(waiting->size() == 2);
    CHECK(waiting->front().pending);

    // A signature that does not pass (a self-signed forger) teaches nothing.
    ServiceFixture untrusted;
    {
        FakeMta mta;
        const auto by_asing =
            test::crlf("From: asing@example.net\nTo: alice@tangerangkota.go.id\nSubject: x\n") +
            test::openssl_opaque_signed(test::crlf("Content-Type: text/plain\n\nIsi.\n"),
                                        {test::pki_file("asing.cert.pem").string() + ":" +
                                         test::pki_file("asing.key.pem").string()});
        CHECK(run_inbound(inbound_service(untrusted), by_asing, mta).outcome == InboundOutcome::verified);
    }
    CHECK(untrusted.store->find_correspondents("")->empty());
}

namespace {
// A certs-only part (RFC 8551 3.6) carrying `user`'s certificate, by the OpenSSL CLI.
std::string certs_only_part(const std::string& user) {
    test::TempDir dir;
    const auto made = test::run_process({"openssl", "crl2pkcs7", "-nocrl", "-certfile",
                                         test::pki_file(user + ".cert.pem").string(), "-outform", "DER", "-out",
                                         (dir / "certs.p7c").string()});
    REQUIRE(made.exit_code == 0);
    const auto b64 = test::run_process({"openssl", "base64", "-in", (dir / "certs.p7c").string()});
    return "Content-Type: application/pkcs7-mime; smime-type=certs-only; name=\"smime.p7c\"\n"
           "Content-Transfer-Encoding: base64\n\n" + b64.out;
}

std::string mixed_with_certs_only(const std::string& from, const std::string& user) {
    return "From: " + from + "\nTo: alice@tangerangkota.go.id\nSubject: sertifikat\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"c\"\n\n--c\nContent-Type: text/plain\n\nSertifikat saya.\n--c\n" +
           certs_only_part(user) + "--c--\n";
}
} // namespace

TEST_CASE("inbound: certs-only parts are taken only inside a passing signature of the same address (issue 13 item 8)",
          "[milter][inbound][harvest]") {
    ServiceFixture f;
    const auto service = inbound_service(f);
    const std::string renewed_serial = test::demo_identity("mitra-renewed").certificate().serial_hex();
    // Unsigned: nothing taken.
    {
        FakeMta mta;
        run_inbound(service, test::crlf(mixed_with_certs_only("mitra@mitra.example", "mitra-renewed")), mta);
    }
    CHECK(f.store->find_correspondents("")->empty());
    // Signed by mitra: mitra's certificate and the renewed one carried inside.
    {
        FakeMta mta;
        const auto signed_message = test::sign_to_text(test::crlf(mixed_with_certs_only("mitra@mitra.example", "mitra-renewed")),
                                                       test::demo_identity("mitra"));
        REQUIRE(run_inbound(service, signed_message, mta).outcome == InboundOutcome::verified);
    }
    const auto learned = f.store->find_correspondents("mitra.example");
    REQUIRE(learned.has_value());
    CHECK(std::any_of(learned->begin(), learned->end(), [&](const auto& r) { return r.serial == renewed_serial; }));
    // Carried by a signer of another address: not taken for it.
    {
        FakeMta mta;
        const auto by_luar = test::sign_to_text(test::crlf(mixed_with_certs_only("luar@example.com", "rekan")),
                                                test::demo_identity("luar"));
        REQUIRE(run_inbound(service, by_luar, mta).outcome == InboundOutcome::verified);
    }
    CHECK(f.store->find_correspondents("rekan")->empty());
}

TEST_CASE("inbound: a valid signature is stamped pass, forged copies of our fields are removed (AR-04, AR-06)",
          "[milter][inbound]") {
    ServiceFixture f;
    const auto service = inbound_service(f);
    FakeMta mta;
    const std::string message =
        signed_inbound("Authentication-Results: tangerangkota.go.id; smime=pass (forged)\r\n"
                       "Authentication-Results: mx.example.org; dkim=pass\r\n"
                       "X-Segel-Verifikasi: Tanda tangan sah (palsu)\r\n");
    const auto result = run_inbound(service, message, mta);
    CHECK(result.outcome == InboundOutcome::verified);
    CHECK(result.verdict == Verdict::accept);
    std::vector<std::string> kinds;
    for (const auto& e : mta.edits)
        kinds.push_back(e.kind + ":" + e.name + ":" + std::to_string(e.index));
    CHECK(kinds == std::vector<std::string>{"delete:Authentication-Results:1", "delete:X-Segel-Verifikasi:1",
                                            "insert:Authentication-Results:1", "add:X-Segel-Verifikasi:0"});
    CHECK_THAT(mta.edits[2].value, Catch::StartsWith("tangerangkota.go.id; smime=pass"));
    CHECK_THAT(mta.edits[3].value, Catch::StartsWith("Tanda tangan sah: ditandatangani oleh Alice Rahmawati"));
}

TEST_CASE("inbound: a changed message is stamped fail and accepted, or refused when configured", "[milter][inbound]") {
    ServiceFixture f;
    std::string message = signed_inbound();
    message.replace(message.find("Isi surat."), 10, "Isi palsu.");
    {
        FakeMta mta;
        const auto result = run_inbound(inbound_service(f), message, mta);
        CHECK(result.verdict == Verdict::accept);
        CHECK_THAT(result.reason, Catch::StartsWith("smime=fail"));
    }
    f.settings->verify.on_fail = config::FailureAction::reject;
    FakeMta mta;
    const auto result = run_inbound(inbound_service(f), message, mta);
    CHECK(result.verdict == Verdict::reject);
    CHECK_THAT(mta.reply, Catch::StartsWith("550 5.7.1"));
}

TEST_CASE("inbound: an unsigned message is stamped none", "[milter][inbound]") {
    ServiceFixture f;
    FakeMta mta;
    const auto result = run_inbound(inbound_service(f), mail("x@example.org"), mta);
    CHECK(result.outcome == InboundOutcome::verified);
    REQUIRE(mta.edits.size() == 2);
    CHECK(mta.edits[0].value == "tangerangkota.go.id; none");
}

TEST_CASE("inbound: a certificate the RA revoked in the directory fails before any CRL says so (REV-03)",
          "[milter][inbound]") {
    ServiceFixture f;
    REQUIRE(f.store->apply({"test", {}, {{test::demo_identity("alice").certificate().sha256_fingerprint_hex(),
                                          directory::CertificateStatus::revoked,
                                          directory::RevocationReason::key_compromise, std::chrono::system_clock::now()}}},
                           {"test"}));
    FakeMta mta;
    const auto result = run_inbound(inbound_service(f), signed_inbound(), mta);
    CHECK_THAT(result.reason, Catch::StartsWith("smime=fail") && Catch::Contains("RA: key_compromise"));
}

TEST_CASE("inbound: require_crl without a CRL gives temperror, never pass", "[milter][inbound]") {
    ServiceFixture f;
    f.settings->verify.require_crl = true;
    FakeMta mta;
    const auto result = run_inbound(inbound_service(f), signed_inbound(), mta);
    CHECK_THAT(result.reason, Catch::StartsWith("smime=temperror"));
    CHECK(result.verdict == Verdict::accept); // on_temperror = pass: stamped and delivered
}

TEST_CASE("inbound: a CRL downloaded from crl_url revokes, and before the first download it is temperror (REV-05)",
          "[milter][inbound][revocation]") {
    ServiceFixture f;
    test::HttpTestServer server;
    inbound_settings(f);
    f.settings->verify.crl_urls = {server.url("/bsre-ca.crl")};
    f.settings->verify.crl_issuers = test::pki_file("issuing.pem").string();
    f.settings->verify.crl_cache_dir = f.dir.path().string();
    f.settings->verify.crl_fetch_timeout_seconds = 2;
    std::string problem;
    auto anchors = smime::TrustStore::load_pem_file(f.settings->verify.anchors);
    REQUIRE(anchors.has_value());
    const milter::Pipelines service(f.settings, f.store, std::move(anchors).value(), milter::load_crls(*f.settings, problem));
    REQUIRE(problem.empty());
    {
        // Nothing downloaded yet (the CA's server is down): temperror, never pass.
        server.answer("/bsre-ca.crl", 503, "");
        const auto report = milter::refresh_crls(service);
        REQUIRE(report.failed.size() == 1);
        CHECK_THAT(report.failed.front(), Catch::Contains("HTTP status 503"));
        FakeMta mta;
        CHECK_THAT(run_inbound(service, signed_inbound(), mta).reason, Catch::StartsWith("smime=temperror"));
    }
    test::CrlSpec spec;
    spec.revoked = {{test::demo_identity("alice").certificate().serial_hex(), 1}};
    spec.issuer_cert_pem = test::pki_file("issuing.pem").string();
    spec.signer_key_pem = test::pki_file("issuing.key.pem").string();
    write_crl(spec, (f.dir / "served.crl").string());
    server.answer("/bsre-ca.crl", 200, test::read_file(f.dir / "served.crl"));
    const auto report = milter::refresh_crls(service);
    CHECK(report.failed.empty());
    CHECK(report.replaced == std::vector<std::string>{server.url("/bsre-ca.crl")});
    FakeMta mta;
    CHECK_THAT(run_inbound(service, signed_inbound(), mta).reason,
               Catch::StartsWith("smime=fail") && Catch::Contains("key compromise"));
    // The server fails again: the kept copy still counts while it is fresh.
    server.answer("/bsre-ca.crl", 500, "");
    CHECK(milter::refresh_crls(service).failed.size() == 1);
    FakeMta again;
    CHECK_THAT(run_inbound(service, signed_inbound(), again).reason, Catch::StartsWith("smime=fail"));

    // A lying server: an older CRL (before alice was revoked), one with the
    // issuer's name signed by another key, an expired one. Each download
    // fails, the good copy stays, alice stays revoked (REV-01, REV-05).
    test::CrlSpec older = spec;
    older.revoked.clear();
    older.this_update = std::chrono::system_clock::now() - std::chrono::hours(30);
    test::CrlSpec foreign_key = spec;
    foreign_key.revoked.clear();
    foreign_key.signer_key_pem = test::pki_file("root.key.pem").string();
    test::CrlSpec expired = spec;
    expired.revoked.clear();
    expired.this_update = std::chrono::system_clock::now() - std::chrono::hours(24 * 9);
    expired.next_update = std::chrono::system_clock::now() - std::chrono::hours(24 * 2);
    for (const auto* hostile : {&older, &foreign_key, &expired}) {
        write_crl(*hostile, (f.dir / "hostile.crl").string());
        server.answer("/bsre-ca.crl", 200, test::read_file(f.dir / "hostile.crl"));
        const auto refused = milter::refresh_crls(service);
        REQUIRE(refused.failed.size() == 1);
        CHECK_THAT(refused.failed.front(), Catch::Contains("not accepted"));
        CHECK(refused.replaced.empty());
        FakeMta still;
        CHECK_THAT(run_inbound(service, signed_inbound(), still).reason,
                   Catch::StartsWith("smime=fail") && Catch::Contains("key compromise"));
    }
}

TEST_CASE("inbound: a CRL file put back older than the one in use does not un-revoke at a reload (REV-01)",
          "[milter][inbound][revocation]") {
    ServiceFixture f;
    inbound_settings(f);
    const std::string file = (f.dir / "local-ca.crl").string();
    f.settings->verify.crls = {file};
    test::CrlSpec revoking;
    revoking.revoked = {{test::demo_identity("alice").certificate().serial_hex(), 1}};
    revoking.issuer_cert_pem = test::pki_file("issuing.pem").string();
    revoking.signer_key_pem = test::pki_file("issuing.key.pem").string();
    write_crl(revoking, file);
    std::string problem;
    const auto in_use = milter::load_crls(*f.settings, problem);
    REQUIRE(problem.empty());
    test::CrlSpec older = revoking;
    older.revoked.clear();
    older.this_update = std::chrono::system_clock::now() - std::chrono::hours(30);
    write_crl(older, file);
    std::vector<std::string> kept;
    auto reloaded = milter::load_crls(*f.settings, problem, in_use.get(), &kept);
    REQUIRE(problem.empty());
    CHECK(kept == std::vector<std::string>{test::demo_identity("alice").certificate().issuer()});
    auto anchors = smime::TrustStore::load_pem_file(f.settings->verify.anchors);
    REQUIRE(anchors.has_value());
    const milter::Pipelines service(f.settings, f.store, std::move(anchors).value(), std::move(reloaded));
    FakeMta mta;
    CHECK_THAT(run_inbound(service, signed_inbound(), mta).reason,
               Catch::StartsWith("smime=fail") && Catch::Contains("key compromise"));
    // Loaded without the CRL in use (a restart), the old file is all there is.
    auto fresh_start = milter::load_crls(*f.settings, problem);
    auto anchors_again = smime::TrustStore::load_pem_file(f.settings->verify.anchors);
    const milter::Pipelines restarted(f.settings, f.store, std::move(anchors_again).value(), std::move(fresh_start));
    FakeMta after_restart;
    CHECK_THAT(run_inbound(restarted, signed_inbound(), after_restart).reason, Catch::StartsWith("smime=pass"));
}

TEST_CASE("verify.crl_issuers must chain to an anchor (REV-01)", "[milter][revocation]") {
    ServiceFixture f;
    inbound_settings(f);
    std::string problem;
    CHECK(milter::load_crl_issuers(*f.settings, problem).size() == 1); // the root alone
    f.settings->verify.crl_issuers = test::pki_file("issuing.pem").string();
    CHECK(milter::load_crl_issuers(*f.settings, problem).size() == 2);
    CHECK(problem.empty());
    f.settings->verify.anchors = test::pki_file("issuing.pem").string(); // the issuing CA as anchor
    f.settings->verify.crl_issuers = test::pki_file("root.pem").string(); // a root does not chain to it
    CHECK(milter::load_crl_issuers(*f.settings, problem).empty());
    CHECK_THAT(problem, Catch::StartsWith("verify.crl_issuers:") && Catch::Contains("does not chain"));
}

TEST_CASE("inbound: OCSP answers first, the CRL stands in when the responder cannot (REV-02)",
          "[milter][inbound][revocation]") {
    ServiceFixture f;
    test::HttpTestServer server;
    inbound_settings(f);
    f.settings->verify.ocsp_url = server.url("/ocsp");
    f.settings->verify.ocsp_timeout_seconds = 5;
    const auto service_with = [&](std::shared_ptr<const smime::CrlStore> crls) {
        auto anchors = smime::TrustStore::load_pem_file(f.settings->verify.anchors);
        REQUIRE(anchors.has_value());
        std::string problem;
        auto ocsp = milter::load_ocsp(*f.settings, *anchors, problem);
        REQUIRE(problem.empty());
        return milter::Pipelines(f.settings, f.store, std::move(anchors).value(), std::move(crls), std::move(ocsp));
    };
    const auto verdict = [&](const milter::Pipelines& service) {
        FakeMta mta;
        return run_inbound(service, signed_inbound(), mta).reason;
    };
    test::TempDir index_dir;
    server.answer_with("/ocsp", test::ca_responder(test::index_with_alice(index_dir, "revoked")));
    CHECK_THAT(verdict(service_with(nullptr)), Catch::StartsWith("smime=fail") && Catch::Contains("OCSP: key compromise"));

    server.answer("/ocsp", 503, "");
    CHECK_THAT(verdict(service_with(nullptr)), Catch::StartsWith("smime=temperror") && Catch::Contains("OCSP"));
    // A fresh CRL from the issuer that does not list alice answers instead.
    test::CrlSpec spec;
    spec.issuer_cert_pem = test::pki_file("issuing.pem").string();
    spec.signer_key_pem = test::pki_file("issuing.key.pem").string();
    write_crl(spec, (f.dir / "issuing.crl").string());
    auto crls = smime::CrlStore::load_files({(f.dir / "issuing.crl").string()}, std::chrono::hours(24), false);
    REQUIRE(crls.has_value());
    CHECK_THAT(verdict(service_with(std::make_shared<const smime::CrlStore>(std::move(crls).value()))),
               Catch::StartsWith("smime=pass"));
}

TEST_CASE("inbound: on_fail = quarantine holds a failed message stamped, and delivers nothing else differently",
          "[milter][inbound]") {
    ServiceFixture f;
    inbound_settings(f);
    f.settings->verify.on_fail = config::FailureAction::quarantine;
    std::string tampered = signed_inbound();
    tampered.replace(tampered.find("Isi surat."), 10, "Isi palsu.");
    FakeMta held;
    const auto result = run_inbound(inbound_service(f), tampered, held);
    CHECK(result.verdict == Verdict::quarantine);
    CHECK(held.quarantined == "Segel: smime=fail");
    CHECK(held.reply.empty());
    REQUIRE(held.edits.size() == 2); // stamped all the same
    CHECK_THAT(held.edits[0].value, Catch::Contains("smime=fail"));
    FakeMta good;
    CHECK(run_inbound(inbound_service(f), signed_inbound(), good).verdict == Verdict::accept);
    CHECK(good.quarantined.empty());
}

TEST_CASE("outbound: a quarantine policy holds the unsigned message with its explaining field", "[milter][policy]") {
    ServiceFixture f;
    f.settings->policy.no_certificate = config::FailureAction::quarantine;
    FakeMta mta;
    auto spooled = spool_shared(mail("mallory@tangerangkota.go.id"));
    REQUIRE(spooled != nullptr);
    const auto result = f.service().outbound().finish(facts("Q3", "mallory@tangerangkota.go.id", "mallory@tangerangkota.go.id"), smime::MimeEntity(spooled), mta);
    CHECK(result.verdict == Verdict::quarantine);
    CHECK_THAT(mta.quarantined, Catch::Contains("no_certificate"));
    REQUIRE_FALSE(mta.edits.empty());
    CHECK(mta.edits.front().name == "X-Segel-Unsigned");
}

namespace {
const std::string k_forged = "Authentication-Results: tangerangkota.go.id; smime=pass (forged)\r\n"
                             "Authentication-Results: mx.example.org; dkim=pass\r\n"
                             "Authentication-Results: (comment) TANGERANGKOTA.GO.ID 1; smime=pass (forged)\r\n"
                             "x-segel-verifikasi: Tanda tangan sah (palsu)\r\n";

// The deletions made, as "name:index", in order.
std::vector<std::string> deletions(const FakeMta& mta) {
    std::vector<std::string> out;
    for (const auto& e : mta.edits)
        if (e.kind == "delete")
            out.push_back(e.name + ":" + std::to_string(e.index));
    return out;
}
const std::vector<std::string> k_forged_deleted = {"Authentication-Results:3", "Authentication-Results:1",
                                                   "X-Segel-Verifikasi:1"};

milter::ClaimedVerdictFields claimed_in(const std::string& header_text) {
    milter::ClaimedVerdictFields claimed("tangerangkota.go.id", "X-Segel-Verifikasi");
    auto spooled = spool_shared(header_text + "\r\n");
    REQUIRE(spooled != nullptr);
    claimed.note_all(spooled->headers());
    return claimed;
}
} // namespace

TEST_CASE("AR-06: the fields claiming our authserv-id or our verdict field are found, and no others",
          "[milter][inbound]") {
    const auto claimed = claimed_in(k_forged + "Authentication-Results: tangerangkota.go.id.evil.example; smime=pass\r\n"
                                               "Authentication-Results: tangerangkota.go.idx; smime=pass\r\n"
                                               "Authentication-Results:\r\n tangerangkota.go.id;\r\n smime=pass\r\n");
    CHECK(claimed.count() == 4);
    FakeMta mta;
    REQUIRE(claimed.remove(mta));
    CHECK(deletions(mta) == std::vector<std::string>{"Authentication-Results:6", "Authentication-Results:3",
                                                     "Authentication-Results:1", "X-Segel-Verifikasi:1"});
}

TEST_CASE("inbound header shapes the signing spool once disliked are stamped and delivered, forged fields removed",
          "[milter][inbound]") {
    ServiceFixture f;
    f.settings->policy.unsignable_message = config::FailureAction::pass;
    const auto service = inbound_service(f);
    std::string references = "References:";
    for (int i = 0; i < 80; ++i)
        references += " <" + std::to_string(i) + ".1234@example.org>";
    const std::vector<std::pair<const char*, std::string>> shapes = {
        {"a header line over 998 octets", "X-Long: " + std::string(1200, 'a') + "\r\n"},
        {"an unfolded References of 1,300 octets", references + "\r\n"},
        {"raw 8-bit in a top-level MIME field", "MIME-Version: 1.0\r\nContent-Type: text/plain; name=\"caf\xc3\xa9.txt\"\r\n"},
    };
    for (const auto& [name, field] : shapes) {
        INFO(name);
        FakeMta mta;
        const auto result = run_inbound(service, k_forged + field + "From: x@example.org\r\nSubject: s\r\n\r\nhi\r\n", mta);
        CHECK(result.outcome == InboundOutcome::verified);
        CHECK(result.verdict == Verdict::accept);
        CHECK(mta.reply.empty());
        CHECK(deletions(mta) == k_forged_deleted);
        REQUIRE(mta.edits.size() == 5);
        CHECK(mta.edits[3].value == "tangerangkota.go.id; none");
    }
}

TEST_CASE("inbound: a message the spool refused is stamped permerror with the reason, never answered as unsignable",
          "[milter][inbound]") {
    ServiceFixture f;
    const auto claimed = claimed_in(k_forged);
    const auto problem = smime::make_error(smime::ErrorKind::malformed_message, "line 3 of the header has a NUL byte");
    SECTION("default policy: delivered stamped") {
        FakeMta mta;
        const auto result = inbound_service(f).inbound().finish_unreadable(facts("Q4", "", "x@example.org"), problem, claimed, mta);
        CHECK(result.outcome == InboundOutcome::signature_unreadable);
        CHECK(result.verdict == Verdict::accept);
        CHECK(mta.reply.empty());
        CHECK(deletions(mta) == k_forged_deleted);
        REQUIRE(mta.edits.size() == 5);
        CHECK_THAT(mta.edits[3].value, Catch::StartsWith("tangerangkota.go.id; smime=permerror") &&
                                           Catch::Contains("NUL byte"));
        CHECK_THAT(mta.edits[4].value, Catch::Contains("tidak dapat diproses"));
        CHECK_THAT(result.reason, Catch::StartsWith("smime=permerror: the message cannot be read"));
    }
    SECTION("on_fail = reject: an inbound refusal in inbound words") {
        f.settings->verify.on_fail = config::FailureAction::reject;
        FakeMta mta;
        const auto result = inbound_service(f).inbound().finish_unreadable(facts("Q4", "", "x@example.org"), problem, claimed, mta);
        CHECK(result.verdict == Verdict::reject);
        CHECK_THAT(mta.reply, Catch::StartsWith("550 5.7.1 The message's S/MIME signature cannot be checked"));
    }
    SECTION("a failure of ours tempfails in inbound words") {
        FakeMta mta;
        const auto result = inbound_service(f).inbound().finish_unreadable(facts("Q4", "", "x@example.org"), smime::make_error(smime::ErrorKind::io_failure, "disk full"), claimed, mta);
        CHECK(result.outcome == InboundOutcome::verification_unavailable);
        CHECK(result.verdict == Verdict::tempfail);
        CHECK(mta.reply == "451 4.7.0 The message cannot be checked now, please try again later");
        CHECK(deletions(mta) == k_forged_deleted);
    }
}

TEST_CASE("inbound: forged fields are removed under every action for an internal From without AUTH (AR-06)",
          "[milter][inbound]") {
    for (const auto action : {config::FailureAction::pass, config::FailureAction::quarantine,
                              config::FailureAction::reject, config::FailureAction::tempfail}) {
        ServiceFixture f;
        f.settings->policy.unauthenticated_internal_from = action;
        FakeMta mta;
        const auto result = run_inbound(inbound_service(f), k_forged + signed_inbound(), mta);
        INFO("action " << static_cast<int>(action) << ": " << result.reason);
        CHECK(deletions(mta) == k_forged_deleted);
        if (action == config::FailureAction::pass) {
            CHECK(result.outcome == InboundOutcome::verified);
            CHECK(mta.reply.empty());
        } else {
            CHECK(result.outcome == InboundOutcome::unauthenticated_internal_from);
        }
    }
}

TEST_CASE("inbound: without trust anchors the message tempfails in inbound words, never 'signing'", "[milter][inbound]") {
    ServiceFixture f;
    inbound_settings(f);
    const milter::Pipelines service(f.settings, f.store); // no anchors loaded
    FakeMta mta;
    const auto result = run_inbound(service, k_forged + mail("x@example.org"), mta);
    CHECK(result.outcome == InboundOutcome::verification_unavailable);
    CHECK(result.verdict == Verdict::tempfail);
    CHECK_THAT(mta.reply, Catch::Contains("cannot be checked now") && !Catch::Contains("Sign"));
    CHECK(deletions(mta) == k_forged_deleted);
}

TEST_CASE("a header field as libmilter passes it becomes a CRLF spool line, with or without its leading space",
          "[milter]") {
    CHECK(milter::spool_header_line("Subject", "Rapat\n\tkoordinasi", false) == "Subject: Rapat\r\n\tkoordinasi\r\n");
    CHECK(milter::spool_header_line("Subject", " Rapat\r\n\tkoordinasi", true) == "Subject: Rapat\r\n\tkoordinasi\r\n");
    CHECK(milter::spool_header_line("X-Empty", "", true) == "X-Empty:\r\n");
}

TEST_CASE("the generic rewrite: a signed entity through the MTA edits reads back and verifies (PF-07, PF-08)",
          "[milter][entity]") {
    const std::string text = test::crlf("Received: a\nReceived: b\nFrom: " + k_alice +
                                        "\nTo: w@example.com\nContent-Type: text/plain\n"
                                        "Subject: s\n\nbody\n");
    auto spooled = spool_shared(text);
    REQUIRE(spooled != nullptr);
    auto outcome = smime::sign(smime::MimeEntity(spooled), test::demo_identity("alice"));
    REQUIRE(outcome.has_value());
    const auto& entity = std::get<smime::SignedEntity>(*outcome).entity;
    FakeMta mta;
    REQUIRE(milter::apply_rewrite(entity, mta, 100));
    // Content-Type deleted, then the additions, then the body in one run of
    // chunks.
    REQUIRE(mta.edits.size() >= 4);
    CHECK((mta.edits[0].kind == "delete" && mta.edits[0].name == "Content-Type" && mta.edits[1].kind == "add"));
    std::size_t first_body = 0;
    while (first_body < mta.edits.size() && mta.edits[first_body].kind != "body")
        ++first_body;
    for (std::size_t i = first_body; i < mta.edits.size(); ++i)
        CHECK(mta.edits[i].kind == "body");
    CHECK(mta.edits.size() - first_body > 1); // chunked at 100 bytes
    CHECK(test::verify_with_openssl(mta.rebuild(*spooled), k_alice).good);

    // Every field of a removed name goes, highest index first (PF-07); an
    // entity whose body was not replaced sends no body at all.
    FakeMta header_only;
    REQUIRE(milter::apply_rewrite(smime::MimeEntity(spooled).rewritten({"received"}, {{"Subject", "t"}}), header_only,
                                  100));
    REQUIRE(header_only.edits.size() == 3);
    CHECK((header_only.edits[0].kind == "delete" && header_only.edits[0].index == 2));
    CHECK((header_only.edits[1].kind == "delete" && header_only.edits[1].index == 1));
    CHECK(header_only.edits[2].kind == "add");
}
