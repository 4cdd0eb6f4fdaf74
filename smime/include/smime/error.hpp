// Closed set of error kinds returned by the smime module, and Result<T>.
//
// Every fallible operation returns Result<T>: either a value or an Error with
// a kind (what policy switches on) and a detail (plain words for logs and the
// operator; never key material). Expected outcomes, such as a message that is
// already signed, are values, not errors. Thread-safe: plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace segel::smime {

enum class ErrorKind {
    malformed_message,            // input is not a message we can parse safely
    ambiguous_sender,             // zero or several From fields or mailboxes (SEC-04)
    invalid_address,              // an email address or domain outside RFC 5321's syntax
    unsupported_message,          // well-formed, but cannot be signed without changing it
    message_too_large,            // over a configured size cap
    certificate_expired,          // notAfter is in the past
    certificate_not_yet_valid,    // notBefore is in the future
    certificate_key_usage,        // KeyUsage lacks digitalSignature/nonRepudiation (CH-06)
    certificate_extended_key_usage, // EKU present without emailProtection (CH-07)
    certificate_address_mismatch, // From address not among the certificate's emails
    bad_credentials,              // unreadable certificate/key/PKCS#12, wrong passphrase, key mismatch
    decryption_failed,            // no key given opens the message, or its ciphertext is damaged: one kind for every cause (DEC-03)
    crypto_failure,               // OpenSSL failed while signing
    io_failure,                   // temp file or output could not be written
    internal,                     // a broken invariant; a bug
};

// Stable snake_case name of a kind, for logs and machine-readable output.
std::string_view to_string(ErrorKind kind) noexcept;

struct Error {
    ErrorKind kind;
    std::string detail;
};

inline Error make_error(ErrorKind kind, std::string detail) {
    return Error{kind, std::move(detail)};
}

// A value of T or an error E (other modules use their own error type). Small
// by design: has_value(), value(), error().
template <class T, class E = Error>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(E error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const noexcept { return m_state.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    T& value() & { return std::get<0>(m_state); }
    const T& value() const& { return std::get<0>(m_state); }
    T&& value() && { return std::get<0>(std::move(m_state)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const E& error() const { return std::get<1>(m_state); }

private:
    std::variant<T, E> m_state;
};

template <class E>
class [[nodiscard]] Result<void, E> {
public:
    Result() = default;
    Result(E error) : m_error(std::move(error)), m_failed(true) {}

    bool has_value() const noexcept { return !m_failed; }
    explicit operator bool() const noexcept { return has_value(); }
    const E& error() const { return m_error; }

private:
    E m_error{};
    bool m_failed = false;
};

} // namespace segel::smime
