#include "mime_document.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "ascii.hpp"
#include "gmime_library.hpp"
#include "mime_framing.hpp"
#include "spool_view.hpp"
#include "structure_scan.hpp"

namespace segel::smime {

namespace {

// ---- parsing ---------------------------------------------------------------

// Raw 8-bit header data needs no case here: top-level fields other than
// MIME's stay outside the signature, the MIME fields and those inside the
// body are encoded before signing (mime_framing.hpp), and 8-bit left
// anywhere in part 1 is refused by check_canonical_7bit().
using ParseState = MimeDocument::ParseState;

// Repeats of these make a message ambiguous (SEC-04). From is left to
// single_from_address(), which names that problem precisely.
bool is_identity_header(std::string_view name) {
    return ascii::iequals(name, "Sender") || ascii::iequals(name, "MIME-Version") ||
           ascii::istarts_with(name, "Content-");
}

// GM-07: parser findings that leave the structure broken or ambiguous.
void on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer data) {
    auto* state = static_cast<ParseState*>(data);
    if (state->fatal || state->parsed)
        return; // later warnings come from our own edits of the tree
    const std::string what = item != nullptr ? ascii::printable(item) : std::string();
    const std::string at = " (at byte " + std::to_string(offset) + ")";
    switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
        if (is_identity_header(what))
            state->fatal = "the header field " + what + " appears more than once" + at;
        break;
    case GMIME_WARN_INVALID_CONTENT_TYPE:
        state->fatal = "invalid Content-Type \"" + what + "\"" + at;
        break;
    case GMIME_WARN_MALFORMED_MULTIPART:
        state->fatal = "a multipart has no parts: its boundary never occurs" + at;
        break;
    case GMIME_WARN_TRUNCATED_MESSAGE:
        // A header-only message (RFC 5322 §3.5: the body is optional) is not truncated.
        if (state->has_body)
            state->fatal = "a multipart is not closed by its final boundary (truncated message)" + at;
        break;
    case GMIME_WARN_MALFORMED_MESSAGE:
        state->fatal = "the message structure is malformed" + at;
        break;
    case GMIME_CRIT_INVALID_HEADER_NAME:
        state->fatal = "invalid header field name \"" + what + "\"" + at;
        break;
    case GMIME_CRIT_CONFLICTING_HEADER:
        if (!ascii::iequals(what, "From"))
            state->fatal = "conflicting header fields " + what + at;
        break;
    case GMIME_CRIT_CONFLICTING_PARAMETER:
        state->fatal = "conflicting header parameter " + what + at;
        break;
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        state->fatal = "a multipart has no boundary parameter" + at;
        break;
    case GMIME_CRIT_NESTING_OVERFLOW:
        state->fatal = "MIME parts are nested too deeply" + at;
        break;
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        state->fatal = "a MIME part has neither header nor content" + at;
        break;
    default:
        break; // cosmetic: duplicated parameter, bad RFC 2047, bad address list
    }
}

// ---- content statistics ----------------------------------------------------

struct ContentStats {
    bool has_8bit = false;
    bool bare_cr = false;
    bool trailing_space = false;
    bool from_line = false; // a line starting with "From " (mbox escaping, SM-02)
    std::size_t longest_line = 0;

    bool clean_for_7bit() const {
        return !has_8bit && !bare_cr && !trailing_space && !from_line && longest_line <= 998;
    }
    bool clean_for_base64() const { return !has_8bit && !bare_cr && longest_line <= 998; }
};

// Line-oriented scan of a part's encoded bytes: memchr finds the line ends
// and the per-line checks are plain loops the compiler vectorises, since
// this reads every byte of every message (a per-byte state machine was a
// quarter of the signing time for large messages).
class ContentScanner {
public:
    void feed(const unsigned char* p, std::size_t n) {
        if (m_pending_cr && n > 0) {
            if (p[0] != '\n')
                m_stats.bare_cr = true;
            m_pending_cr = false;
        }
        while (n > 0) {
            const auto* newline = static_cast<const unsigned char*>(std::memchr(p, '\n', n));
            const std::size_t segment = newline != nullptr ? static_cast<std::size_t>(newline - p) : n;
            add_to_line(p, segment, newline != nullptr);
            if (newline == nullptr)
                break;
            end_line();
            p += segment + 1;
            n -= segment + 1;
        }
    }

