// The verifier's RFC 7281 results on messages we sign and on opaque
// signed-data made by the OpenSSL CLI.
#include <catch2/catch.hpp>

#include <openssl/obj_mac.h>

#include "signed_data_builder.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"
#include "test_support.hpp"

using namespace segel::test;
using segel::smime::Verdict;

namespace {
const std::string k_alice = "alice@tangerangkota.go.id";

segel::smime::VerificationReport verify(const std::string& message,
                                        const std::string& anchors = pki_file("root.pem").string()) {
    auto store = segel::smime::TrustStore::load_pem_file(anchors);
    REQUIRE(store.has_value());
    auto spooled = spool_text(message);
    REQUIRE(spooled.has_value());
    auto report = segel::smime::verify_message(*spooled, *store);
    REQUIRE(report.has_value());
    INFO("reason: " << report->reason);
    return *report;
}

std::string signed_by_alice(const std::string& body = "Isi surat dinas.\n") {
    return sign_to_text(crlf("From: Alice <" + k_alice + ">\nTo: warga@example.com\nSubject: uji\n\n" + body),
                        demo_identity("alice"));
}

// Opaque signed-data from the OpenSSL CLI, with our header in front.
std::string opaque_by(const std::string& user, const std::string& digest) {
    return "From: " + user + "@tangerangkota.go.id\nTo: warga@example.com\nSubject: buram\n" +
           openssl_opaque_signed(crlf("Content-Type: text/plain\n\nIsi buram.\n"), {user}, digest);
}
} // namespace

TEST_CASE("RFC 7281 pass: our signature, trusted chain, signer = From", "[smime][verifier]") {
    const auto report = verify(signed_by_alice());
    CHECK(report.verdict == Verdict::pass);
    CHECK(report.form == "multipart/signed");
    REQUIRE(report.passing_signer() != nullptr);
    CHECK(report.passing_signer()->certificate->email_addresses().front() == k_alice);
}

TEST_CASE("a message stored with LF line ends still verifies (canonical CRLF, RFC 8551 3.1.1)", "[smime][verifier]") {
    std::string lf;
    for (char c : signed_by_alice())
        if (c != '\r')
            lf += c;
    CHECK(verify(lf).verdict == Verdict::pass);
}

TEST_CASE("fail: the signed part was changed", "[smime][verifier]") {
    std::string message = signed_by_alice("Transfer Rp 100.000 ke rekening resmi.\n");
    message.replace(message.find("100.000"), 7, "900.000");
    const auto report = verify(message);
    CHECK(report.verdict == Verdict::fail);
    CHECK_THAT(report.reason, Catch::Contains("changed after it was signed"));
    CHECK(report.finding == segel::smime::Finding::content_changed);
}

TEST_CASE("policy: a From that is not the signer (SEC-03 i1)", "[smime][verifier]") {
    std::string message = signed_by_alice();
    message.replace(message.find("<" + k_alice + ">"), k_alice.size() + 2, "<bambang@tangerangkota.go.id>");
    const auto report = verify(message);
    CHECK(report.verdict == Verdict::policy);
    CHECK_THAT(report.reason, Catch::Contains("not the sender"));
    CHECK(report.finding == segel::smime::Finding::not_the_sender);
}

TEST_CASE("policy: a chain to an anchor we do not trust (CH-02, OSSL-06)", "[smime][verifier]") {
    // The issuing CA alone is not an anchor: no partial chains.
    CHECK(verify(signed_by_alice(), pki_file("chain.pem").string()).verdict == Verdict::policy);
    CHECK(verify(signed_by_alice(), pki_file("bambang.cert.pem").string()).verdict == Verdict::policy);
}

TEST_CASE("policy: only a part of the message is signed (SEC-02)", "[smime][verifier]") {
    const std::string inner = signed_by_alice();
    const std::string inner_entity = inner.substr(inner.find("MIME-Version:"));
    const std::string outer = crlf("From: " + k_alice + "\nTo: warga@example.com\nSubject: campur\nMIME-Version: 1.0\n"
                                   "Content-Type: multipart/mixed; boundary=\"luar\"\n\n--luar\n"
                                   "Content-Type: text/plain\n\nTeks yang tidak ditandatangani.\n--luar\n") +
                              inner_entity + "\r\n--luar--\r\n";
    const auto report = verify(outer);
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == segel::smime::Finding::partly_signed);
}

