// The S/MIME signer: turns a spooled RFC 5322 message into an RFC 8551
// multipart/signed message signed by one SigningIdentity.
//
// Outcome: a SignedRewrite (what to change in the message: header fields to
// drop and add, and the new body), or LeftUntouched when the
// message is S/MIME already. Refusals are Errors (see error.hpp): a
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
};

struct NewHeaderField {
    std::string name;
    std::string value; // unfolded, without the leading space
};

// The multipart/signed body: preamble and first delimiter, part 1 exactly as
// signed (in its temp file, never copied), then the signature part and the
// closing delimiter. CRLF line ends throughout.
class SignedBody {
public:
    SignedBody(std::string head, TempFile part, std::string tail)
        : m_head(std::move(head)), m_part(std::move(part)), m_tail(std::move(tail)) {}

    Result<std::uint64_t> size() const;
    // Hands the body to `sink` in pieces of at most chunk_bytes, in order;
    // stops with an io_failure error if the sink returns false.
    Result<void> stream(std::size_t chunk_bytes, const std::function<bool(std::string_view)>& sink);

private:
    std::string m_head;
    TempFile m_part;
    std::string m_tail;
};

struct SignedRewrite {
    std::vector<std::string> removed_fields; // every top-level field of these names goes
    std::vector<NewHeaderField> added_fields; // appended after the remaining fields
    SignedBody body;                          // the new body
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
// the new body.
Result<void> write_signed_message(const SpooledMessage& message, SignedRewrite& rewrite, int out_fd);

} // namespace segel::smime
