// CRLs downloaded from the URLs the operator configured (REV-05; never URLs
// found in certificates, CH-11), kept on disk one file per URL so that a
// restart begins with the last good copy. A download replaces the file only
// when it is a CRL (PEM or DER) and differs; the replacement is atomic
// (rename), so readers see the old file or the new one. Freshness and the
// issuer's signature are CrlStore's business. Thread-safe per URL; run one
// refresher per directory.
#pragma once

#include <filesystem>
#include <string>

#include "smime/error.hpp"
#include "smime/http_fetch.hpp"

namespace segel::smime {

class CrlDownloads {
public:
    explicit CrlDownloads(std::filesystem::path directory) : m_directory(std::move(directory)) {}

    // Where the copy of `url` lives (named by the URL's SHA-256).
    std::filesystem::path file_for(const std::string& url) const;

    // Downloads `url`; true when the file was replaced, false when the CRL
    // is the one already kept. An error (transport, size, not a CRL, disk)
    // leaves the kept copy as it was.
    Result<bool> refresh(const std::string& url, const FetchLimits& limits) const;

private:
    std::filesystem::path m_directory;
};

} // namespace segel::smime
