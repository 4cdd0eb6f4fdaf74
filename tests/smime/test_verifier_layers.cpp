// The verifier on what surrounds, or hides inside, a signature: nested signed
// layers, a signature over encrypted content, signed parts among unsigned
// ones (the MIME classes of "Johnny, You Are Fired", SEC-02), extra
// SignerInfos (SEC-03 c2), and the caps that keep a message from costing
// more than it may (SM-16, SEC-07).
#include <catch2/catch.hpp>

#include <set>

#include "signed_data_builder.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"
#include "test_support.hpp"

using namespace segel::test;
using segel::smime::Finding;
using segel::smime::SignerReport;
using segel::smime::Verdict;

namespace {
const std::string k_alice = "alice@tangerangkota.go.id";

segel::smime::VerificationReport verify(const std::string& message, const segel::smime::VerifyOptions& options = {}) {
    auto store = segel::smime::TrustStore::load_pem_file(pki_file("root.pem").string());
    REQUIRE(store.has_value());
    auto spooled = spool_text(message);
    REQUIRE(spooled.has_value());
    auto report = segel::smime::verify_message(*spooled, *store, options);
    REQUIRE(report.has_value());
    INFO("reason: " << report->reason);
    return *report;
}

std::string header_for(const std::string& from) {
    return "From: " + from + "\r\nTo: warga@example.com\r\nSubject: lapisan\r\nMIME-Version: 1.0\r\n";
}

// The MIME entity of a whole message: its Content-* fields and its body.
std::string mime_part_of(const std::string& message) {
    const auto split = message.find("\r\n\r\n");
    REQUIRE(split != std::string::npos);
    std::string fields;
    bool keep = false;
    std::size_t pos = 0;
    while (pos < split + 2) {
        const auto end = message.find("\r\n", pos);
        const std::string line = message.substr(pos, end + 2 - pos);
        if (line[0] != ' ' && line[0] != '\t')
            keep = line.rfind("Content-", 0) == 0;
        if (keep)
            fields += line;
        pos = end + 2;
    }
    return fields + message.substr(split + 2);
}

std::string signed_by(const std::string& user, const std::string& from, const std::string& body = "Isi surat dinas.\n") {
    return sign_to_text(crlf("From: " + from + "\nTo: warga@example.com\nSubject: uji\n\n" + body), demo_identity(user));
}

// `entity` wrapped by the OpenSSL CLI in opaque signed-data by `signers`
// (demo PKI names, or "cert.pem:key.pem" paths), with `from` in front.
std::string opaque_around(const std::string& entity, const std::vector<std::string>& signers, const std::string& from) {
    return "From: " + from + "\nTo: warga@example.com\nSubject: buram\n" + openssl_opaque_signed(entity, signers);
}

std::string mixed(const std::string& from, const std::string& before, const std::string& signed_entity,
                  const std::string& after, const std::string& subtype = "mixed") {
    return header_for(from) + "Content-Type: multipart/" + subtype + "; boundary=\"luar\"\r\n\r\n" +
           (before.empty() ? "" : "--luar\r\n" + before + "\r\n") + "--luar\r\n" + signed_entity + "\r\n" +
           (after.empty() ? "" : "--luar\r\n" + after + "\r\n") + "--luar--\r\n";
}
} // namespace

// ---- nested signed layers (SM-16) -------------------------------------------------

TEST_CASE("SM-16: an opaque layer around a multipart/signed layer, both by the sender, passes", "[smime][verifier][layers]") {
    const auto inner = mime_part_of(signed_by("alice", k_alice));
    const auto report = verify(opaque_around(inner, {"alice"}, k_alice));
    CHECK(report.verdict == Verdict::pass);
    CHECK(report.layers == 2);
    CHECK(report.signers.size() == 2);
    CHECK(report.form == "application/pkcs7-mime");
}

TEST_CASE("SM-16: an inner layer signed by someone else is not a pass for the sender (SEC-02)", "[smime][verifier][layers]") {
    const auto inner = mime_part_of(signed_by("bambang", "bambang@tangerangkota.go.id"));
    const auto report = verify(opaque_around(inner, {"alice"}, k_alice));
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == Finding::not_the_sender);
    CHECK_THAT(report.reason, Catch::StartsWith("inner signed layer"));
}

