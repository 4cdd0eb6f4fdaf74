#include "smime/digest.hpp"

#include <openssl/evp.h>

namespace segel::smime {

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    return to_hex(digest, length);
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        text += k_hex[bytes[i] >> 4];
        text += k_hex[bytes[i] & 0xf];
    }
    return text;
}

} // namespace segel::smime
