// Independent verifiers for what the signer produces: the OpenSSL CLI,
// gpgsm (libksba) and NSS's cmsutil (Thunderbird's crypto library), each
// trusting only the demo root. Also an RFC 2046 splitter of multipart/signed
// written for the tests, so the signer's own code never checks itself.
#pragma once

#include <string>
#include <vector>

namespace segel::test {

struct SignedParts {
    std::string header;          // top-level header section, without the blank line
    std::string content_type;    // unfolded top-level Content-Type value
    std::string boundary;
    std::string part1;           // the exact bytes between the first two delimiters
    std::string part2;           // the signature entity, header and body
    std::string signature_der;   // part 2's body, base64-decoded
};

// Splits a multipart/signed message per RFC 2046 §5.1.1; throws when the
// message does not have that shape.
SignedParts split_signed_message(const std::string& message);

struct Verdict {
    bool good = false;
    std::string detail; // what the verifier said
};

// openssl cms -verify -binary over the whole message; `expected_email` must be
// the signer certificate's email.
Verdict verify_with_openssl(const std::string& message, const std::string& expected_email);
// gpgsm --verify of the detached signature; GOODSIG and TRUST_FULLY required,
// and the signer's "aka" email must be expected_email.
Verdict verify_with_gpgsm(const SignedParts& parts, const std::string& expected_email);
// cmsutil -D with certUsageEmailSigner; signer0.status must be GoodSignature
// and the signer's name expected_name.
Verdict verify_with_nss(const SignedParts& parts, const std::string& expected_name);

// Decryptors for what the encrypt step produces, each with a demo user's
// key (for gpgsm and NSS imported once into the same home and database).
struct Decrypted {
    bool ok = false;
    std::string content; // the decrypted bytes
    std::string detail;  // what the decryptor said
};
// The DER of an application/pkcs7-mime message: its body, base64-decoded.
std::string enveloped_der(const std::string& message);
// The application/pkcs7-mime message with one byte of its DER flipped
// (XOR `mask`), `from_end` bytes before the DER's end: a damaged ciphertext.
std::string with_enveloped_byte_flipped(const std::string& message, std::size_t from_end, unsigned char mask = 0x20);
// gpgsm --decrypt (libksba, gpgsm 2.2: AES-CBC with RSA PKCS#1 v1.5 only).
Decrypted decrypt_with_gpgsm(const std::string& der, const std::string& user);
// cmsutil -D with the key in the NSS database (Thunderbird's library).
Decrypted decrypt_with_nss(const std::string& der, const std::string& user);

// Encryptors independent of Segel, for the decrypt step: `entity` (a MIME
// entity: Content-* fields, blank line, body) enveloped by the OpenSSL CLI
// for each demo user, as a whole message with `outer_fields` (From, To,
// Subject ...) before its MIME fields. `extra` are more `openssl cms`
// options, given after the recipients: "-aes-256-gcm", "-keyid", "-keyopt",
// "rsa_padding_mode:oaep" (for the last recipient) ...
std::string openssl_encrypted_message(const std::string& outer_fields, const std::string& entity,
                                      const std::vector<std::string>& users,
                                      const std::vector<std::string>& extra = {"-aes256"});

// openssl cms -decrypt of a whole application/pkcs7-mime message.
Decrypted decrypt_with_openssl(const std::string& message, const std::string& user);

// Bouncy Castle (Debian libbcpkix-java, tests/tools/BcDecrypt.java): every
// cipher, key transport and key agreement the encrypt step makes.
Decrypted decrypt_with_bouncy_castle(const std::string& der, const std::string& user);

// Subjects of the certificates carried in a SignedData (openssl pkcs7).
std::vector<std::string> embedded_certificate_subjects(const std::string& signature_der);

} // namespace segel::test
