#include "openssl_error.hpp"

#include <openssl/err.h>

namespace segel::smime {

std::string openssl_error_text(const std::string& context) {
    std::string text = context;
    bool first = true;
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += first ? ": " : "; ";
        text += buffer;
        first = false;
    }
    return text;
}

} // namespace segel::smime
