// MimeDocument: a spooled message parsed by GMime, and the work done on its
// MIME tree before signing: spotting S/MIME that is already there, and
// writing the entity to sign (part 1) in canonical 7-bit CRLF form.
// Content stays in the spool file (the parser keeps offsets, not copies), so
// memory does not grow with attachment size. Not thread-safe per object.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "gmime_handles.hpp"
#include "smime/error.hpp"
#include "smime/message_spool.hpp"
#include "smime/temp_file.hpp"

namespace segel::smime {

class MimeDocument {
public:
    // Parses the spool; parser warnings that make the structure ambiguous or
    // broken (GM-07) become malformed_message errors. A message whose lines
    // could make more than `max_parts` entities (structure_scan.hpp) is
    // refused before GMime reads it, as message_too_large (SM-16, SEC-07).
    static Result<MimeDocument> parse(const SpooledMessage& message, std::size_t max_parts);

    // The parsed message (borrowed; lives as long as this document).
    GMimeMessage* message() const noexcept { return m_message.get(); }

    // A description ("S/MIME signed (multipart/signed)") when the top-level
    // entity is S/MIME already (RFC 8551 §3.10 table, SM-08), else nullopt.
    std::optional<std::string> existing_smime() const;

    // Adds `text` (Tangerang art. 14 note) so the reader sees it below the
    // message: appended to a plain-text body, otherwise as a last inline
    // text/plain part (wrapping the body in multipart/mixed when needed).
    Result<void> add_footer(const std::string& text, const std::filesystem::path& temp_dir);

    // Re-encodes leaves that are not 7-bit clean (QP for text, base64 for the
    // rest; SM-02), relabels 7-bit bodies marked 8bit, and gives a non-MIME
    // body an explicit Content-Type (SM-04). Returns whether anything changed.
    Result<bool> canonicalise(const std::filesystem::path& temp_dir);

    // Part 1 when nothing changed: the top-level MIME header fields and the
    // body exactly as received (CRLF line ends made from bare LF only in the
    // header fields). The caller must still check it is canonical.
    Result<TempFile> write_received_part(const SpooledMessage& message, const std::filesystem::path& temp_dir) const;

    // Part 1 serialised by GMime from the (canonicalised) tree, with CRLF
    // line ends (SM-01).
    Result<TempFile> write_serialised_part(const std::filesystem::path& temp_dir);

    // What the parser's warnings found (GM-07); `parsed` once parsing ended.
    struct ParseState {
        bool has_body = true;
        bool parsed = false;
        std::optional<std::string> fatal;
    };

private:
    MimeDocument(std::unique_ptr<ParseState> state, gm::GPtr<GMimeMessage> message, bool has_content_type,
                 std::uint64_t size)
        : m_state(std::move(state)), m_message(std::move(message)), m_has_content_type(has_content_type),
          m_size(size) {}

    std::unique_ptr<ParseState> m_state; // declared first: outlives the tree whose headers point at it
    gm::GPtr<GMimeMessage> m_message;
    bool m_has_content_type;
    bool m_footer_added = false;
    std::uint64_t m_size; // of the spooled message: picks memory or disk for work files
};

} // namespace segel::smime
