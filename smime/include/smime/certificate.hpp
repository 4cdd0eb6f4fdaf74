// Certificate: an immutable, cheaply copyable X.509 certificate (shared
// reference to OpenSSL's X509) with the facts Segel needs: emails, validity,
// key usage, issuer and serial. Copies share the handle; safe to read from
// several threads. Parsing returns Result; accessors do not fail.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "smime/error.hpp"

namespace segel::smime {

class Certificate {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    // Adopts one reference to cert (which must not be null).
    static Certificate adopt(X509* cert);
    static Result<Certificate> from_der(std::string_view der);
    // Every certificate in a PEM file, in file order.
    static Result<std::vector<Certificate>> load_pem_file(const std::string& path);

    X509* handle() const noexcept { return m_cert.get(); }

    // rfc822Name entries of subjectAltName, then pkcs-9 emailAddress in the
    // subject (RFC 8550 §3), as written in the certificate.
    std::vector<std::string> email_addresses() const;
    TimePoint not_before() const;
    TimePoint not_after() const;
    std::string subject() const;     // RFC 2253 style, one line
    std::string issuer() const;
    std::string serial_hex() const;  // upper-case hex, no separators or leading zeros
    std::string sha256_fingerprint_hex() const; // lower-case hex of the DER's SHA-256
    std::string subject_key_identifier_hex() const; // lower-case hex; empty when the extension is absent
    std::string der() const;
    bool is_self_signed() const;

private:
    explicit Certificate(std::shared_ptr<X509> cert) : m_cert(std::move(cert)) {}
    std::shared_ptr<X509> m_cert;
};

// A distinguished name as Certificate::issuer() and subject() write it
// (RFC 2253 order and escapes, UTF-8 kept).
std::string name_to_string(const X509_NAME* name);

// Upper-case hex without leading zeros, as Certificate::serial_hex().
std::string serial_to_hex(const ASN1_INTEGER* serial);

// Formats a time point as "2026-11-21 06:44:28 UTC".
std::string format_utc(Certificate::TimePoint when);

} // namespace segel::smime
