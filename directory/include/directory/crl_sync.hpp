// CRL sync (`segel sync crl FILE`): a CA's CRL, checked against the issuing
// CA we are configured to trust (signature, name, cRLSign; REV-01) and for
// freshness (the checks of smime/crl_acceptance.hpp), marks the directory's certificates from that issuer revoked
// with the CRL's reason code. Certificates already revoked keep their
// recorded reason; applying the same CRL twice changes nothing.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "directory/certificate_directory.hpp"
#include "directory/ra_sync.hpp"
#include "smime/crl.hpp"
#include "smime/crl_acceptance.hpp"

namespace segel::directory {

using smime::CrlFreshness;

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
