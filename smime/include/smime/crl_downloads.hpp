// CRLs downloaded from the URLs the operator configured (REV-05; never URLs
// found in certificates, CH-11), kept on disk one file per URL so that a
// restart begins with the last good copy. A download replaces the file only
// when every CRL in it passes crl_acceptance.hpp's checks (signed by one of
// the configured CA certificates, current, not older than the kept CRL of
// the same issuer) and the bytes differ; the replacement is atomic
// (rename), so readers see the old file or the new one. Anything else is a
// failed download that leaves the good copy as it was. Thread-safe per URL;
// run one refresher per directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "smime/crl_acceptance.hpp"
#include "smime/error.hpp"
#include "smime/http_fetch.hpp"

namespace segel::smime {

class CrlDownloads {
public:
    explicit CrlDownloads(std::filesystem::path directory) : m_directory(std::move(directory)) {}

    // Where the copy of `url` lives (named by the URL's SHA-256).
    std::filesystem::path file_for(const std::string& url) const;

    // Downloads `url`; true when the file was replaced, false when the CRL
    // is the one already kept. An error (transport, size, not a CRL, not
    // accepted, disk) leaves the kept copy as it was. `issuers`: the CA
    // certificates whose CRLs are accepted; `now`: the time to judge by.
    Result<bool> refresh(const std::string& url, const FetchLimits& limits, const std::vector<Certificate>& issuers,
                         const CrlFreshness& freshness, Certificate::TimePoint now) const;

private:
    std::filesystem::path m_directory;
};

} // namespace segel::smime
