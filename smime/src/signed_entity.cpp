#include "signed_entity.hpp"


#include "ascii.hpp"
#include "gmime_handles.hpp"

namespace segel::smime {

namespace {
bool is_type(GMimeObject* object, const char* type, const char* subtype) {
    GMimeContentType* content_type = g_mime_object_get_content_type(object);
    return content_type != nullptr && g_mime_content_type_is_type(content_type, type, subtype);
}

bool is_smime_signature_protocol(GMimeObject* object) {
    const char* protocol = g_mime_content_type_get_parameter(g_mime_object_get_content_type(object), "protocol");
    return protocol != nullptr && (ascii::iequals(protocol, "application/pkcs7-signature") ||
                                   ascii::iequals(protocol, "application/x-pkcs7-signature"));
}
} // namespace

std::optional<std::string_view> raw_first_part(std::string_view body, std::string_view boundary) {
    const std::string delimiter = "--" + std::string(boundary);
    std::optional<std::size_t> start;
    std::size_t pos = 0;
    while (pos < body.size()) {
        const std::size_t end = body.find('\n', pos);
        const std::size_t next = end == std::string_view::npos ? body.size() : end + 1;
        std::string_view line = body.substr(pos, (end == std::string_view::npos ? body.size() : end) - pos);
        if (line.substr(0, delimiter.size()) == delimiter) {
            if (!line.empty() && line.back() == '\r')
                line.remove_suffix(1);
            while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
                line.remove_suffix(1);
            const std::string_view rest = line.substr(delimiter.size());
            if (rest.empty() || rest == "--") {
                if (!start) {
                    start = next;
                } else {
                    std::size_t stop = pos;
                    if (stop > *start && body[stop - 1] == '\n')
                        --stop;
                    if (stop > *start && body[stop - 1] == '\r')
                        --stop;
                    return body.substr(*start, stop - *start);
                }
            }
        }
        pos = next;
    }
    return std::nullopt;
}

std::string_view canonical_crlf(std::string_view bytes, std::string& storage) {
    std::size_t lf = bytes.find('\n');
    while (lf != std::string_view::npos && lf > 0 && bytes[lf - 1] == '\r')
        lf = bytes.find('\n', lf + 1);
    if (lf == std::string_view::npos)
        return bytes;
    storage.reserve(bytes.size() + bytes.size() / 32);
    std::size_t copied = 0;
    for (; lf != std::string_view::npos; lf = bytes.find('\n', lf + 1)) {
        if (lf > 0 && bytes[lf - 1] == '\r')
            continue;
        storage.append(bytes.substr(copied, lf - copied)).append("\r\n");
        copied = lf + 1;
    }
    storage.append(bytes.substr(copied));
    return storage;
}

std::string decoded_content(GMimeObject* object) {
    if (!GMIME_IS_PART(object))
        return {};
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
    if (content == nullptr)
        return {};
    gm::GPtr<GMimeStream> memory(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(content, memory.get());
    GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.get()));
    return std::string(reinterpret_cast<const char*>(array->data), array->len);
}

bool is_pkcs7_mime(GMimeObject* object) {
    return is_type(object, "application", "pkcs7-mime") || is_type(object, "application", "x-pkcs7-mime");
}

std::string_view entity_body(std::string_view entity) {
    if (entity.substr(0, 1) == "\n")
        return entity.substr(1);
    if (entity.substr(0, 2) == "\r\n")
        return entity.substr(2);
    const std::size_t lf = entity.find("\n\n");
    const std::size_t crlf_line = entity.find("\n\r\n");
    if (lf == std::string_view::npos && crlf_line == std::string_view::npos)
        return {};
    if (crlf_line == std::string_view::npos || (lf != std::string_view::npos && lf < crlf_line))
        return entity.substr(lf + 2);
    return entity.substr(crlf_line + 3);
}

bool is_signed_entity(GMimeObject* object) {
    return (is_type(object, "multipart", "signed") && is_smime_signature_protocol(object)) || is_pkcs7_mime(object);
}

bool scan_below(GMimeObject* object, int depth, Budget& budget, const VerifyOptions& options, bool& nested_signature) {
    if (depth > options.max_mime_depth)
        return budget.refuse("MIME entities nested too deeply");
    if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage* forwarded = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        GMimeObject* body = forwarded != nullptr ? g_mime_message_get_mime_part(forwarded) : nullptr;
        if (body == nullptr)
            return true;
        if (!budget.spend_parts(1))
            return false;
        nested_signature |= is_signed_entity(body);
        return scan_below(body, depth + 1, budget, options, nested_signature);
    }
    if (!GMIME_IS_MULTIPART(object))
        return true;
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    const int count = g_mime_multipart_get_count(multipart);
    if (!budget.spend_parts(static_cast<std::size_t>(count)))
        return false;
    for (int i = 0; i < count; ++i) {
        GMimeObject* child = g_mime_multipart_get_part(multipart, i);
        nested_signature |= is_signed_entity(child);
        if (!scan_below(child, depth + 1, budget, options, nested_signature))
            return false;
    }
    return true;
}

} // namespace segel::smime
