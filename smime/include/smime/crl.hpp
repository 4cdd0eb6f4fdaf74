// A certificate revocation list (RFC 5280 §5): loaded from PEM (a file may
// hold several) or DER,
// checked against the issuing CA we are configured to trust (signature,
// issuer name, cRLSign), read as entries with RFC 5280 §5.3.1 reason codes.
// Immutable after loading; thread-safe to read.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "smime/certificate.hpp"
#include "smime/error.hpp"

namespace segel::smime {

struct CrlEntry {
    std::string serial_hex;                  // upper-case, as Certificate::serial_hex()
    int reason_code = 0;                     // RFC 5280 CRLReason; 0 (unspecified) when absent
    Certificate::TimePoint revoked_at;
    std::optional<Certificate::TimePoint> invalidity_date;
};

// RFC 5280 §5.3.1 CRLReason code in words ("key compromise", ...), as CRLs
// and OCSP (RFC 6960 §4.2.1) report it.
const char* revocation_reason_name(int code) noexcept;

class Crl {
public:
    using TimePoint = Certificate::TimePoint;

    // Every CRL in a file or in bytes: all PEM blocks, each of which must be
    // a CRL (any other block is refused, naming it), or else one DER CRL.
    // `name` (a path, a URL) goes into the error.
    static Result<std::vector<Crl>> load_all(const std::string& path);
    static Result<std::vector<Crl>> parse_all(std::string_view data, const std::string& name);

    std::string issuer() const;
    TimePoint this_update() const;
    std::optional<TimePoint> next_update() const;
    std::vector<CrlEntry> entries() const;
    // The cRLNumber extension (RFC 5280 §5.2.3) of both CRLs compared:
    // negative, zero or positive as this one's is lower, equal or higher;
    // nothing when either CRL has none.
    std::optional<int> compare_number(const Crl& other) const;

    // The CRL names `issuer` as its issuer and is signed by its key; the
    // issuer's KeyUsage, if present, allows cRLSign (REV-01).
    Result<void> check_signed_by(const Certificate& issuer) const;

private:
    static Result<std::vector<Crl>> read_all(BIO* bio, const std::string& name); // PEM first, then DER
    explicit Crl(std::shared_ptr<X509_CRL> crl) : m_crl(std::move(crl)) {}
    std::shared_ptr<X509_CRL> m_crl;
};

} // namespace segel::smime
