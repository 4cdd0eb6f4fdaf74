// The closed set of ways an admin operation can fail, each with a message
// in plain words that names what failed (the segel tool prints it after
// "segel: ", the web page shows it). One mapping per front end turns a kind
// into its answer (an exit code, an HTTP status); operations never print.
#pragma once

#include <string>

#include "directory/model.hpp"
#include "smime/error.hpp"

namespace segel::directory::admin {

enum class FailureKind {
    invalid_request,  // the request is incomplete or contradictory (a bulk import without a passphrase)
    input_unreadable, // a named input file cannot be read
    invalid_input,    // the input's content is wrong, or names what is not there, or contradicts the store
    not_permitted,    // the operator's role, a file's permissions or a missing passphrase or key forbid it
    misconfigured,    // a setting names something unusable (the CRL issuer's file)
    cannot_create,    // a folder or file to create cannot be
    unavailable,      // the directory cannot be reached now (locked, moved away, server down)
    io_failure,       // reading or writing a file failed half-way
    internal,         // a broken invariant; a bug
};

struct Failure {
    FailureKind kind = FailureKind::internal;
    std::string message;
};

template <class T>
using OperationResult = smime::Result<T, Failure>;

// "WHAT (kind): detail", of the kind a directory error maps to.
Failure directory_failure(const Error& error, const std::string& what);
// The detail alone, of the kind an smime error (a certificate or key file
// that cannot be loaded) maps to.
Failure smime_failure(const smime::Error& error);

std::string_view to_string(FailureKind kind) noexcept;

} // namespace segel::directory::admin