TEST_CASE("none: an unsigned message", "[smime][verifier]") {
    CHECK(verify(crlf("From: " + k_alice + "\nSubject: biasa\n\nTanpa tanda tangan.\n")).verdict == Verdict::none);
}

TEST_CASE("opaque signed-data made by OpenSSL: SHA-256 passes, SHA-1 is policy (SM-11)", "[smime][verifier]") {
    const auto sha256 = verify(opaque_by("alice", "sha256"));
    CHECK(sha256.form == "application/pkcs7-mime");
    CHECK(sha256.verdict == Verdict::pass);
    const auto sha1 = verify(opaque_by("alice", "sha1"));
    CHECK(sha1.verdict == Verdict::policy);
    CHECK_THAT(sha1.reason, Catch::Contains("weak"));
}

TEST_CASE("policy: an expired signer certificate", "[smime][verifier]") {
    const auto report = verify(opaque_by("eko", "sha256"));
    CHECK(report.verdict == Verdict::policy);
    CHECK_THAT(report.reason, Catch::Contains("expired"));
}

// ---- revocation (REV-01) ------------------------------------------------------

#include "crl_builder.hpp"
#include "smime/crl_store.hpp"

namespace {
segel::smime::VerificationReport verify_with_crl_file(const std::string& path, bool require_all = false) {
    auto crls = segel::smime::CrlStore::load_files({path}, std::chrono::hours(168), require_all);
    REQUIRE(crls.has_value());
    auto store = segel::smime::TrustStore::load_pem_file(pki_file("root.pem").string());
    auto spooled = spool_text(signed_by_alice());
    segel::smime::VerifyOptions options;
    const auto& crl_store = *crls;
    options.revocation = [&crl_store](const segel::smime::Certificate& signer, const segel::smime::Certificate& issuer) {
        return crl_store.check(signer, issuer, std::chrono::system_clock::now());
    };
    auto report = segel::smime::verify_message(*spooled, *store, options);
    REQUIRE(report.has_value());
    INFO("reason: " << report->reason);
    return *report;
}

segel::smime::VerificationReport verify_with_crl(const CrlSpec& spec, bool require_all = false) {
    TempDir dir;
    write_crl(spec, (dir / "issuing.crl").string());
    return verify_with_crl_file((dir / "issuing.crl").string(), require_all);
}

// The PEM files at `paths`, one after the other in one file.
std::string concatenated(const TempDir& dir, const std::vector<std::string>& paths) {
    std::string joined;
    for (const auto& path : paths)
        joined += read_file(path);
    write_file(dir / "bundle.pem", joined);
    return (dir / "bundle.pem").string();
}

CrlSpec issuing_crl(std::vector<RevokedSerial> revoked) {
    CrlSpec spec;
    spec.revoked = std::move(revoked);
    spec.issuer_cert_pem = pki_file("issuing.pem").string();
    spec.signer_key_pem = pki_file("issuing.key.pem").string();
    return spec;
}
} // namespace

TEST_CASE("REV-01: a signer on the issuer's fresh CRL is fail, not on it, pass", "[smime][verifier][revocation]") {
    const std::string serial = demo_identity("alice").certificate().serial_hex();
    const auto revoked = verify_with_crl(issuing_crl({{serial, 1}}));
    CHECK(revoked.verdict == Verdict::fail);
    CHECK_THAT(revoked.reason, Catch::Contains("revoked (key compromise)"));
    CHECK(verify_with_crl(issuing_crl({{"7FFF", 1}})).verdict == Verdict::pass);
}

TEST_CASE("REV-01: every CRL in a PEM file counts, not only the first", "[smime][verifier][revocation]") {
    TempDir dir;
    const std::string serial = demo_identity("alice").certificate().serial_hex();
    auto root_crl = issuing_crl({});
    root_crl.issuer_cert_pem = pki_file("root.pem").string();
    root_crl.signer_key_pem = pki_file("root.key.pem").string();
    write_crl(root_crl, (dir / "root.crl").string());
    write_crl(issuing_crl({{serial, 1}}), (dir / "revoking.crl").string());
    auto older = issuing_crl({});
    older.this_update = std::chrono::system_clock::now() - std::chrono::hours(3);
    write_crl(older, (dir / "older.crl").string());
    for (const auto& order : {std::vector<std::string>{"root.crl", "revoking.crl"},
                              std::vector<std::string>{"older.crl", "revoking.crl"},
                              std::vector<std::string>{"revoking.crl", "root.crl"}}) {
        INFO(order.front() << " then " << order.back());
        const auto report =
            verify_with_crl_file(concatenated(dir, {(dir / order.front()).string(), (dir / order.back()).string()}), true);
        CHECK(report.verdict == Verdict::fail);
        CHECK_THAT(report.reason, Catch::Contains("key compromise"));
    }
}

