// sysexits(3) codes for the segel tool, and the mapping from smime errors.
#pragma once

#include <sysexits.h>

#include "smime/error.hpp"

namespace segel::tool {

inline int exit_code_for(smime::ErrorKind kind) noexcept {
    using smime::ErrorKind;
    switch (kind) {
    case ErrorKind::malformed_message:
    case ErrorKind::ambiguous_sender:
    case ErrorKind::invalid_address:
    case ErrorKind::unsupported_message:
    case ErrorKind::message_too_large:
    case ErrorKind::certificate_expired:
    case ErrorKind::certificate_not_yet_valid:
    case ErrorKind::certificate_key_usage:
    case ErrorKind::certificate_extended_key_usage:
    case ErrorKind::certificate_address_mismatch:
    case ErrorKind::decryption_failed:
        return EX_DATAERR;
    case ErrorKind::bad_credentials:
        return EX_NOPERM;
    case ErrorKind::io_failure:
        return EX_IOERR;
    case ErrorKind::crypto_failure:
    case ErrorKind::internal:
        return EX_SOFTWARE;
    }
    return EX_SOFTWARE;
}

} // namespace segel::tool
