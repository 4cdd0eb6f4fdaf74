// Drains OpenSSL's thread-local error queue into one readable string.
#pragma once

#include <string>

namespace segel::smime {

// Returns "context: reason; reason" and empties the queue. Call
// ERR_clear_error() before the operation whose errors you will report.
std::string openssl_error_text(const std::string& context);

} // namespace segel::smime