TEST_CASE("REV-01: a CRL file holding anything but CRLs is refused, naming it", "[smime][verifier][revocation]") {
    TempDir dir;
    write_crl(issuing_crl({}), (dir / "issuing.crl").string());
    const std::string bundle = concatenated(dir, {(dir / "issuing.crl").string(), pki_file("alice.cert.pem").string()});
    auto loaded = segel::smime::CrlStore::load_files({bundle}, std::chrono::hours(168), false);
    REQUIRE_FALSE(loaded.has_value());
    CHECK_THAT(loaded.error().detail, Catch::Contains("PEM block 2 is a CERTIFICATE, not a CRL"));
    write_file(dir / "junk.crl", "not a CRL at all\n");
    auto junk = segel::smime::CrlStore::load_files({(dir / "junk.crl").string()}, std::chrono::hours(168), false);
    REQUIRE_FALSE(junk.has_value());
    CHECK_THAT(junk.error().detail, Catch::Contains("is not a CRL in PEM or DER"));
}

TEST_CASE("REV-01: a stale or forged CRL gives temperror, never pass", "[smime][verifier][revocation]") {
    auto stale = issuing_crl({});
    stale.this_update = std::chrono::system_clock::now() - std::chrono::hours(24 * 10);
    stale.next_update = std::chrono::system_clock::now() - std::chrono::hours(1);
    CHECK(verify_with_crl(stale).verdict == Verdict::temperror);
    auto forged = issuing_crl({});
    forged.signer_key_pem = pki_file("root.key.pem").string();
    CHECK(verify_with_crl(forged).verdict == Verdict::temperror);
}

TEST_CASE("an issuer without a CRL is temperror only when every issuer needs one", "[smime][verifier][revocation]") {
    auto other_issuer = issuing_crl({});
    other_issuer.issuer_cert_pem = pki_file("root.pem").string();
    other_issuer.signer_key_pem = pki_file("root.key.pem").string();
    CHECK(verify_with_crl(other_issuer, false).verdict == Verdict::pass);
    CHECK(verify_with_crl(other_issuer, true).verdict == Verdict::temperror);
}

TEST_CASE("any revocation source plugs in: the directory's word counts before a CRL", "[smime][verifier][revocation]") {
    auto store = segel::smime::TrustStore::load_pem_file(pki_file("root.pem").string());
    auto spooled = spool_text(signed_by_alice());
    segel::smime::VerifyOptions options;
    options.revocation = [](const segel::smime::Certificate&, const segel::smime::Certificate&) {
        return segel::smime::RevocationAnswer{segel::smime::RevocationAnswer::Status::revoked, "RA: affiliation_changed"};
    };
    auto report = segel::smime::verify_message(*spooled, *store, options);
    CHECK(report->verdict == Verdict::fail);
    CHECK_THAT(report->reason, Catch::Contains("RA: affiliation_changed"));
}

// ---- signingTime (CH-10) ------------------------------------------------------


namespace {
// alice-old's certificate: valid from a year ago to a year ahead.
std::string signed_by_old_alice_at(std::chrono::system_clock::time_point signed_at) {
    return "From: " + k_alice + "\nTo: warga@example.com\nSubject: waktu\n" +
           opaque_signed_at(crlf("Content-Type: text/plain\n\nIsi bertanggal.\n"),
                            pki_file("alice-old.cert.pem").string(), pki_file("alice-old.key.pem").string(),
                            pki_file("chain.pem").string(), signed_at);
}
} // namespace

TEST_CASE("CH-10: a plausible signingTime passes, within the clock skew too", "[smime][verifier]") {
    using namespace std::chrono;
    const auto now = system_clock::now();
    CHECK(verify(signed_by_old_alice_at(now - hours(24 * 30))).verdict == Verdict::pass);
    CHECK(verify(signed_by_old_alice_at(now + minutes(3))).verdict == Verdict::pass);
}

