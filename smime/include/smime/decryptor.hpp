// The decrypt step (RFC 8551 §3.3, RFC 5652 §6, RFC 5083), in two calls:
//
// find_envelope looks at where a message is encrypted. Only the
// cryptographic envelope may be opened: an application/pkcs7-mime (or an
// application/octet-stream named *.p7m, RFC 8551 §3.10) at the message's
// root whose CMS content type is EnvelopedData or AuthEnvelopedData, or
// directly inside outer signature layers (a multipart/signed's first part,
// an opaque signed-data's content; encrypt-then-sign). The smime-type
// parameter is not trusted; the CMS content type decides. An encrypted
// object anywhere else (inside multipart/mixed or /alternative, a
// forwarded message/rfc822) is `nested`: never opened
// (DEC-01, RFC 9787's errant cryptographic layers; what EFAIL's direct
// exfiltration needs). Caps on size, parts, depth and the number of
// RecipientInfos are errors of kind message_too_large (SM-16, DEC-03).
//
// decrypt opens a root envelope with the keys it is given. OpenSSL is
// called without the certificate, so its countermeasure against the
// million-message attack stays on (a wrong RSA PKCS#1 v1.5 key yields a
// random content key, not an error: OSSL-14, DEC-03). Every way it can fail
// (no key, wrong key, bad padding, bad GCM tag, malformed CMS, a plaintext
// that is not a MIME entity) is one error, decryption_failed, with one
// detail: no oracle. AuthEnvelopedData releases nothing unless the tag
// verifies; EnvelopedData (CBC) is malleable, so its result says it is not
// integrity-protected and the caller must gate its release (DEC-02).
//
// The result is the message with its Content-* fields replaced by the
// plaintext entity's and its body by the plaintext's; every other header
// field stays. Outer signature layers around the envelope signed only
// ciphertext, which the signer may never have seen: they are dropped with
// it (as Thunderbird ignores them), and the caller says so. The plaintext streams through a temp file. Reentrant.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <openssl/types.h>

#include "smime/certificate.hpp"
#include "smime/error.hpp"
#include "smime/mime_entity.hpp"
#include "smime/verifier.hpp"

namespace segel::smime {

// RFC 5652 §6.2: how a RecipientInfo names its recipient's certificate.
struct RecipientId {
    std::string issuer;         // with serial: the issuer DN as Certificate::issuer() writes it
    std::string serial;         // upper-case hex, as Certificate::serial_hex()
    std::string subject_key_id; // lower-case hex; set when issuer is empty
};

enum class EnvelopePlace {
    none,   // nothing encrypted anywhere in the message
    root,   // the message is the cryptographic envelope: it may be opened
    under_signature, // the envelope sits directly inside outer signature layers: it may be opened
    nested, // an encrypted object inside a container: never opened
};

enum class EnvelopeKind { enveloped, auth_enveloped };

struct EnvelopeLimits {
    std::size_t max_bytes = 64u << 20;      // the encoded CMS object, decoded
    std::size_t max_recipient_infos = 64;   // RecipientInfos (key agreement: each recipient key)
    std::size_t max_parts = 1000;           // MIME entities looked at
    int max_mime_depth = 32;
    int max_signature_layers = 4;           // around an envelope (encrypt-then-sign)
};

class Envelope {
public:
    EnvelopePlace place = EnvelopePlace::none;
    EnvelopeKind kind = EnvelopeKind::enveloped;
    int signature_layers = 0;              // under_signature: how many signature layers were around it
    bool readable = false;                 // root: the CMS object parsed (else decrypt fails)
    std::vector<RecipientId> recipients;   // root: every RecipientInfo's identifier, in order
    std::string cipher;                    // root: "aes-256-cbc", "aes-256-gcm", ... (for logs)
    std::shared_ptr<const std::string> der; // root: the decoded CMS object

    bool integrity_protected() const noexcept { return kind == EnvelopeKind::auth_enveloped; }
    bool openable() const noexcept { return place == EnvelopePlace::root || place == EnvelopePlace::under_signature; }
};

Result<Envelope> find_envelope(const MimeEntity& message, const EnvelopeLimits& limits = {});

struct DecryptionCredential {
    Certificate certificate;
    std::shared_ptr<EVP_PKEY> key;
};

struct DecryptedEntity {
    MimeEntity entity;
    std::size_t credential = 0; // index of the credential that opened it
};

// `envelope` must be find_envelope's openable result for `message`.
Result<DecryptedEntity> decrypt(const MimeEntity& message, const Envelope& envelope,
                                const std::vector<DecryptionCredential>& credentials,
                                const std::filesystem::path& temp_dir);

// DEC-02, after the decrypted message was verified: AuthEnvelopedData is
// released (its tag verified); EnvelopedData (CBC, malleable) only when
// its content is a signed entity whose signature passes, else released
// marked when `mark_unprotected`, else kept encrypted.
enum class Release { released, released_unprotected, kept_encrypted };
Release release_decision(const Envelope& envelope, Verdict inner_verdict, bool mark_unprotected);

// The one detail of every decryption_failed error.
inline constexpr const char* k_cannot_decrypt = "the message cannot be decrypted";

} // namespace segel::smime