    ContentStats finish() {
        if (m_pending_cr)
            m_stats.bare_cr = true;
        if (m_line_length > 0 || m_last != '\n')
            end_line();
        return m_stats;
    }

private:
    void add_to_line(const unsigned char* p, std::size_t n, bool newline_follows) {
        if (n == 0)
            return;
        unsigned char high = 0;
        for (std::size_t i = 0; i < n; ++i)
            high |= p[i];
        if (high & 0x80)
            m_stats.has_8bit = true;
        // A CR is fine only as the last byte before the LF.
        for (const void* cr = std::memchr(p, '\r', n); cr != nullptr;) {
            const auto at = static_cast<std::size_t>(static_cast<const unsigned char*>(cr) - p);
            if (at + 1 < n)
                m_stats.bare_cr = true;
            else if (!newline_follows)
                m_pending_cr = true;
            cr = at + 1 < n ? std::memchr(p + at + 1, '\r', n - at - 1) : nullptr;
        }
        const bool ends_in_cr = p[n - 1] == '\r';
        const std::size_t content = ends_in_cr ? n - 1 : n;
        for (std::size_t i = 0; i < content && m_head_length < 5; ++i)
            m_head[m_head_length++] = static_cast<char>(p[i]);
        if (content > 0) {
            m_before_cr = p[content - 1];
        }
        m_line_length += content;
        m_last = p[n - 1];
    }

    void end_line() {
        if (m_head_length == 5 && std::string_view(m_head, 5) == "From ")
            m_stats.from_line = true;
        if (m_line_length > 0 && (m_before_cr == ' ' || m_before_cr == '\t'))
            m_stats.trailing_space = true;
        m_stats.longest_line = std::max(m_stats.longest_line, m_line_length);
        m_line_length = 0;
        m_head_length = 0;
        m_before_cr = 0;
        m_last = '\n';
    }

    ContentStats m_stats;
    std::size_t m_line_length = 0;
    char m_head[5] = {};
    std::size_t m_head_length = 0;
    unsigned char m_before_cr = 0; // last byte of the line's content
    unsigned char m_last = '\n';
    bool m_pending_cr = false;
};

ContentStats scan_encoded_content(GMimeStream* stream) {
    ContentScanner scanner;
    g_mime_stream_reset(stream);
    unsigned char buffer[1 << 16];
    for (;;) {
        const ssize_t n = g_mime_stream_read(stream, reinterpret_cast<char*>(buffer), sizeof buffer);
        if (n <= 0)
            break;
        scanner.feed(buffer, static_cast<std::size_t>(n));
    }
    g_mime_stream_reset(stream);
    return scanner.finish();
}

// ---- re-encoding -----------------------------------------------------------

// Decodes the part's content and encodes it again into a private temp file,
// with From-armoring for quoted-printable (SM-02: "From " lines become
// "=46rom "). The part then carries the new content and encoding, so GMime
// writes it out byte for byte.
Result<void> reencode(GMimePart* part, GMimeContentEncoding target, const std::filesystem::path& temp_dir,
                      std::uint64_t size_hint) {
    auto file = TempFile::create(temp_dir, size_hint * 2); // base64 or QP may grow it
    if (!file)
        return file.error();
    gm::GPtr<GMimeStream> out(g_mime_stream_fs_new(::dup(file->fd())));
    gm::GPtr<GMimeStream> filtered(g_mime_stream_filter_new(out.get()));
    gm::GPtr<GMimeFilter> encoder(g_mime_filter_basic_new(target, TRUE));
    g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), encoder.get());
    gm::GPtr<GMimeFilter> armor;
    if (target == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
        armor.reset(g_mime_filter_from_new(GMIME_FILTER_FROM_MODE_ARMOR));
        g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), armor.get());
    }
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr)
        return {};
    if (g_mime_data_wrapper_write_to_stream(content, filtered.get()) < 0 || g_mime_stream_flush(filtered.get()) < 0)
        return make_error(ErrorKind::io_failure, "cannot write re-encoded content to a temporary file");
    g_mime_stream_reset(out.get());
    gm::GPtr<GMimeDataWrapper> wrapper(g_mime_data_wrapper_new_with_stream(out.get(), target));
    g_mime_part_set_content(part, wrapper.get());
    g_mime_part_set_content_encoding(part, target);
    return {};
}

