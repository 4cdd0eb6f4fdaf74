#include "smime/digest.hpp"

#include <openssl/evp.h>

namespace segel::smime {

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < length; ++i) {
        text += k_hex[digest[i] >> 4];
        text += k_hex[digest[i] & 0xf];
    }
    return text;
}

} // namespace segel::smime
