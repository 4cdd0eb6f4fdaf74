// The encrypt step (smime/encryptor.hpp): sign-then-encrypt entities opened
// by the OpenSSL CLI with each recipient's key, and the inner signature
// verified after (RFC 8551 §3.3, §3.7; SM-12, OSSL-13, ENC-02).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "smime/encryptor.hpp"
#include "external_verifiers.hpp"
#include "smime/signer.hpp"
#include "test_support.hpp"

using namespace segel;
using namespace segel::test;

namespace {

const std::string k_message = crlf("From: Alice Rahmawati <alice@tangerangkota.go.id>\n"
                                   "To: Mitra <mitra@mitra.example>, Rekan <rekan@example.org>\n"
                                   "Subject: Rahasia\nMIME-Version: 1.0\n"
                                   "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                                   "Laporan keuangan terlampir. Mohon dijaga kerahasiaannya.\n");

smime::MimeEntity signed_entity(const std::string& text) {
    auto spooled = spool_text(text);
    REQUIRE(spooled.has_value());
    auto outcome = smime::sign(smime::MimeEntity::of(std::move(spooled).value()), demo_identity("alice"));
    REQUIRE(outcome.has_value());
    REQUIRE(std::holds_alternative<smime::SignedEntity>(*outcome));
    return std::get<smime::SignedEntity>(*outcome).entity;
}

smime::Certificate certificate_of(const std::string& user) {
    auto loaded = smime::Certificate::load_pem_file(pki_file(user + ".cert.pem").string());
    REQUIRE(loaded.has_value());
    return loaded->front();
}

// What `openssl cms -decrypt` gives with the user's key; fails the test if
// it cannot decrypt.
std::string openssl_decrypt(const std::string& message, const std::string& user) {
    const auto opened = decrypt_with_openssl(message, user);
    INFO(opened.detail);
    REQUIRE(opened.ok);
    return opened.content;
}

void check_inner_signature(const std::string& inner) {
    TempDir dir;
    write_file(dir / "inner.eml", inner);
    const auto run = run_process({"openssl", "smime", "-verify", "-in", (dir / "inner.eml").string(), "-CAfile",
                                  pki_file("root.pem").string(), "-out", "/dev/null"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
}

std::string header_of(const std::string& message) { return message.substr(0, message.find("\r\n\r\n") + 2); }

} // namespace

TEST_CASE("encrypt: a signed entity is enveloped for each recipient, the outer fields stay (RFC 8551 3.3, 3.7)",
          "[smime][encrypt]") {
    const auto inner = signed_entity(k_message);
    auto encrypted = smime::encrypt(inner, {certificate_of("mitra"), certificate_of("rekan")});
    REQUIRE(encrypted.has_value());
    CHECK(encrypted->algorithm == "aes256-cbc");
    const std::string message = entity_text(encrypted->entity);
    const std::string header = header_of(message);
    CHECK_THAT(header, Catch::Contains("From: Alice Rahmawati <alice@tangerangkota.go.id>\r\n"));
    CHECK_THAT(header, Catch::Contains("Subject: Rahasia\r\n"));
    CHECK_THAT(header, Catch::Contains("Content-Type: application/pkcs7-mime; smime-type=enveloped-data"));
    CHECK_THAT(header, Catch::Contains("Content-Transfer-Encoding: base64\r\n"));
    CHECK_THAT(header, !Catch::Contains("multipart/signed"));
    CHECK(message.find("Laporan") == std::string::npos);

    // Each recipient opens it with their own key: RSA (key transport) and EC
    // (key agreement); the content is the signed entity's MIME part.
    const std::string opened_rsa = openssl_decrypt(message, "mitra");
    const std::string opened_ec = openssl_decrypt(message, "rekan");
    CHECK(opened_rsa == opened_ec);
    CHECK_THAT(opened_rsa, Catch::StartsWith("Content-Type: multipart/signed;"));
    CHECK_THAT(opened_rsa, Catch::Contains("Laporan keuangan terlampir."));
    CHECK_THAT(opened_rsa, !Catch::Contains("Subject:"));
    check_inner_signature(opened_rsa);
}

TEST_CASE("encrypt: AES-256-CBC with RSA PKCS#1 v1.5 opens in gpgsm and NSS, and the inner signature verifies there",
          "[smime][encrypt][external]") {
    auto encrypted = smime::encrypt(signed_entity(k_message), {certificate_of("mitra"), certificate_of("alice-enc")});
    REQUIRE(encrypted.has_value());
    const std::string message = entity_text(encrypted->entity);
    const std::string expected = openssl_decrypt(message, "alice-enc");
    const std::string der = enveloped_der(message);
    for (const std::string user : {"mitra", "alice-enc"}) {
        INFO(user);
        const auto by_gpgsm = decrypt_with_gpgsm(der, user);
        INFO(by_gpgsm.detail);
        CHECK(by_gpgsm.ok);
        CHECK(by_gpgsm.content == expected);
        const auto by_nss = decrypt_with_nss(der, user);
        INFO(by_nss.detail);
        CHECK(by_nss.ok);
        CHECK(by_nss.content == expected);
    }
    const auto parts = split_signed_message(expected);
    const auto gpgsm_verdict = verify_with_gpgsm(parts, "alice@tangerangkota.go.id");
    INFO(gpgsm_verdict.detail);
    CHECK(gpgsm_verdict.good);
    const auto nss_verdict = verify_with_nss(parts, "Alice Rahmawati");
    INFO(nss_verdict.detail);
    CHECK(nss_verdict.good);
}

TEST_CASE("encrypt: AES-256-GCM makes AuthEnvelopedData, RSA-OAEP with SHA-256 opens (SM-12, OSSL-13)",
          "[smime][encrypt]") {
    smime::EncryptOptions options;
    options.cipher = smime::ContentCipher::aes256_gcm;
    options.rsa_transport = smime::RsaKeyTransport::oaep_sha256;
    auto encrypted = smime::encrypt(signed_entity(k_message), {certificate_of("mitra")}, options);
    REQUIRE(encrypted.has_value());
    CHECK(encrypted->algorithm == "aes256-gcm");
    const std::string message = entity_text(encrypted->entity);
    CHECK_THAT(header_of(message), Catch::Contains("smime-type=authEnveloped-data"));
    TempDir dir;
    write_file(dir / "m.eml", message);
    const auto printed = run_process({"openssl", "cms", "-cmsout", "-print", "-in", (dir / "m.eml").string()});
    REQUIRE(printed.exit_code == 0);
    CHECK_THAT(printed.out, Catch::Contains("id-smime-ct-authEnvelopedData"));
    CHECK_THAT(printed.out, Catch::Contains("rsaesOaep"));
    CHECK_THAT(printed.out, Catch::Contains("aes-256-gcm"));
    check_inner_signature(openssl_decrypt(message, "mitra"));
}

TEST_CASE("encrypt: every RecipientInfo names its certificate by issuer and serial, one per certificate",
          "[smime][encrypt]") {
    auto encrypted = smime::encrypt(signed_entity(k_message),
                                    {certificate_of("mitra"), certificate_of("alice-enc"), certificate_of("rekan")});
    REQUIRE(encrypted.has_value());
    TempDir dir;
    write_file(dir / "m.eml", entity_text(encrypted->entity));
    const auto printed = run_process({"openssl", "cms", "-cmsout", "-print", "-in", (dir / "m.eml").string()});
    REQUIRE(printed.exit_code == 0);
    std::size_t named = 0;
    for (auto at = printed.out.find("issuerAndSerialNumber"); at != std::string::npos;
         at = printed.out.find("issuerAndSerialNumber", at + 1))
        ++named;
    CHECK(named == 3);
    CHECK_THAT(printed.out, !Catch::Contains("subjectKeyIdentifier"));
    CHECK_THAT(printed.out, Catch::Contains("dhSinglePass-stdDH-sha256kdf-scheme"));
}

TEST_CASE("encrypt: a certificate unfit to encrypt to is refused, naming why (ENC-02)", "[smime][encrypt]") {
    const auto inner = signed_entity(k_message);
    // alice's signing certificate: digitalSignature and nonRepudiation only.
    auto signing_only = smime::encrypt(inner, {certificate_of("mitra"), certificate_of("alice")});
    REQUIRE_FALSE(signing_only.has_value());
    CHECK(signing_only.error().kind == smime::ErrorKind::certificate_key_usage);
    auto expired = smime::encrypt(inner, {certificate_of("eko")});
    REQUIRE_FALSE(expired.has_value());
    CHECK(expired.error().kind == smime::ErrorKind::certificate_expired);
    CHECK_FALSE(smime::encrypt(inner, {}).has_value());
}

TEST_CASE("encrypt: a large attachment streams through and opens unchanged", "[smime][encrypt]") {
    std::string attachment;
    for (int line = 0; line < 40000; ++line)
        attachment += "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\n";
    const std::string text = crlf("From: alice@tangerangkota.go.id\nTo: mitra@mitra.example\nSubject: Besar\n"
                                  "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
                                  "Content-Type: text/plain\n\nLampiran.\n--b\nContent-Type: application/octet-stream\n"
                                  "Content-Transfer-Encoding: base64\n\n" + attachment + "--b--\n");
    auto encrypted = smime::encrypt(signed_entity(text), {certificate_of("mitra")});
    REQUIRE(encrypted.has_value());
    const std::string opened = openssl_decrypt(entity_text(encrypted->entity), "mitra");
    CHECK(opened.find(crlf(attachment)) != std::string::npos);
    check_inner_signature(opened);
}

TEST_CASE("encrypt: every cipher and key transport opens in Bouncy Castle with the recipient's key (SM-12)",
          "[smime][encrypt][external]") {
    struct Shape {
        smime::ContentCipher cipher;
        smime::RsaKeyTransport transport;
        std::vector<std::string> users;
    };
    const Shape shapes[] = {
        {smime::ContentCipher::aes256_cbc, smime::RsaKeyTransport::pkcs1_v1_5, {"mitra"}},
        {smime::ContentCipher::aes256_cbc, smime::RsaKeyTransport::pkcs1_v1_5, {"rekan"}},
        {smime::ContentCipher::aes256_gcm, smime::RsaKeyTransport::oaep_sha256, {"mitra", "rekan"}},
    };
    const auto inner = signed_entity(k_message);
    for (const auto& shape : shapes) {
        smime::EncryptOptions options;
        options.cipher = shape.cipher;
        options.rsa_transport = shape.transport;
        std::vector<smime::Certificate> recipients;
        for (const auto& user : shape.users)
            recipients.push_back(certificate_of(user));
        auto encrypted = smime::encrypt(inner, recipients, options);
        REQUIRE(encrypted.has_value());
        const std::string message = entity_text(encrypted->entity);
        for (const auto& user : shape.users) {
            INFO(encrypted->algorithm << " " << smime::to_string(shape.transport) << " " << user);
            const auto opened = decrypt_with_bouncy_castle(enveloped_der(message), user);
            INFO(opened.detail);
            CHECK(opened.ok);
            CHECK(opened.content == openssl_decrypt(message, user));
        }
    }
}