bool is_textual(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    return type != nullptr && (g_mime_content_type_is_type(type, "text", "*") ||
                               g_mime_content_type_is_type(type, "message", "*"));
}

// GMime sometimes ends a part's content between the CR and the LF of the
// line break before the next delimiter (a closing delimiter with no line
// break after it, or LF and CRLF lines mixed): the part would gain a CR its
// sender never wrote. That CR belongs to the delimiter (RFC 2046 §5.1.1), so
// the content is cut before it. Only a CR directly followed by LF in the
// message is cut, so a part's own bare CR stays.
void without_split_line_break(GMimePart* part, GMimeDataWrapper* content) {
    GMimeStream* stream = g_mime_data_wrapper_get_stream(content);
    GMimeStream* whole = stream != nullptr ? stream->super_stream : nullptr;
    if (whole == nullptr || stream->bound_end <= stream->bound_start)
        return;
    char around[2];
    if (g_mime_stream_seek(whole, stream->bound_end - 1, GMIME_STREAM_SEEK_SET) < 0 ||
        g_mime_stream_read(whole, around, 2) != 2 || around[0] != '\r' || around[1] != '\n')
        return;
    gm::GPtr<GMimeStream> trimmed(g_mime_stream_substream(whole, stream->bound_start, stream->bound_end - 1));
    gm::GPtr<GMimeDataWrapper> wrapper(
        g_mime_data_wrapper_new_with_stream(trimmed.get(), g_mime_data_wrapper_get_encoding(content)));
    g_mime_part_set_content(part, wrapper.get());
}

// RFC 2046 §5.2.2, §5.2.3: no transfer encoding but 7bit for these.
bool must_stay_7bit(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    return type != nullptr && (g_mime_content_type_is_type(type, "message", "partial") ||
                               g_mime_content_type_is_type(type, "message", "external-body"));
}

struct Canonicaliser {
    const std::filesystem::path& temp_dir;
    std::uint64_t message_size;
    bool changed = false;

