// Unstructured header text (RFC 5322 §3.2.5, e.g. Subject) as a person reads
// it: RFC 2047 encoded-words decoded to UTF-8, and back, with GMime's rules
// (encoded-words only where the text is not plain ASCII).
#pragma once

#include <string>

namespace segel::smime {

std::string decode_header_text(const std::string& value);
std::string encode_header_text(const std::string& text);

} // namespace segel::smime
