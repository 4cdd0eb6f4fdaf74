// What the signer must refuse, and what it must leave alone. Each refusal is
// checked by its error kind.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using segel::smime::ErrorKind;
using segel::smime::LeftUntouched;
using segel::test::crlf;
using segel::test::demo_identity;
using segel::test::sign_text;

namespace {

std::string simple_message(const std::string& from) {
    return crlf("From: " + from + "\nTo: warga@example.com\nSubject: Undangan rapat\n"
                "Date: Sat, 21 Nov 2026 09:00:00 +0700\nMessage-ID: <r1@tangerangkota.go.id>\n\nIsi surat.\n");
}

ErrorKind refusal(const std::string& message, const std::string& user) {
    auto outcome = sign_text(message, demo_identity(user));
    INFO("the signer accepted a message it must refuse");
    REQUIRE_FALSE(outcome.has_value());
    INFO("detail: " << outcome.error().detail);
    return outcome.error().kind;
}

} // namespace

TEST_CASE("an expired certificate is refused (certificate_expired)", "[smime][refusal]") {
    CHECK(refusal(simple_message("eko@tangerangkota.go.id"), "eko") == ErrorKind::certificate_expired);
}

TEST_CASE("a not yet valid certificate is refused (certificate_not_yet_valid)", "[smime][refusal]") {
    CHECK(refusal(simple_message("fajar@tangerangkota.go.id"), "fajar") == ErrorKind::certificate_not_yet_valid);
}

TEST_CASE("CH-06: key usage without digitalSignature or nonRepudiation is refused", "[smime][refusal]") {
    CHECK(refusal(simple_message("hadi@tangerangkota.go.id"), "hadi") == ErrorKind::certificate_key_usage);
}

TEST_CASE("CH-07: an EKU without emailProtection is refused", "[smime][refusal]") {
    CHECK(refusal(simple_message("gita@tangerangkota.go.id"), "gita") == ErrorKind::certificate_extended_key_usage);
}

TEST_CASE("a From address the certificate does not name is refused", "[smime][refusal]") {
    CHECK(refusal(simple_message("bambang@tangerangkota.go.id"), "alice") == ErrorKind::certificate_address_mismatch);
    // The display name is never the identity: only the addr-spec counts (CH-04).
    CHECK(refusal(simple_message("\"alice@tangerangkota.go.id\" <bambang@tangerangkota.go.id>"), "alice") ==
          ErrorKind::certificate_address_mismatch);
}

TEST_CASE("CH-04: the From address matches the certificate case-insensitively", "[smime][refusal]") {
    auto outcome = sign_text(simple_message("Alice <ALICE@TangerangKota.go.id>"), demo_identity("alice"));
    REQUIRE(outcome.has_value());
    CHECK(std::holds_alternative<segel::smime::SignedEntity>(*outcome));
}

TEST_CASE("SEC-04: zero or several From fields or mailboxes are refused (ambiguous_sender)", "[smime][refusal]") {
    const std::string body = "To: warga@example.com\nSubject: x\n\nIsi.\n";
    SECTION("no From field") { CHECK(refusal(crlf(body), "alice") == ErrorKind::ambiguous_sender); }
    SECTION("two From fields") {
        CHECK(refusal(crlf("From: alice@tangerangkota.go.id\nFrom: alice@tangerangkota.go.id\n" + body), "alice") ==
              ErrorKind::ambiguous_sender);
        CHECK(refusal(crlf("From: alice@tangerangkota.go.id\nFrom: bambang@tangerangkota.go.id\n" + body), "alice") ==
              ErrorKind::ambiguous_sender);
    }
    SECTION("two mailboxes in one From field") {
        CHECK(refusal(crlf("From: alice@tangerangkota.go.id, bambang@tangerangkota.go.id\n" + body), "alice") ==
              ErrorKind::ambiguous_sender);
    }
    SECTION("an empty group") {
        CHECK(refusal(crlf("From: undisclosed:;\n" + body), "alice") == ErrorKind::ambiguous_sender);
    }
    SECTION("a From field with no address") { CHECK(refusal(crlf("From: \n" + body), "alice") == ErrorKind::ambiguous_sender); }
}

TEST_CASE("broken MIME boundaries are refused (malformed_message)", "[smime][refusal]") {
    const std::string head = "From: alice@tangerangkota.go.id\nSubject: x\nMIME-Version: 1.0\n";
    SECTION("multipart without a boundary parameter") {
        CHECK(refusal(crlf(head + "Content-Type: multipart/mixed\n\n--b\n\nx\n--b--\n"), "alice") ==
              ErrorKind::malformed_message);
    }
    SECTION("a boundary that never occurs") {
        CHECK(refusal(crlf(head + "Content-Type: multipart/mixed; boundary=\"b\"\n\nno parts here\n"), "alice") ==
              ErrorKind::malformed_message);
    }
    SECTION("no closing delimiter") {
        CHECK(refusal(crlf(head + "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n"
                                  "one\n--b\nContent-Type: text/plain\n\ntwo\n"),
                      "alice") == ErrorKind::malformed_message);
    }
    SECTION("two Content-Type fields (SEC-04)") {
        CHECK(refusal(crlf(head + "Content-Type: text/plain\nContent-Type: text/html\n\nx\n"), "alice") ==
              ErrorKind::malformed_message);
    }
}