    Result<void> leaf(GMimePart* part, ContentStats* top_stats) {
        GMimeDataWrapper* content = g_mime_part_get_content(part);
        if (content == nullptr)
            return {};
        without_split_line_break(part, content);
        content = g_mime_part_get_content(part);
        const ContentStats stats = scan_encoded_content(g_mime_data_wrapper_get_stream(content));
        if (top_stats != nullptr)
            *top_stats = stats;
        const GMimeContentEncoding encoding = g_mime_part_get_content_encoding(part);
        if (encoding == GMIME_CONTENT_ENCODING_BASE64 || encoding == GMIME_CONTENT_ENCODING_UUENCODE) {
            if (stats.clean_for_base64())
                return {};
            changed = true;
            return reencode(part, GMIME_CONTENT_ENCODING_BASE64, temp_dir, message_size);
        }
        if (!stats.clean_for_7bit() && must_stay_7bit(GMIME_OBJECT(part)))
            return make_error(ErrorKind::unsupported_message,
                              "a message/partial or message/external-body part holds 8-bit data or long lines; "
                              "RFC 2046 §5.2.2 allows such parts 7bit only, so Segel cannot re-encode it");
        if (stats.clean_for_7bit()) {
            // SM-02: a 7-bit body labelled 8bit or binary is relabelled, so no
            // relay "downgrades" it after we sign. Same bytes, honest label.
            if (encoding == GMIME_CONTENT_ENCODING_8BIT || encoding == GMIME_CONTENT_ENCODING_BINARY) {
                g_mime_data_wrapper_set_encoding(content, GMIME_CONTENT_ENCODING_7BIT);
                g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_7BIT);
                changed = true;
            }
            return {};
        }
        changed = true;
        return reencode(part,
                        is_textual(GMIME_OBJECT(part)) ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
                                                       : GMIME_CONTENT_ENCODING_BASE64,
                        temp_dir, message_size);
    }

    // Part headers and fillers need no mark as changed: if they were not
    // canonical as received, the received bytes fail check_canonical_7bit()
    // and part 1 is serialised from this tree.
    static void canonical_framing(GMimeMultipart* multipart) {
        if (const char* prologue = g_mime_multipart_get_prologue(multipart)) {
            const std::string filler = canonical_filler(prologue);
            g_mime_multipart_set_prologue(multipart, filler.empty() ? nullptr : filler.c_str());
        }
        if (const char* epilogue = g_mime_multipart_get_epilogue(multipart)) {
            const std::string filler = canonical_filler(epilogue);
            g_mime_multipart_set_epilogue(multipart, filler.empty() ? nullptr : filler.c_str());
        }
    }

    Result<void> walk(GMimeObject* object, ContentStats* top_stats) {
        // Already signed or encrypted subtrees must stay byte-exact (RFC 1847 §2.1).
        if (GMIME_IS_MULTIPART_SIGNED(object) || GMIME_IS_MULTIPART_ENCRYPTED(object))
            return {};
        if (auto encoded = encode_header_fields(object); !encoded)
            return encoded;
        if (GMIME_IS_MULTIPART(object)) {
            GMimeMultipart* multipart = GMIME_MULTIPART(object);
            canonical_framing(multipart);
            for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i)
                if (auto done = walk(g_mime_multipart_get_part(multipart, i), nullptr); !done)
                    return done;
            return {};
        }
        if (GMIME_IS_MESSAGE_PART(object)) {
            GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            if (inner == nullptr || g_mime_message_get_mime_part(inner) == nullptr)
                return {};
            if (auto encoded = encode_header_fields(GMIME_OBJECT(inner)); !encoded)
                return encoded;
            if (auto done = walk(g_mime_message_get_mime_part(inner), nullptr); !done)
                return done;
            // RFC 2046 §5.2.1: message/rfc822 may only be 7bit, 8bit or binary;
            // once its content is 7-bit, say so.
            const char* cte = g_mime_object_get_header(object, "Content-Transfer-Encoding");
            if (cte != nullptr && !ascii::iequals(ascii::trim(cte), "7bit")) {
                g_mime_object_set_header(object, "Content-Transfer-Encoding", "7bit", nullptr);
                changed = true;
            }
            return {};
        }
        if (GMIME_IS_PART(object))
            return leaf(GMIME_PART(object), top_stats);
        return {};
    }
};

} // namespace

namespace {
Result<void> check_structure(const SpooledMessage& message, std::size_t max_parts) {
    const SpoolView view(message);
    if (!view.ok())
        return message.size() == 0 ? Result<void>{} : make_error(ErrorKind::io_failure, "cannot map the spooled message");
    const StructureCount count =
        count_structure(view.bytes(), max_parts, [&view](std::size_t offset) { view.release_before(offset); });
    if (count.delimiter_lines > max_parts || count.content_type_lines > max_parts)
        return make_error(ErrorKind::message_too_large,
                          "more than " + std::to_string(max_parts) + " MIME parts (counted before parsing: over " +
                              std::to_string(max_parts) + (count.delimiter_lines > max_parts ? " delimiter lines)" : " Content-Type fields)"));
    return {};
}
} // namespace

Result<MimeDocument> MimeDocument::parse(const SpooledMessage& message, std::size_t max_parts) {
    if (auto within = check_structure(message, max_parts); !within)
        return within.error();
    ensure_gmime_initialised();
    // GMime keeps the parser options, and so this callback's data, in every
    // header list it made: the state lives as long as the document.
    auto state = std::make_unique<ParseState>();
    state->has_body = message.has_body();

    if (::lseek(message.fd(), 0, SEEK_SET) < 0)
        return make_error(ErrorKind::io_failure, "cannot rewind the spooled message");
    // Up to 8 MiB, a read-only map of the spool: the parser and every later
    // read of the parts' content copy from memory instead of making a
    // syscall each time. Larger messages are read in chunks, since mapped
    // pages count towards the daemon's resident memory.
    constexpr std::uint64_t k_map_bytes = 8 << 20;
    gm::GPtr<GMimeStream> stream;
    if (message.size() <= k_map_bytes)
        stream.reset(g_mime_stream_mmap_new_with_bounds(::dup(message.fd()), PROT_READ, MAP_PRIVATE, 0,
                                                        static_cast<gint64>(message.size())));
    if (!stream)
        stream.reset(g_mime_stream_fs_new(::dup(message.fd())));
    gm::GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_persist_stream(parser.get(), TRUE);
    gm::ParserOptionsPtr options(g_mime_parser_options_new());
    g_mime_parser_options_set_warning_callback(options.get(), on_parser_warning, state.get());
    gm::GPtr<GMimeMessage> parsed(g_mime_parser_construct_message(parser.get(), options.get()));
    state->parsed = true;
    if (state->fatal)
        return make_error(ErrorKind::malformed_message, *state->fatal);
    if (!parsed || g_mime_message_get_mime_part(parsed.get()) == nullptr)
        return make_error(ErrorKind::malformed_message, "GMime cannot parse the message");
    return MimeDocument(std::move(state), std::move(parsed), !message.fields_named("Content-Type").empty(),
                        message.size());
}

