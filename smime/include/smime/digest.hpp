// SHA-256 as lower-case hex, for fingerprints and hash chains; bytes as
// lower-case hex.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace segel::smime {

std::string sha256_hex(std::string_view data);
// Two lower-case hex digits per byte.
std::string to_hex(const unsigned char* bytes, std::size_t size);

} // namespace segel::smime
