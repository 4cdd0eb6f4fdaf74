// Rules a certificate must meet before Segel signs with it (RFC 8550 §4.4).
// Pure functions of the certificate and a time; thread-safe.
#pragma once

#include <string_view>

#include "smime/certificate.hpp"
#include "smime/error.hpp"

namespace segel::smime {

// Validity at `now`, KeyUsage (CH-06) and ExtendedKeyUsage (CH-07).
Result<void> check_signing_certificate(const Certificate& cert, Certificate::TimePoint now);

// Fit to encrypt a content key to at `now` (RFC 8550 §4.4.2): within its
// dates; a KeyUsage, when present, allows keyEncipherment (RSA) or
// keyAgreement (EC); dataEncipherment is never required. Errors name why.
Result<void> check_encryption_certificate(const Certificate& cert, Certificate::TimePoint now);

// The addr-spec must equal one of the certificate's emails; domain and local
// part compared case-insensitively (RFC 8550 §3, CH-04; not X509_check_email,
// whose local-part comparison is case-sensitive, OSSL-08).
Result<void> check_certificate_covers(const Certificate& cert, std::string_view addr_spec);

} // namespace segel::smime
