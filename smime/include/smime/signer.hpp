// The S/MIME signer: turns an RFC 5322 message (a MimeEntity) into an
// RFC 8551 multipart/signed message signed by one SigningIdentity.
//
// Outcome: a SignedEntity (the rewritten entity: header fields dropped and
// added, and the new body), or LeftUntouched when the message is S/MIME
// already. Refusals are Errors (see error.hpp): a
// certificate not fit to sign now, From not exactly one mailbox covered by
// the certificate, or a message that cannot be signed faithfully. Reentrant:
// one call per message; a SigningIdentity may be shared between threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "smime/error.hpp"
#include "smime/message_spool.hpp"
#include "smime/mime_entity.hpp"
#include "smime/signing_identity.hpp"
#include "smime/temp_file.hpp"

namespace segel::smime {

struct SignOptions {
    std::filesystem::path temp_dir = std::filesystem::temp_directory_path();
    // The time the certificate must be valid at; empty means now.
    std::optional<Certificate::TimePoint> at;
    // When set, added below the message before signing (Tangerang art. 14).
    std::string footer_text;
    // MIME entities a message may have; a message whose lines could make
    // more is refused as message_too_large before it is parsed (SM-16).
    std::size_t max_parts = 1000;
    // The sender's certificate for encrypted replies (RFC 8551 §2.5.3):
    // named by SMIMEEncryptionKeyPreference and carried in the signature.
    std::optional<Certificate> encryption_certificate;
};

struct SignedEntity {
    MimeEntity entity;         // the message as multipart/signed
    std::string sender;        // the From addr-spec that was signed for
    std::string signer_serial; // hex serial of the signing certificate
};

struct LeftUntouched {
    std::string reason;
};

using SignOutcome = std::variant<SignedEntity, LeftUntouched>;

// The sign step, entity -> entity: part 1 holds the MIME header fields and
// the content, canonical (RFC 8551 §3.1.1), part 2 the detached signature
// (§3.5.3); the top-level MIME fields are replaced by the multipart/signed
// ones (SM-04). A changed entity is spooled again first, so steps compose.
Result<SignOutcome> sign(const MimeEntity& entity, const SigningIdentity& identity, const SignOptions& options = {});

} // namespace segel::smime
