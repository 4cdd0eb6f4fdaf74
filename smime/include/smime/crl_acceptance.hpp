// Whether a CRL may be used, or may replace the one kept for its issuer
// (REV-01, REV-05). The same checks serve the background downloads of
// segel-milter, `segel sync crl` and the configured CRL files: a CA
// certificate we trust issued it (its name, cRLSign, its key), it is
// current, and it is not older than the one it would replace (RFC 5280
// §5.1.2.4: thisUpdate; §5.2.3: cRLNumber when both carry one), so that
// serving an old CRL again cannot un-revoke a certificate. Pure functions;
// thread-safe.
#pragma once

#include <chrono>
#include <vector>

#include "smime/certificate.hpp"
#include "smime/crl.hpp"
#include "smime/error.hpp"

namespace segel::smime {

struct CrlFreshness {
    // Without nextUpdate, a CRL older than this is stale.
    std::chrono::seconds max_age = std::chrono::hours(24 * 7);
    // thisUpdate may lie this far in the future (clock skew).
    std::chrono::seconds skew = std::chrono::minutes(5);
};

// The certificate among `issuers` whose name the CRL gives as its issuer
// and whose key signed it; an error says why none did.
Result<const Certificate*> crl_signer(const Crl& crl, const std::vector<Certificate>& issuers);

// thisUpdate not ahead of `now` by more than the skew; nextUpdate not
// passed (or, without one, thisUpdate within max_age).
Result<void> check_current(const Crl& crl, Certificate::TimePoint now, const CrlFreshness& freshness);

// `candidate` may replace `kept` (the same issuer's): not an earlier
// thisUpdate, not a lower cRLNumber.
Result<void> check_not_older(const Crl& candidate, const Crl& kept);

} // namespace segel::smime