std::optional<std::string> MimeDocument::existing_smime() const {
    GMimeObject* top = g_mime_message_get_mime_part(m_message.get());
    GMimeContentType* type = g_mime_object_get_content_type(top);
    if (type == nullptr)
        return std::nullopt;
    if (g_mime_content_type_is_type(type, "multipart", "signed")) {
        const char* protocol = g_mime_content_type_get_parameter(type, "protocol");
        if (protocol != nullptr && (ascii::iequals(protocol, "application/pkcs7-signature") ||
                                    ascii::iequals(protocol, "application/x-pkcs7-signature")))
            return std::string("already S/MIME signed (multipart/signed)");
        return std::nullopt;
    }
    if (g_mime_content_type_is_type(type, "application", "pkcs7-mime") ||
        g_mime_content_type_is_type(type, "application", "x-pkcs7-mime")) {
        const char* smime_type = g_mime_content_type_get_parameter(type, "smime-type");
        return "already S/MIME protected (application/pkcs7-mime" +
               (smime_type != nullptr ? "; smime-type=" + ascii::printable(smime_type) : std::string()) + ")";
    }
    if (g_mime_content_type_is_type(type, "application", "octet-stream")) {
        // RFC 8551 §3.10: recognised by the file name's extension.
        std::string name;
        if (const char* filename = g_mime_object_get_content_disposition_parameter(top, "filename"))
            name = filename;
        else if (const char* type_name = g_mime_content_type_get_parameter(type, "name"))
            name = type_name;
        for (const char* extension : {".p7m", ".p7s", ".p7c", ".p7z"})
            if (ascii::iends_with(name, extension))
                return "already S/MIME protected (application/octet-stream named " + ascii::printable(name) + ")";
    }
    return std::nullopt;
}

Result<void> MimeDocument::add_footer(const std::string& text, const std::filesystem::path& temp_dir) {
    GMimeObject* top = g_mime_message_get_mime_part(m_message.get());
    GMimeContentType* type = g_mime_object_get_content_type(top);
    const bool plain_text = GMIME_IS_PART(top) && (!m_has_content_type || g_mime_content_type_is_type(type, "text", "plain"));
    if (plain_text) {
        // Decode the body, append the note, and let the canonicaliser pick
        // the transfer encoding again.
        GMimePart* part = GMIME_PART(top);
        auto file = TempFile::create(temp_dir, m_size * 2);
        if (!file)
            return file.error();
        gm::GPtr<GMimeStream> out(g_mime_stream_fs_new(::dup(file->fd())));
        if (GMimeDataWrapper* content = g_mime_part_get_content(part))
            if (g_mime_data_wrapper_write_to_stream(content, out.get()) < 0)
                return make_error(ErrorKind::io_failure, "cannot copy the body to add the footer");
        const std::string note = "\n\n" + text + "\n";
        if (g_mime_stream_write(out.get(), note.data(), note.size()) < 0 || g_mime_stream_flush(out.get()) < 0)
            return make_error(ErrorKind::io_failure, "cannot add the footer");
        g_mime_stream_reset(out.get());
        gm::GPtr<GMimeDataWrapper> wrapper(g_mime_data_wrapper_new_with_stream(out.get(), GMIME_CONTENT_ENCODING_DEFAULT));
        g_mime_part_set_content(part, wrapper.get());
        g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_DEFAULT);
        m_footer_added = true;
        return {};
    }
    m_footer_added = true;
    gm::GPtr<GMimeTextPart> note(g_mime_text_part_new_with_subtype("plain"));
    g_mime_text_part_set_text(note.get(), text.c_str()); // UTF-8, encoded by the canonicaliser
    g_mime_object_set_header(GMIME_OBJECT(note.get()), "Content-Disposition", "inline", nullptr);
    if (GMIME_IS_MULTIPART(top) && g_mime_content_type_is_type(type, "multipart", "mixed")) {
        g_mime_multipart_add(GMIME_MULTIPART(top), GMIME_OBJECT(note.get()));
        return {};
    }
    gm::GPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), top);
    g_mime_multipart_add(mixed.get(), GMIME_OBJECT(note.get()));
    g_mime_message_set_mime_part(m_message.get(), GMIME_OBJECT(mixed.get()));
    m_has_content_type = true;
    return {};
}