TEST_CASE("CH-10: a signingTime ahead of the clock beyond the skew is policy", "[smime][verifier]") {
    const auto report = verify(signed_by_old_alice_at(std::chrono::system_clock::now() + std::chrono::hours(2)));
    CHECK(report.verdict == Verdict::policy);
    CHECK_THAT(report.reason, Catch::Contains("in the future"));
    CHECK(report.finding == segel::smime::Finding::implausible_signing_time);
}

TEST_CASE("CH-10: a signingTime before the certificate was issued is policy", "[smime][verifier]") {
    // Validation still runs at the verification time, where the chain is good.
    const auto report = verify(signed_by_old_alice_at(std::chrono::system_clock::now() - std::chrono::hours(24 * 600)));
    CHECK(report.verdict == Verdict::policy);
    CHECK_THAT(report.reason, Catch::Contains("outside the certificate's validity"));
    REQUIRE(report.signers.size() == 1);
    CHECK(report.signers.front().chain_valid);
}

TEST_CASE("CH-10: the skew is the operator's setting", "[smime][verifier]") {
    auto store = segel::smime::TrustStore::load_pem_file(pki_file("root.pem").string());
    auto spooled = spool_text(signed_by_old_alice_at(std::chrono::system_clock::now() + std::chrono::hours(2)));
    segel::smime::VerifyOptions options;
    options.clock_skew = std::chrono::hours(3);
    auto report = segel::smime::verify_message(*spooled, *store, options);
    REQUIRE(report.has_value());
    CHECK(report->verdict == Verdict::pass);
}

// ---- spoofing classes (SEC-03, SEC-04; "Johnny, You Are Fired") --------------

namespace {
// alice's valid signature with the From field (outside the signature) replaced.
std::string signed_by_alice_with_from(const std::string& from_field) {
    std::string message = signed_by_alice();
    const auto start = message.find("From: ");
    const auto end = message.find("\r\n", start);
    return message.replace(start, end - start, from_field);
}
} // namespace

TEST_CASE("SEC-04: the signer's address in the display name does not make a pass", "[smime][verifier][spoofing]") {
    const auto report = verify(signed_by_alice_with_from("From: \"" + k_alice + "\" <bambang@tangerangkota.go.id>"));
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == segel::smime::Finding::not_the_sender);
}

TEST_CASE("CH-04: a display name showing another address is policy, in every form", "[smime][verifier][spoofing]") {
    // mallory (here bambang) signs his own mail, but names alice where readers look.
    const std::string bambang = "bambang@tangerangkota.go.id";
    const auto signed_by_bambang = [&](const std::string& from_field) {
        std::string message = sign_to_text(crlf("From: " + bambang + "\nTo: warga@example.com\nSubject: uji\n\nIsi.\n"),
                                           demo_identity("bambang"));
        const auto start = message.find("From: ");
        return message.replace(start, message.find("\r\n", start) - start, from_field);
    };
    for (const std::string& from : {"From: \"" + k_alice + "\" <" + bambang + ">",
                                   "From: " + k_alice + " <" + bambang + ">",
                                   "From: =?utf-8?q?alice=40tangerangkota=2Ego=2Eid?= <" + bambang + ">",
                                   "From: =?utf-8?b?YWxpY2VAdGFuZ2VyYW5na290YS5nby5pZA==?= <" + bambang + ">",
                                   "From: \"Alice (alice\xef\xbc\xa0tangerangkota.go.id)\" <" + bambang + ">",
                                   "From: " + bambang + " (" + k_alice + ")"}) {
        INFO(from);
        const auto report = verify(signed_by_bambang(from));
        CHECK(report.verdict == Verdict::policy);
        if (report.finding != segel::smime::Finding::no_single_from) // how a parser reads the unquoted form
            CHECK(report.finding == segel::smime::Finding::display_name_address);
    }
    // What is not another address: a plain name, the address itself, a lone "@".
    for (const std::string& from : {"From: Bambang Sutrisno <" + bambang + ">", "From: \"" + bambang + "\" <" + bambang + ">",
                                   "From: \"Tim @ Diskominfo\" <" + bambang + ">", "From: " + bambang}) {
        INFO(from);
        CHECK(verify(signed_by_bambang(from)).verdict == Verdict::pass);
    }
}

