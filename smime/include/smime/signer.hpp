// The S/MIME signer: turns a spooled RFC 5322 message into an RFC 8551
// multipart/signed message signed by one SigningIdentity.
//
// Outcome: a SignedRewrite (what to change in the message: header fields to
// drop and add, and the new body in a temp file), or LeftUntouched when the
// message is S/MIME already. Refusals are Errors (see error.hpp): a
// certificate not fit to sign now, From not exactly one mailbox covered by
// the certificate, or a message that cannot be signed faithfully. Reentrant:
// one call per message; a SigningIdentity may be shared between threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "smime/error.hpp"
#include "smime/message_spool.hpp"
#include "smime/signing_identity.hpp"
#include "smime/temp_file.hpp"

namespace segel::smime {

struct SignOptions {
    std::filesystem::path temp_dir = std::filesystem::temp_directory_path();
    // The time the certificate must be valid at; empty means now.
    std::optional<Certificate::TimePoint> at;
    // When set, added below the message before signing (Tangerang art. 14).
    std::string footer_text;
};

struct NewHeaderField {
    std::string name;
    std::string value; // unfolded, without the leading space
};

struct SignedRewrite {
    std::vector<std::string> removed_fields; // every top-level field of these names goes
    std::vector<NewHeaderField> added_fields; // appended after the remaining fields
    TempFile body;                            // the new body, CRLF line ends, position at 0
    std::string sender;                       // the From addr-spec that was signed for
    std::string signer_serial;                // hex serial of the signing certificate
};

struct LeftUntouched {
    std::string reason;
};

using SignOutcome = std::variant<SignedRewrite, LeftUntouched>;

Result<SignOutcome> sign_message(const SpooledMessage& message, const SigningIdentity& identity,
                                 const SignOptions& options = {});

// Writes the signed message: the original header fields (line ends made
// CRLF) without the removed ones, the added ones (folded), a blank line and
// the new body. Rewinds rewrite.body.
Result<void> write_signed_message(const SpooledMessage& message, SignedRewrite& rewrite, int out_fd);

} // namespace segel::smime
