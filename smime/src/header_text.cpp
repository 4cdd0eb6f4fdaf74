#include "smime/header_text.hpp"

#include <gmime/gmime.h>

#include "gmime_library.hpp"

namespace segel::smime {

namespace {
std::string taken(char* text, const std::string& fallback) {
    std::string out = text != nullptr ? text : fallback;
    g_free(text);
    return out;
}
} // namespace

std::string decode_header_text(const std::string& value) {
    ensure_gmime_initialised();
    return taken(g_mime_utils_header_decode_text(nullptr, value.c_str()), value);
}

std::string encode_header_text(const std::string& text) {
    ensure_gmime_initialised();
    return taken(g_mime_utils_header_encode_text(nullptr, text.c_str(), "utf-8"), text);
}

} // namespace segel::smime
