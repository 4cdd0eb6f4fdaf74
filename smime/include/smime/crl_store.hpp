// CrlStore: CRLs loaded from files for revocation checks while verifying
// (REV-01). A CRL counts for a signer only if it is signed by the signer's
// issuer (the certificate from the validated chain, never one carried on
// its own), names that issuer, and is fresh (nextUpdate in the future, or
// thisUpdate within max_age when there is none). Immutable after loading;
// thread-safe. A refresh builds a new store.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "smime/crl.hpp"
#include "smime/crl_acceptance.hpp"
#include "smime/verifier.hpp"

namespace segel::smime {

class CrlStore {
public:
    // `require_for_every_issuer`: an issuer without any loaded CRL gives
    // "unknown" (temperror) instead of "good, not checked". `unavailable`
    // names configured sources with no CRL yet (a URL never downloaded): while
    // there is one, an issuer without a CRL is "unknown" too, as the missing
    // CRL may be its own (REV-01).
    static Result<CrlStore> load_files(const std::vector<std::string>& paths, std::chrono::seconds max_age,
                                       bool require_for_every_issuer, std::vector<std::string> unavailable = {});

    // Where `in_use` holds a CRL of an issuer that every CRL of that issuer
    // in this store is older than (an old file put back before a reload),
    // that CRL stays in use here too (crl_acceptance.hpp); returns the
    // issuers concerned. An issuer this store has no CRL of is left out.
    std::vector<std::string> keep_newer(const CrlStore& in_use);

    RevocationAnswer check(const Certificate& signer, const Certificate& issuer, Certificate::TimePoint now) const;
    // Whether any CRL was loaded for the signer's issuer (fresh or not).
    bool covers(const Certificate& signer) const { return m_by_issuer.count(signer.issuer()) > 0; }

private:
    struct Entry {
        Crl crl;
        std::map<std::string, int> revoked; // serial -> RFC 5280 reason code
    };
    std::map<std::string, std::vector<Entry>> m_by_issuer; // issuer DN -> CRLs
    std::chrono::seconds m_max_age{0};
    bool m_require_all = false;
    std::vector<std::string> m_unavailable;
};

} // namespace segel::smime
