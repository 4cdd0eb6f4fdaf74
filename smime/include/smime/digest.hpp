// SHA-256 as lower-case hex, for fingerprints and hash chains.
#pragma once

#include <string>
#include <string_view>

namespace segel::smime {

std::string sha256_hex(std::string_view data);

} // namespace segel::smime