TEST_CASE("SM-16: an inner layer changed before it was wrapped is fail", "[smime][verifier][layers]") {
    std::string inner = mime_part_of(signed_by("alice", k_alice, "Rapat pukul 09.00.\n"));
    inner.replace(inner.find("09.00"), 5, "13.00");
    const auto report = verify(opaque_around(inner, {"alice"}, k_alice));
    CHECK(report.verdict == Verdict::fail);
    CHECK(report.finding == Finding::content_changed);
    // An outer layer that is only policy (here: a signer nobody trusts) does not hide the broken inner one.
    TempDir dir;
    const auto [cert, key] = self_signed_certificate(dir, k_alice);
    const auto untrusted_outer = verify(opaque_around(inner, {cert + ":" + key}, k_alice));
    CHECK(untrusted_outer.verdict == Verdict::fail);
    CHECK(untrusted_outer.finding == Finding::content_changed);
    CHECK(untrusted_outer.layers == 2);
}

TEST_CASE("a signature around an encryption layer is policy, never pass (SEC-02)", "[smime][verifier][layers]") {
    TempDir dir;
    write_file(dir / "secret", crlf("Content-Type: text/plain\n\nRahasia.\n"));
    const auto encrypted = run_process({"openssl", "cms", "-encrypt", "-aes256", "-in", (dir / "secret").string(),
                                        "-outform", "SMIME", pki_file("bambang.cert.pem").string()});
    REQUIRE(encrypted.exit_code == 0);
    // The CLI writes MIME-Version first: the entity is its Content-* fields.
    const auto report = verify(opaque_around(mime_part_of(crlf(encrypted.out)), {"alice"}, k_alice));
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == Finding::signed_ciphertext);
}

TEST_CASE("SM-16: more signed layers than the cap is permerror, not a crash", "[smime][verifier][layers][limits]") {
    std::string entity = mime_part_of(signed_by("alice", k_alice));
    for (int i = 0; i < 3; ++i)
        entity = mime_part_of(crlf(opaque_around(entity, {"alice"}, k_alice)));
    const std::string message = header_for(k_alice) + entity;
    CHECK(verify(message).verdict == Verdict::pass); // four layers: within the default cap
    segel::smime::VerifyOptions options;
    options.max_layers = 3;
    const auto capped = verify(message, options);
    CHECK(capped.verdict == Verdict::permerror);
    CHECK(capped.finding == Finding::over_limit);
    CHECK_THAT(capped.reason, Catch::Contains("layers"));
}

// ---- caps (SM-16, CH-11, SEC-07) --------------------------------------------------

TEST_CASE("SM-16: caps on parts, MIME depth, certificates and key size give permerror", "[smime][verifier][limits]") {
    segel::smime::VerifyOptions options;
    SECTION("parts") {
        std::string many = header_for(k_alice) + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
        for (int i = 0; i < 20; ++i)
            many += "--b\r\nContent-Type: text/plain\r\n\r\nbagian\r\n";
        many += "--b--\r\n";
        CHECK(verify(many).verdict == Verdict::none);
        options.max_parts = 10;
        const auto report = verify(many, options);
        CHECK(report.verdict == Verdict::permerror);
        CHECK_THAT(report.reason, Catch::Contains("MIME parts"));
    }
    SECTION("MIME depth") {
        std::string deep = "Content-Type: text/plain\r\n\r\ndasar\r\n";
        for (int i = 0; i < 12; ++i)
            deep = "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n--b" +
                   std::to_string(i) + "\r\n" + deep + "\r\n--b" + std::to_string(i) + "--\r\n";
        const std::string message = header_for(k_alice) + deep;
        CHECK(verify(message).verdict == Verdict::none);
        options.max_mime_depth = 8;
        const auto report = verify(message, options);
        CHECK(report.verdict == Verdict::permerror);
        CHECK_THAT(report.reason, Catch::Contains("nested too deeply"));
    }
    SECTION("certificates") {
        options.max_certificates = 1; // our signature carries the signer and its issuing CA
        const auto report = verify(signed_by("alice", k_alice), options);
        CHECK(report.verdict == Verdict::permerror);
        CHECK_THAT(report.reason, Catch::Contains("certificates"));
    }
    SECTION("decoded bytes") {
        options.max_decoded_bytes = 200;
        const auto report = verify(opaque_around(crlf("Content-Type: text/plain\n\nIsi.\n"), {"alice"}, k_alice), options);
        CHECK(report.verdict == Verdict::permerror);
        CHECK_THAT(report.reason, Catch::Contains("decoded"));
    }
    SECTION("key size (SEC-07)") {
        options.max_rsa_bits = 1024; // alice's key has 2048 bits
        const auto report = verify(signed_by("alice", k_alice), options);
        CHECK(report.verdict == Verdict::permerror);
        CHECK_THAT(report.reason, Catch::Contains("key is larger"));
        REQUIRE(report.signers.size() == 1);
        CHECK(report.signers.front().key_too_large);
    }
}