Result<bool> MimeDocument::canonicalise(const std::filesystem::path& temp_dir) {
    GMimeObject* top = g_mime_message_get_mime_part(m_message.get());
    // SM-04: a non-MIME body gets an explicit type (set first, so it is the
    // first field of part 1); its charset is known once the body is scanned.
    if (!m_has_content_type)
        g_mime_object_set_header(top, "Content-Type", "text/plain; charset=us-ascii", nullptr);
    ContentStats top_stats;
    Canonicaliser canonicaliser{temp_dir, m_size};
    if (auto done = canonicaliser.walk(top, &top_stats); !done)
        return done.error();
    // 8-bit text of no declared charset keeps none: the reader's client goes
    // on guessing as it did for the message unsigned (adding us-ascii to
    // 7-bit text is the one label signing adds).
    if (!m_has_content_type && top_stats.has_8bit)
        g_mime_object_set_header(top, "Content-Type", "text/plain", nullptr);
    return canonicaliser.changed || !m_has_content_type || m_footer_added;
}

Result<TempFile> MimeDocument::write_received_part(const SpooledMessage& message,
                                                   const std::filesystem::path& temp_dir) const {
    auto file = TempFile::create(temp_dir, m_size);
    if (!file)
        return file.error();
    std::string header;
    for (const auto& field : message.headers()) {
        if (!ascii::istarts_with(field.name, "Content-"))
            continue;
        for (std::size_t i = 0; i < field.raw.size(); ++i) {
            if (field.raw[i] == '\n' && (i == 0 || field.raw[i - 1] != '\r'))
                header += '\r';
            header += field.raw[i];
        }
        if (header.size() < 2 || header.compare(header.size() - 2, 2, "\r\n") != 0)
            header += "\r\n";
    }
    header += "\r\n";
    if (auto written = file->write_all(header); !written)
        return written.error();
    if (::lseek(message.fd(), static_cast<off_t>(message.body_offset()), SEEK_SET) < 0)
        return make_error(ErrorKind::io_failure, "cannot read the spooled body");
    if (auto copied = copy_fd(message.fd(), file->fd()); !copied)
        return copied.error();
    return std::move(file).value();
}

Result<TempFile> MimeDocument::write_serialised_part(const std::filesystem::path& temp_dir) {
    GMimeObject* top = g_mime_message_get_mime_part(m_message.get());
    auto file = TempFile::create(temp_dir, m_size * 2);
    if (!file)
        return file.error();
    gm::GPtr<GMimeStream> out(g_mime_stream_fs_new(::dup(file->fd())));
    g_mime_stream_fs_set_owner(GMIME_STREAM_FS(out.get()), TRUE);
    // GMime's DOS newline format writes CRLF throughout (SM-01);
    // check_canonical_7bit() then proves it before anything is signed.
    gm::FormatOptionsPtr format(g_mime_format_options_new());
    g_mime_format_options_set_newline_format(format.get(), GMIME_NEWLINE_FORMAT_DOS);
    if (g_mime_object_write_to_stream(top, format.get(), out.get()) < 0 || g_mime_stream_flush(out.get()) < 0)
        return make_error(ErrorKind::io_failure, "cannot write the part to sign to a temporary file");
    return std::move(file).value();
}

} // namespace segel::smime
