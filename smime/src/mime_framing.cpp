#include "mime_framing.hpp"

#include <algorithm>
#include <cstring>

#include "ascii.hpp"
#include "gmime_handles.hpp"

namespace segel::smime {

namespace {

constexpr std::size_t k_max_line_octets = 998; // RFC 5322 §2.1.1

bool has_8bit(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0x80) != 0; });
}

// The name, colon and first line of the value count towards the first line.
bool has_long_line(std::string_view name, std::string_view raw_value) {
    std::size_t line = name.size() + 2;
    for (char c : raw_value) {
        if (c == '\n') {
            line = 0;
        } else if (c != '\r' && ++line > k_max_line_octets) {
            return true;
        }
    }
    return false;
}

// GMime 3.2 splits a long RFC 2231 value into chunks of 78 - (name + 6)
// octets and never ends when that is 2 or less (names of 70 to 72 octets).
// No client writes parameter names near that length; longer ones than this
// are refused rather than handed to the formatter.
constexpr std::size_t k_max_param_name_octets = 64;

// The longest parameter name GMime would format for this field, 0 if it has
// no parameters.
std::size_t longest_parameter_name(std::string_view name, const char* value) {
    gm::GPtr<GMimeContentType> type;
    gm::GPtr<GMimeContentDisposition> disposition;
    GMimeParamList* params = nullptr;
    if (ascii::iequals(name, "Content-Type")) {
        type.reset(g_mime_content_type_parse(nullptr, value));
        params = type ? g_mime_content_type_get_parameters(type.get()) : nullptr;
    } else if (ascii::iequals(name, "Content-Disposition")) {
        disposition.reset(g_mime_content_disposition_parse(nullptr, value));
        params = disposition ? g_mime_content_disposition_get_parameters(disposition.get()) : nullptr;
    }
    std::size_t longest = 0;
    for (int i = 0; params != nullptr && i < g_mime_param_list_length(params); ++i)
        longest = std::max(longest, std::strlen(g_mime_param_get_name(g_mime_param_list_get_parameter_at(params, i))));
    return longest;
}

} // namespace

Result<void> encode_header_fields(GMimeObject* object) {
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    for (int i = 0; headers != nullptr && i < g_mime_header_list_get_count(headers); ++i) {
        GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
        const char* name = g_mime_header_get_name(header);
        const char* raw = g_mime_header_get_raw_value(header);
        if (raw == nullptr || (!has_8bit(raw) && !has_long_line(name, raw)))
            continue;
        const char* decoded = g_mime_header_get_value(header);
        // Copied: setting the value frees the decoded string it came from.
        const std::string value = decoded != nullptr ? decoded : "";
        if (longest_parameter_name(name, value.c_str()) > k_max_param_name_octets)
            return make_error(ErrorKind::unsupported_message,
                              "the " + ascii::printable(name) + " field of a part has a parameter name over " +
                                  std::to_string(k_max_param_name_octets) +
                                  " octets and 8-bit data or a long line, so Segel cannot re-encode it");
        g_mime_header_set_value(header, nullptr, value.c_str(), "utf-8");
    }
    return {};
}

std::string canonical_filler(std::string_view text) {
    if (has_8bit(text) || text.find('\0') != std::string_view::npos)
        return {};
    std::string out;
    out.reserve(text.size() + text.size() / 32 + 2);
    while (!text.empty()) {
        const std::size_t newline = text.find('\n');
        const bool ended = newline != std::string_view::npos;
        std::string_view line = text.substr(0, ended ? newline : text.size());
        text.remove_prefix(ended ? newline + 1 : text.size());
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        if (line.size() > k_max_line_octets || line.find('\r') != std::string_view::npos)
            return {};
        out.append(line);
        if (ended)
            out += "\r\n";
    }
    return out;
}

} // namespace segel::smime
