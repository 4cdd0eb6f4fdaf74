#include "smime/error.hpp"

namespace segel::smime {

std::string_view to_string(ErrorKind kind) noexcept {
    switch (kind) {
    case ErrorKind::malformed_message: return "malformed_message";
    case ErrorKind::ambiguous_sender: return "ambiguous_sender";
    case ErrorKind::unsupported_message: return "unsupported_message";
    case ErrorKind::message_too_large: return "message_too_large";
    case ErrorKind::certificate_expired: return "certificate_expired";
    case ErrorKind::certificate_not_yet_valid: return "certificate_not_yet_valid";
    case ErrorKind::certificate_key_usage: return "certificate_key_usage";
    case ErrorKind::certificate_extended_key_usage: return "certificate_extended_key_usage";
    case ErrorKind::certificate_address_mismatch: return "certificate_address_mismatch";
    case ErrorKind::bad_credentials: return "bad_credentials";
    case ErrorKind::decryption_failed: return "decryption_failed";
    case ErrorKind::crypto_failure: return "crypto_failure";
    case ErrorKind::io_failure: return "io_failure";
    case ErrorKind::invalid_address: return "invalid_address";
    case ErrorKind::internal: return "internal";
    }
    return "internal";
}

} // namespace segel::smime
