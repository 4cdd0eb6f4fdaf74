#include "smime/message_spool.hpp"

#include <cstring>

#include "ascii.hpp"

namespace segel::smime {

namespace {
constexpr std::size_t k_write_buffer_bytes = 1 << 16;

bool is_field_name_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 33 && u <= 126 && c != ':';
}

// Length of the field name if the line starts a header field
// (name, optional obsolete WSP, colon: RFC 5322 §3.6.8 and §4.5.3), else 0.
std::size_t field_name_length(std::string_view line) noexcept {
    std::size_t i = 0;
    while (i < line.size() && is_field_name_char(line[i]))
        ++i;
    const std::size_t name_length = i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    return (name_length > 0 && i < line.size() && line[i] == ':') ? name_length : 0;
}

std::vector<HeaderField> split_header_fields(std::string_view text) {
    std::vector<HeaderField> fields;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        end = (end == std::string_view::npos) ? text.size() : end + 1;
        const std::string_view line = text.substr(pos, end - pos);
        if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
            fields.back().raw.append(line);
        } else if (const std::size_t n = field_name_length(line); n > 0) {
            fields.push_back(HeaderField{std::string(line.substr(0, n)), std::string(line)});
        }
        pos = end;
    }
    return fields;
}
} // namespace

std::string HeaderField::unfolded_value() const {
    std::string value;
    const std::size_t colon = raw.find(':');
    for (char c : std::string_view(raw).substr(colon + 1))
        if (c != '\r' && c != '\n')
            value += c;
    return value;
}

bool HeaderField::is_named(std::string_view other) const noexcept { return ascii::iequals(name, other); }

std::vector<const HeaderField*> SpooledMessage::fields_named(std::string_view name) const {
    std::vector<const HeaderField*> found;
    for (const auto& field : m_headers)
        if (field.is_named(name))
            found.push_back(&field);
    return found;
}

Result<MessageSpool> MessageSpool::create(const std::filesystem::path& temp_dir, SpoolLimits limits) {
    auto file = TempFile::create_in_memory();
    if (!file)
        return file.error();
    return MessageSpool(std::move(file).value(), limits, temp_dir);
}

Error MessageSpool::fail(ErrorKind kind, std::string detail) {
    m_error = make_error(kind, std::move(detail));
    return *m_error;
}

// Lines over 998 octets (an unfolded References field) and raw 8-bit
// (RFC 6532, or a client's unencoded file name) are accepted: fields outside
// the signature are left as they are, and the signer folds and encodes the
// MIME fields it moves into part 1 (mime_framing.hpp).
Result<void> MessageSpool::check_header_line(std::string_view line) {
    ++m_line_number;
    const std::string where = "header line " + std::to_string(m_line_number);
    if (const auto cr = line.find('\r'); cr != std::string_view::npos)
        return fail(ErrorKind::malformed_message, where + " contains a CR that is not part of a CRLF line end");
    if (line.front() == ' ' || line.front() == '\t') {
        if (m_line_number == 1)
            return fail(ErrorKind::malformed_message, "the header section starts with a continuation line");
    } else if (field_name_length(line) == 0) {
        return fail(ErrorKind::malformed_message,
                    where + " is not a header field (\"" + ascii::printable(line) +
                        "\"); is the blank line between header and body missing?");
    }
    return {};
}

// Consumes bytes of the header section from chunk; stops after the blank line.
Result<void> MessageSpool::scan_header_bytes(std::string_view chunk, std::size_t& consumed) {
    consumed = 0;
    while (consumed < chunk.size()) {
        const std::size_t newline = chunk.find('\n', consumed);
        const std::size_t take = (newline == std::string_view::npos) ? chunk.size() : newline + 1;
        m_header_text.append(chunk.substr(consumed, take - consumed));
        consumed = take;
        if (m_header_text.size() > m_limits.max_header_bytes)
            return fail(ErrorKind::malformed_message,
                        "the header section is larger than " + std::to_string(m_limits.max_header_bytes) +
                            " bytes");
        if (newline == std::string_view::npos)
            return {};
        std::string_view line(m_header_text);
        line = line.substr(m_line_start, m_header_text.size() - m_line_start - 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty()) {
            m_in_header = false;
            return {};
        }
        if (auto checked = check_header_line(line); !checked)
            return checked;
        m_line_start = m_header_text.size();
    }
    return {};
}

Result<void> MessageSpool::flush() {
    if (m_file.in_memory() && m_size > TempFile::k_in_memory_bytes)
        if (auto moved = m_file.move_to_disk(m_temp_dir); !moved)
            return fail(moved.error().kind, moved.error().detail);
    auto written = m_file.write_all(m_buffer);
    m_buffer.clear();
    if (!written)
        return fail(written.error().kind, written.error().detail);
    return {};
}

Result<void> MessageSpool::append(std::string_view chunk) {
    if (m_error)
        return *m_error;
    if (const void* nul = std::memchr(chunk.data(), '\0', chunk.size()))
        return fail(ErrorKind::malformed_message,
                    "NUL byte at offset " +
                        std::to_string(m_size + static_cast<std::uint64_t>(static_cast<const char*>(nul) -
                                                                            chunk.data())));
    m_size += chunk.size();
    if (m_limits.max_message_bytes != 0 && m_size > m_limits.max_message_bytes)
        return fail(ErrorKind::message_too_large,
                    "the message is larger than " + std::to_string(m_limits.max_message_bytes) + " bytes");
    if (m_in_header) {
        std::size_t consumed = 0;
        if (auto scanned = scan_header_bytes(chunk, consumed); !scanned)
            return scanned;
    }
    m_buffer.append(chunk);
    if (m_buffer.size() >= k_write_buffer_bytes)
        return flush();
    return {};
}

Result<SpooledMessage> MessageSpool::finish() && {
    if (m_error)
        return *m_error;
    if (m_size == 0)
        return fail(ErrorKind::malformed_message, "the message is empty");
    if (m_in_header && m_line_start < m_header_text.size()) {
        // A last header line without a line end: a header-only message.
        std::string_view line = std::string_view(m_header_text).substr(m_line_start);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (auto checked = check_header_line(line); !checked)
            return checked.error();
    }
    if (auto flushed = flush(); !flushed)
        return flushed.error();
    if (auto rewound = m_file.rewind(); !rewound)
        return rewound.error();
    auto headers = split_header_fields(m_header_text);
    if (headers.empty())
        return fail(ErrorKind::malformed_message, "the message has no header fields");
    return SpooledMessage(std::move(m_file), m_size, std::move(headers), !m_in_header,
                          m_in_header ? m_size : static_cast<std::uint64_t>(m_header_text.size()));
}

std::vector<std::string> referenced_message_ids(const SpooledMessage& message, std::size_t limit) {
    std::vector<std::string> ids;
    for (const char* name : {"In-Reply-To", "References"})
        for (const auto* field : message.fields_named(name)) {
            const std::string value = field->unfolded_value();
            for (std::size_t open = value.find('<'); open != std::string::npos && ids.size() < limit;
                 open = value.find('<', open + 1)) {
                const std::size_t close = value.find('>', open);
                if (close == std::string::npos)
                    break;
                ids.push_back(value.substr(open, close - open + 1));
                open = close;
            }
        }
    return ids;
}

std::string message_id_of(const SpooledMessage& message) {
    std::string id;
    if (const auto ids = message.fields_named("Message-ID"); !ids.empty())
        id = ids.front()->unfolded_value();
    id.erase(0, id.find_first_not_of(" \t"));
    return id;
}

} // namespace segel::smime
