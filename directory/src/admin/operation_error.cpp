#include "directory/admin/operation_error.hpp"

namespace segel::directory::admin {

Failure directory_failure(const Error& error, const std::string& what) {
    FailureKind kind = FailureKind::internal;
    switch (error.kind) {
    case ErrorKind::invalid_input:
    case ErrorKind::not_found:
    case ErrorKind::conflict:
        kind = FailureKind::invalid_input;
        break;
    case ErrorKind::unavailable:
        kind = FailureKind::unavailable;
        break;
    case ErrorKind::key_unavailable:
        kind = FailureKind::not_permitted;
        break;
    case ErrorKind::internal:
        break;
    }
    return {kind, what + " (" + std::string(to_string(error.kind)) + "): " + error.detail};
}

Failure smime_failure(const smime::Error& error) {
    using smime::ErrorKind;
    FailureKind kind = FailureKind::invalid_input;
    switch (error.kind) {
    case ErrorKind::bad_credentials:
        kind = FailureKind::not_permitted;
        break;
    case ErrorKind::io_failure:
        kind = FailureKind::io_failure;
        break;
    case ErrorKind::crypto_failure:
    case ErrorKind::internal:
        kind = FailureKind::internal;
        break;
    default:
        break;
    }
    return {kind, error.detail};
}

std::string_view to_string(FailureKind kind) noexcept {
    switch (kind) {
    case FailureKind::invalid_request:
        return "invalid_request";
    case FailureKind::input_unreadable:
        return "input_unreadable";
    case FailureKind::invalid_input:
        return "invalid_input";
    case FailureKind::not_permitted:
        return "not_permitted";
    case FailureKind::misconfigured:
        return "misconfigured";
    case FailureKind::cannot_create:
        return "cannot_create";
    case FailureKind::unavailable:
        return "unavailable";
    case FailureKind::io_failure:
        return "io_failure";
    case FailureKind::internal:
        return "internal";
    }
    return "internal";
}

} // namespace segel::directory::admin