TEST_CASE("a message already S/MIME signed or encrypted is left untouched, not refused", "[smime][untouched]") {
    const std::string head = "From: alice@tangerangkota.go.id\nSubject: x\nMIME-Version: 1.0\n";
    const std::string type = GENERATE(
        std::string("multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"s\""),
        std::string("multipart/signed; protocol=\"application/x-pkcs7-signature\"; micalg=sha1; boundary=\"s\""),
        std::string("application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m"),
        std::string("application/x-pkcs7-mime; smime-type=signed-data; name=smime.p7m"),
        std::string("application/octet-stream; name=\"smime.p7m\""));
    const bool multipart = type.rfind("multipart", 0) == 0;
    const std::string body = multipart ? "--s\nContent-Type: text/plain\n\nx\n--s\nContent-Type: "
                                         "application/pkcs7-signature\nContent-Transfer-Encoding: base64\n\nMIAG\n--s--\n"
                                       : "MIAGCSqGSIb3DQEHA6CAMIACAQAxggE=\n";
    INFO("Content-Type: " << type);
    auto outcome = sign_text(crlf(head + "Content-Type: " + type + "\nContent-Transfer-Encoding: " +
                                  (multipart ? "7bit" : "base64") + "\n\n" + body),
                             demo_identity("alice"));
    REQUIRE(outcome.has_value());
    REQUIRE(std::holds_alternative<LeftUntouched>(*outcome));
    CHECK_THAT(std::get<LeftUntouched>(*outcome).reason, Catch::Contains("already S/MIME"));
}

TEST_CASE("wrong passphrase and a key that does not match are bad_credentials", "[smime][credentials]") {
    using segel::smime::Passphrase;
    using segel::smime::SigningIdentity;
    using segel::test::pki_file;
    auto wrong = SigningIdentity::load_pkcs12(pki_file("alice.p12").string(), Passphrase("not-the-passphrase"));
    REQUIRE_FALSE(wrong.has_value());
    CHECK(wrong.error().kind == ErrorKind::bad_credentials);
    auto mismatched = SigningIdentity::load_pem(pki_file("alice.cert.pem").string(),
                                                pki_file("bambang.key.pem").string(), "", Passphrase());
    REQUIRE_FALSE(mismatched.has_value());
    CHECK(mismatched.error().kind == ErrorKind::bad_credentials);
}

TEST_CASE("8-bit data inside an already signed subpart cannot be re-encoded: refused", "[smime][refusal]") {
    // RFC 1847: the inner signed part must stay byte for byte, so nothing can make it 7-bit.
    const std::string head = "From: alice@tangerangkota.go.id\nSubject: x\nMIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=\"b\"\n\n";
    CHECK(refusal(crlf(head + "--b\nContent-Type: multipart/signed; protocol=\"application/pgp-signature\"; "
                              "micalg=pgp-sha256; boundary=\"s\"\n\n--s\nContent-Type: text/plain; charset=utf-8\n"
                              "Content-Transfer-Encoding: 8bit\n\nCaf\xc3\xa9\n--s\nContent-Type: "
                              "application/pgp-signature\n\nsig\n--s--\n--b--\n"),
                  "alice") == ErrorKind::unsupported_message);
}

TEST_CASE("8-bit data in message/partial cannot be re-encoded (RFC 2046 5.2.2: 7bit only): refused",
          "[smime][refusal]") {
    CHECK(refusal(crlf("From: alice@tangerangkota.go.id\nSubject: x\nMIME-Version: 1.0\n"
                       "Content-Type: message/partial; id=\"p@x\"; number=1; total=2\n\n"
                       "From: a@example.com\nSubject: bagian\n\nIsi caf\xc3\xa9\n"),
                  "alice") == ErrorKind::unsupported_message);
}

TEST_CASE("a part field with a parameter name over 64 octets and 8-bit data is refused, not formatted (fuzz)",
          "[smime][refusal]") {
    // GMime 3.2 never ends folding an RFC 2231 value whose name is 70 to 72
    // octets long; found by fuzzing as a 20 s hang. Kept in tests/fuzz/regressions.
    const std::string head = "From: alice@tangerangkota.go.id\nSubject: x\nMIME-Version: 1.0\n"
                             "Content-Type: multipart/mixed; boundary=\"b\"\n\n";
    std::string value;
    for (int i = 0; i < 40; ++i)
        value += "\xc3\xa9";
    for (std::size_t length : {65, 70, 71, 72}) {
        CAPTURE(length);
        CHECK(refusal(crlf(head + "--b\nContent-Disposition: attachment; " + std::string(length, 'x') + "=\"" +
                           value + "\"\n\nisi\n--b--\n"),
                      "alice") == ErrorKind::unsupported_message);
    }
    CHECK(sign_text(crlf(head + "--b\nContent-Disposition: attachment; " + std::string(64, 'x') + "=\"" + value +
                         "\"\n\nisi\n--b--\n"),
                    demo_identity("alice")));
}
