// CRL sync (`segel sync crl FILE`): a CA's CRL, checked against the issuing
// CA we are configured to trust (signature, name, cRLSign; REV-01) and for
// freshness, marks the directory's certificates from that issuer revoked
// with the CRL's reason code. Certificates already revoked keep their
// recorded reason; applying the same CRL twice changes nothing.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "directory/certificate_directory.hpp"
#include "directory/ra_sync.hpp"
#include "smime/crl.hpp"

namespace segel::directory {

struct CrlFreshness {
    // Without nextUpdate, a CRL older than this is stale.
    std::chrono::seconds max_age = std::chrono::hours(24 * 7);
    // thisUpdate may lie this far in the future (clock skew).
    std::chrono::seconds skew = std::chrono::minutes(5);
};

struct CrlSyncPlan : SyncPlan {
    std::size_t entries = 0;           // revoked serials on the issuer's CRLs
    std::size_t known = 0;             // of those, certificates in the directory
    std::vector<std::string> skipped;  // CRLs in the file from other CAs, not applied
};

// Every CRL of the file counts: each one naming the configured issuer must
// pass the checks (or nothing is applied); CRLs of other CAs in the same file
// (a bundle) are skipped and listed; a file with none of the issuer's is refused.
Result<CrlSyncPlan> plan_crl_sync(CertificateDirectory& directory, const std::vector<smime::Crl>& crls,
                                  const smime::Certificate& issuer, TimePoint now, const CrlFreshness& freshness,
                                  const std::string& source);

} // namespace segel::directory