TEST_CASE("SEC-04: two From mailboxes, one of them the signer, is not a pass", "[smime][verifier][spoofing]") {
    const auto report = verify(signed_by_alice_with_from("From: " + k_alice + ", bambang@tangerangkota.go.id"));
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == segel::smime::Finding::no_single_from);
}

TEST_CASE("SEC-04: a Sender that is the signer does not cover another From", "[smime][verifier][spoofing]") {
    const auto report = verify(signed_by_alice_with_from("From: bambang@tangerangkota.go.id\r\nSender: " + k_alice));
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == segel::smime::Finding::not_the_sender);
}

TEST_CASE("SEC-03 c4: a self-signed certificate naming the sender is not trusted", "[smime][verifier][spoofing]") {
    TempDir dir;
    const auto [cert, key] = self_signed_certificate(dir, k_alice);
    const std::string message = "From: " + k_alice + "\nTo: warga@example.com\nSubject: palsu\n" +
                                opaque_signed_at(crlf("Content-Type: text/plain\n\nPalsu.\n"), cert, key, "",
                                                 std::chrono::system_clock::now());
    const auto report = verify(message);
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == segel::smime::Finding::untrusted);
    REQUIRE(report.signers.size() == 1);
    CHECK(report.signers.front().signature_valid); // the signature itself is fine; the trust is not
}

// ---- key usage and EKU policy (CH-06, CH-07, ID-07) ---------------------------

TEST_CASE("CH-07: the EKU policy decides which extended key usages a signer may carry", "[smime][verifier][eku]") {
    using segel::smime::EkuPolicy;
    const auto verdict_of = [](const std::string& user, EkuPolicy policy) {
        auto store = segel::smime::TrustStore::load_pem_file(pki_file("root.pem").string());
        auto spooled = spool_text(opaque_by(user, "sha256"));
        REQUIRE(spooled.has_value());
        segel::smime::VerifyOptions options;
        options.eku_policy = policy;
        auto report = segel::smime::verify_message(*spooled, *store, options);
        REQUIRE(report.has_value());
        INFO(user << " under " << to_string(policy) << ": " << report->reason);
        return report->verdict;
    };
    // alice: no EKU (BSrE's shape); bambang: emailProtection; joko: anyExtendedKeyUsage only;
    // gita: serverAuth+clientAuth; hadi: key usage keyEncipherment only (CH-06).
    CHECK(verdict_of("alice", EkuPolicy::any_eku) == Verdict::pass);
    CHECK(verdict_of("bambang", EkuPolicy::any_eku) == Verdict::pass);
    CHECK(verdict_of("joko", EkuPolicy::any_eku) == Verdict::pass); // RFC 8550 4.4.4, where OpenSSL alone refuses (OSSL-03)
    CHECK(verdict_of("gita", EkuPolicy::any_eku) == Verdict::policy);
    CHECK(verdict_of("hadi", EkuPolicy::any_eku) == Verdict::policy);

    CHECK(verdict_of("alice", EkuPolicy::absent_ok) == Verdict::pass);
    CHECK(verdict_of("bambang", EkuPolicy::absent_ok) == Verdict::pass);
    CHECK(verdict_of("joko", EkuPolicy::absent_ok) == Verdict::policy);

    CHECK(verdict_of("alice", EkuPolicy::email_protection) == Verdict::policy);
    CHECK(verdict_of("bambang", EkuPolicy::email_protection) == Verdict::pass);
    CHECK(verdict_of("joko", EkuPolicy::email_protection) == Verdict::policy);
    CHECK(verdict_of("hadi", EkuPolicy::email_protection) == Verdict::policy);
}

TEST_CASE("CH-06: a key usage without digitalSignature or nonRepudiation is refused even with anyEKU forgiven",
          "[smime][verifier][eku]") {
    // hadi's key usage is keyEncipherment only; the chain error names the purpose.
    auto store = segel::smime::TrustStore::load_pem_file(pki_file("root.pem").string());
    auto spooled = spool_text(opaque_by("hadi", "sha256"));
    REQUIRE(spooled.has_value());
    auto report = segel::smime::verify_message(*spooled, *store);
    REQUIRE(report.has_value());
    CHECK(report->verdict == Verdict::policy);
    REQUIRE(report->signers.size() == 1);
    CHECK(report->signers.front().chain_error == "unsuitable certificate purpose"); // X509_V_ERR_INVALID_PURPOSE
}