// ---- signed parts among unsigned ones (SEC-02; JYAF m1-m4) ------------------------

TEST_CASE("SEC-02: a signed part with unsigned siblings is policy in every arrangement", "[smime][verifier][spoofing]") {
    const std::string signed_part = mime_part_of(signed_by("alice", k_alice));
    const std::string text = "Content-Type: text/plain\r\n\r\nPerintah transfer dana.\r\n";
    const std::string html = "Content-Type: text/html\r\n\r\n<p>Perintah transfer dana.</p>"
                             "<div style=\"display:none\">\r\n";
    std::string message;
    SECTION("m1: unsigned text before the signed part") { message = mixed(k_alice, text, signed_part, ""); }
    SECTION("m1: unsigned text after the signed part") { message = mixed(k_alice, "", signed_part, text); }
    SECTION("m2: unsigned HTML hiding the signed part") { message = mixed(k_alice, html, signed_part, "Content-Type: text/html\r\n\r\n</div>"); }
    SECTION("m2: multipart/alternative offering an unsigned rendering") {
        message = mixed(k_alice, "", signed_part, html, "alternative");
    }
    SECTION("m4: unsigned HTML that shows the signed part by reference (multipart/related)") {
        const std::string referencing = "Content-Type: text/html\r\n\r\n<p>Lihat:</p><iframe src=\"cid:ttd@x\"></iframe>\r\n";
        message = mixed(k_alice, referencing, "Content-ID: <ttd@x>\r\n" + signed_part, "", "related");
    }
    SECTION("m3: a signed message forwarded inside an unsigned one") {
        const std::string forwarded = "Content-Type: message/rfc822\r\n\r\n" + signed_by("alice", k_alice);
        message = mixed(k_alice, text, forwarded, "");
    }
    const auto report = verify(message);
    INFO(report.reason);
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == Finding::partly_signed);
}

TEST_CASE("SEC-02: a forwarded signed message alone is not the sender's signature", "[smime][verifier][spoofing]") {
    const std::string message = header_for(k_alice) + "Content-Type: message/rfc822\r\n\r\n" +
                                signed_by("alice", k_alice);
    CHECK(verify(message).verdict == Verdict::policy);
}

// ---- extra SignerInfos (SEC-03 c2) ------------------------------------------------

TEST_CASE("CMS-04: two valid signers, one of them not the sender, is policy and names both", "[smime][verifier][spoofing]") {
    const std::string content = crlf("Content-Type: text/plain\n\nDua penanda tangan.\n");
    const auto report = verify(opaque_around(content, {"bambang", "alice"}, k_alice));
    CHECK(report.verdict == Verdict::policy);
    CHECK(report.finding == Finding::not_the_sender);
    REQUIRE(report.signers.size() == 2);
    CHECK(report.passing_signer() == nullptr);
    CHECK_THAT(report.reason, Catch::Contains("bambang@tangerangkota.go.id policy") &&
                                  Catch::Contains("alice@tangerangkota.go.id pass"));
    // Every signer valid and the sender: pass.
    SecondSigner again{pki_file("alice.cert.pem").string(), pki_file("alice.key.pem").string(), content, false,
                       pki_file("chain.pem").string()};
    const auto both = verify("From: " + k_alice + "\r\nSubject: dua\r\n" + opaque_with_second_signer(content, pki_file("alice.cert.pem").string(),
                                                                             pki_file("alice.key.pem").string(), again));
    INFO(both.reason);
    CHECK(both.verdict == Verdict::pass);
}

