// Builds CRLs for tests and benchmarks with OpenSSL's X509_CRL API, signed
// by a demo CA key (independent of the code that reads them).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace segel::test {

struct RevokedSerial {
    std::string serial_hex;
    int reason_code = 0; // RFC 5280; -1 for no reasonCode extension
};

struct CrlSpec {
    std::vector<RevokedSerial> revoked;
    std::chrono::system_clock::time_point this_update = std::chrono::system_clock::now() - std::chrono::hours(1);
    std::optional<std::chrono::system_clock::time_point> next_update =
        std::chrono::system_clock::now() + std::chrono::hours(24 * 7);
    std::optional<long> crl_number; // the cRLNumber extension, when set
    std::string issuer_cert_pem; // path; its subject becomes the CRL issuer
    std::string signer_key_pem;  // path; normally the issuer's key
};

// Writes the CRL in PEM to `path`; throws on failure.
void write_crl(const CrlSpec& spec, const std::string& path);

} // namespace segel::test