TEST_CASE("EKU policy names round-trip and unknown names are refused", "[smime][verifier][eku]") {
    for (auto policy : {segel::smime::EkuPolicy::any_eku, segel::smime::EkuPolicy::absent_ok,
                        segel::smime::EkuPolicy::email_protection})
        CHECK(segel::smime::parse_eku_policy(to_string(policy)) == policy);
    CHECK_FALSE(segel::smime::parse_eku_policy("anyEKU").has_value());
}

TEST_CASE("a SignerInfo without signed attributes is verified over the content itself (RFC 5652 5.4)", "[smime][verifier]") {
    TempDir dir;
    write_file(dir / "content", crlf("Content-Type: text/plain\n\nTanpa atribut.\n"));
    const auto made = run_process({"openssl", "cms", "-sign", "-noattr", "-in", (dir / "content").string(), "-signer",
                                   pki_file("alice.cert.pem").string(), "-inkey", pki_file("alice.key.pem").string(),
                                   "-certfile", pki_file("chain.pem").string(), "-md", "sha256", "-binary", "-outform", "SMIME"});
    REQUIRE(made.exit_code == 0);
    const std::string message = "From: " + k_alice + "\nTo: warga@example.com\nSubject: noattr\n" + made.out;
    const auto good = verify(message);
    CHECK(good.verdict == Verdict::pass);
    REQUIRE(good.signers.size() == 1);
    CHECK(good.signers.front().signing_time_problem.empty());
    // The detached form: changing part 1 breaks the signature over it.
    std::string tampered = message;
    tampered.replace(tampered.find("Tanpa atribut."), 14, "Tanpa atribut!");
    const auto bad = verify(tampered);
    CHECK(bad.verdict == Verdict::fail);
    CHECK(bad.finding == segel::smime::Finding::content_changed);
}

TEST_CASE("CMS-02, SM-10: a contentType attribute unlike the eContentType, or two SMIMECapabilities, is fail",
          "[smime][verifier]") {
    const auto signed_with = [](const segel::test::AttributeTweaks& tweaks) {
        return "From: " + k_alice + "\nTo: warga@example.com\nSubject: atribut\n" +
               segel::test::opaque_signed_with(crlf("Content-Type: text/plain\n\nIsi.\n"), pki_file("alice.cert.pem").string(),
                                               pki_file("alice.key.pem").string(), pki_file("chain.pem").string(), tweaks);
    };
    CHECK(verify(signed_with({})).verdict == Verdict::pass); // the builder itself makes a good signature
    segel::test::AttributeTweaks wrong_type;
    wrong_type.content_type_nid = NID_id_smime_ct_authData; // OpenSSL does not compare it with eContentType (OSSL-09)
    const auto mismatched = verify(signed_with(wrong_type));
    CHECK(mismatched.verdict == Verdict::fail);
    REQUIRE(mismatched.signers.size() == 1);
    CHECK(mismatched.signers.front().signature_valid);
    CHECK_FALSE(mismatched.signers.front().attributes_valid);
    segel::test::AttributeTweaks two_capabilities;
    two_capabilities.second_capabilities = true;
    const auto doubled = verify(signed_with(two_capabilities));
    CHECK(doubled.verdict == Verdict::fail);
    REQUIRE(doubled.signers.size() == 1);
    CHECK_FALSE(doubled.signers.front().attributes_valid);
}

TEST_CASE("RFC 7281 neutral: a signature part that is not CMS", "[smime][verifier]") {
    std::string message = signed_by_alice();
    const auto start = message.find("MII");
    REQUIRE(start != std::string::npos);
    message.replace(start, 40, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIz"); // base64 of ASCII, not DER
    const auto report = verify(message);
    CHECK(report.verdict == Verdict::neutral);
    CHECK(report.finding == segel::smime::Finding::unreadable_signature);
}

TEST_CASE("SEC-04: duplicate MIME-Version or Content-Type fields never give pass", "[smime][verifier][spoofing]") {
    const std::string message = signed_by_alice();
    CHECK(verify("MIME-Version: 1.0\r\n" + message).verdict == Verdict::policy);
    CHECK(verify("MIME-Version: 1.0\r\n" + message).finding == segel::smime::Finding::duplicate_fields);
    CHECK(verify("Content-Type: text/plain\r\n" + message).verdict != Verdict::pass);
}