TEST_CASE("CMS-04: a SignerInfo whose digest does not match makes the message fail beside a valid one, in either order",
          "[smime][verifier][spoofing]") {
    // OpenSSL writes SignerInfos sorted (DER SET OF), so the order on the wire
    // follows the signed attributes: a few other contents give both orders.
    const std::string content = crlf("Content-Type: text/plain\n\nIsi yang ditandatangani.\n");
    std::set<std::size_t> forged_at;
    for (const std::string& user : {std::string("alice"), std::string("bambang")}) {
        for (int variant = 0; variant < 6; ++variant) {
            INFO("second signer " << user << ", other content " << variant);
            SecondSigner second{pki_file(user + ".cert.pem").string(), pki_file(user + ".key.pem").string(),
                                crlf("Content-Type: text/plain\n\nIsi lain " + std::to_string(variant) + ".\n"),
                                variant % 2 == 0, pki_file("chain.pem").string()};
            const auto report = verify("From: " + k_alice + "\r\nSubject: dua\r\n" +
                                       opaque_with_second_signer(content, pki_file("alice.cert.pem").string(),
                                                                 pki_file("alice.key.pem").string(), second));
            CHECK(report.verdict == Verdict::fail);
            CHECK(report.finding == Finding::content_changed);
            REQUIRE(report.signers.size() == 2);
            const SignerReport& forged = report.signers[report.deciding_signer];
            CHECK_FALSE(forged.digest_matches);
            CHECK(report.signers[1 - report.deciding_signer].digest_matches);
            CHECK_THAT(report.reason, Catch::Contains("signer " + std::to_string(report.deciding_signer + 1) + " of 2"));
            CHECK(report.passing_signer() == nullptr);
            forged_at.insert(report.deciding_signer);
        }
    }
    CHECK(forged_at.size() == 2); // the forged SignerInfo came first and last
}

TEST_CASE("SEC-03 c2: a valid stranger's SignerInfo does not lend its validity to a forged sender's",
          "[smime][verifier][spoofing]") {
    TempDir dir;
    const auto [cert, key] = self_signed_certificate(dir, k_alice);
    const std::string content = crlf("Content-Type: text/plain\n\nSignerInfo tambahan.\n");
    for (const auto& order : {std::vector<std::string>{"bambang", cert + ":" + key},
                              std::vector<std::string>{cert + ":" + key, "bambang"}}) {
        const auto report = verify(opaque_around(content, order, k_alice));
        CHECK(report.verdict == Verdict::policy);
        CHECK(report.passing_signer() == nullptr);
    }
}

// ---- protected header fields (RFC 9788) --------------------------------------------

TEST_CASE("RFC 9788: a From outside the signature that is not the signed From is policy", "[smime][verifier][spoofing]") {
    const auto protected_part = [](const std::string& signed_from) {
        return crlf("Content-Type: text/plain; charset=us-ascii; hp=\"clear\"\nFrom: " + signed_from +
                    "\nSubject: Kontrak\n\nKontrak dibatalkan.\n");
    };
    const auto same = verify(opaque_around(protected_part(k_alice), {"alice"}, k_alice));
    CHECK(same.verdict == Verdict::pass);
    // alice signed a message from alice; someone resends it with bambang in the visible From
    // (and bambang's address is not alice's certificate's, so the outer check alone would say so too).
    const auto moved = verify(opaque_around(protected_part(k_alice), {"alice"}, "bambang@tangerangkota.go.id"));
    CHECK(moved.verdict == Verdict::policy);
    // alice signed protected headers naming bambang as the author: her certificate matches the
    // outer From, but what she signed says otherwise.
    const auto contradicted = verify(opaque_around(protected_part("bambang@tangerangkota.go.id"), {"alice"}, k_alice));
    CHECK(contradicted.verdict == Verdict::policy);
    CHECK(contradicted.finding == Finding::unprotected_from);
    CHECK_THAT(contradicted.reason, Catch::Contains("bambang@tangerangkota.go.id"));
    // The draft's parameter (notmuch, Thunderbird) counts the same.
    const std::string draft = crlf("Content-Type: text/plain; protected-headers=\"v1\"\nFrom: bambang@tangerangkota.go.id\n\nIsi.\n");
    CHECK(verify(opaque_around(draft, {"alice"}, k_alice)).finding == Finding::unprotected_from);
}
