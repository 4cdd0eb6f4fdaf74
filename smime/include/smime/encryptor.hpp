// The encrypt step, entity -> entity (RFC 8551 §3.3): the entity's MIME
// part (its Content-* header fields and its body) becomes the content of a
// CMS EnvelopedData (AES-256-CBC) or AuthEnvelopedData (AES-256-GCM, RFC
// 5083/5084) with one RecipientInfo per certificate, identified by issuer
// and serial; every other header field (From, To, Subject, ...) stays
// outside. For sign-then-encrypt (§3.7) pass the entity the sign step
// returned: its body is canonical already (7-bit, CRLF). Key transport is
// RSA PKCS#1 v1.5 or RSA-OAEP with SHA-256 for RSA keys, ECDH (RFC 5753)
// for EC keys (SM-12, OSSL-13).
//
// Each certificate must be fit to encrypt to at the time of the step
// (check_encryption_certificate: dates, key usage); path validation to an
// anchor and revocation are the caller's to check first (CH-01, ENC-02).
// Memory does not grow with the message: content, envelope and the base64
// body stream through temp files. Reentrant; one call per message.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smime/certificate.hpp"
#include "smime/error.hpp"
#include "smime/mime_entity.hpp"

namespace segel::smime {

enum class ContentCipher { aes256_cbc, aes256_gcm };
enum class RsaKeyTransport { pkcs1_v1_5, oaep_sha256 };

struct EncryptOptions {
    std::filesystem::path temp_dir = std::filesystem::temp_directory_path();
    ContentCipher cipher = ContentCipher::aes256_cbc;           // what Thunderbird, gpgsm and Outlook open
    RsaKeyTransport rsa_transport = RsaKeyTransport::pkcs1_v1_5;
    std::optional<Certificate::TimePoint> at;                   // empty: now
};

struct EncryptedEntity {
    MimeEntity entity;     // application/pkcs7-mime, base64
    std::string algorithm; // "aes256-cbc" or "aes256-gcm", for the log
};

Result<EncryptedEntity> encrypt(const MimeEntity& entity, const std::vector<Certificate>& recipients,
                                const EncryptOptions& options = {});

std::string_view to_string(ContentCipher cipher) noexcept;
std::string_view to_string(RsaKeyTransport transport) noexcept;

} // namespace segel::smime
