// MessageSpool takes a whole RFC 5322 message in chunks of any size (as a
// milter receives it, or read from a file) and keeps it in an anonymous
// file (in memory up to 1 MiB, then in temp_dir) while checking the raw bytes: no NUL, a well-formed header section
// (fields and continuation lines only, at most max_header_bytes in all), no
// bare CR in the header. Long lines and raw 8-bit in the header are accepted
// (RFC 6532; real clients write both): the signer folds and encodes what it
// moves into the signed part. The first
// problem found is kept and returned by append()/finish(); after an error the
// spool accepts no more data. The result, a SpooledMessage, owns the file and
// the parsed top-level header fields. Not thread-safe per object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smime/error.hpp"
#include "smime/temp_file.hpp"

namespace segel::smime {

// One top-level header field exactly as received: `raw` holds the name, the
// colon, the value and every continuation line, each with its line end.
struct HeaderField {
    std::string name;
    std::string raw;

    // The value after the colon, unfolded (line ends removed), untrimmed.
    std::string unfolded_value() const;
    bool is_named(std::string_view other) const noexcept;
};

struct SpoolLimits {
    std::uint64_t max_header_bytes = 256 * 1024;
    std::uint64_t max_message_bytes = 0; // 0: no limit
};

class SpooledMessage {
public:
    SpooledMessage(TempFile file, std::uint64_t size, std::vector<HeaderField> headers, bool has_body,
                   std::uint64_t body_offset)
        : m_file(std::move(file)), m_size(size), m_headers(std::move(headers)), m_has_body(has_body),
          m_body_offset(body_offset) {}

    int fd() const noexcept { return m_file.fd(); }
    std::uint64_t size() const noexcept { return m_size; }
    const std::vector<HeaderField>& headers() const noexcept { return m_headers; }
    // False for a header-only message (no blank line after the header).
    bool has_body() const noexcept { return m_has_body; }
    // Where the body starts in the file (after the blank line).
    std::uint64_t body_offset() const noexcept { return m_body_offset; }
    // All fields with this name (case-insensitive), in order.
    std::vector<const HeaderField*> fields_named(std::string_view name) const;

private:
    TempFile m_file;
    std::uint64_t m_size;
    std::vector<HeaderField> m_headers;
    bool m_has_body;
    std::uint64_t m_body_offset;
};

// The first Message-ID field's unfolded value without leading white space
// (empty when there is none), as logs and the audit record it.
std::string message_id_of(const SpooledMessage& message);

// The msg-ids (each "<...>", as Message-ID carries them) that In-Reply-To
// and References name (RFC 5322 §3.6.4), at most `limit`, in order.
std::vector<std::string> referenced_message_ids(const SpooledMessage& message, std::size_t limit = 100);

class MessageSpool {
public:
    static Result<MessageSpool> create(const std::filesystem::path& temp_dir, SpoolLimits limits = {});

    // Adds the next chunk; any chunk size works, including one byte.
    Result<void> append(std::string_view chunk);
    // Ends the message. An error found earlier is returned again.
    Result<SpooledMessage> finish() &&;

private:
    MessageSpool(TempFile file, SpoolLimits limits, std::filesystem::path temp_dir)
        : m_file(std::move(file)), m_limits(limits), m_temp_dir(std::move(temp_dir)) {}
    Result<void> scan_header_bytes(std::string_view chunk, std::size_t& consumed);
    Result<void> check_header_line(std::string_view line);
    Result<void> flush();
    Error fail(ErrorKind kind, std::string detail);

    TempFile m_file;
    SpoolLimits m_limits;
    std::filesystem::path m_temp_dir; // where a large message moves from memory
    std::string m_buffer;              // pending writes
    std::string m_header_text;         // the header section as received
    std::size_t m_line_start = 0;      // offset of the current line in m_header_text
    std::size_t m_line_number = 0;     // 1-based, of the current header line
    bool m_in_header = true;
    std::uint64_t m_size = 0;
    std::optional<Error> m_error;
};

} // namespace segel::smime
