// Revocation sources for segel-milter's verification (REV-01, REV-02): the
// OCSP responder of [verify] ocsp_url, and the revocation lists: the [verify] crl files
// plus the kept downloads of the crl_url URLs (REV-01, REV-05). The daemon's
// background thread runs refresh_crls at start and every
// crl_refresh_minutes: each URL downloaded in turn with the configured
// timeout and size cap (SEC-07), accepted only when signed by an anchor or
// a [verify] crl_issuers certificate, current and not older than the kept
// copy (smime/crl_acceptance.hpp), then a new store swapped into the
// current pipelines; a failed download keeps the last good copy until it is
// stale, when verification says temperror. A CRL file put back older than
// the one in use does not replace it at a reload either.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/milter_settings.hpp"
#include "milter/pipelines.hpp"
#include "smime/crl_store.hpp"
#include "smime/ocsp_checker.hpp"
#include "smime/trust_store.hpp"

namespace segel::milter {

// The store for a settings snapshot; nullptr when no CRL is configured. On a
// broken CRL file returns nullptr and sets `problem`. With `in_use`, a CRL
// of it that the loaded ones of its issuer are all older than stays in use
// (named in `kept`, when given).
std::shared_ptr<const smime::CrlStore> load_crls(const config::MilterSettings& settings, std::string& problem,
                                                 const smime::CrlStore* in_use = nullptr,
                                                 std::vector<std::string>* kept = nullptr);

// The CA certificates whose downloaded CRLs are accepted: the anchors and
// the crl_issuers file's certificates, each of which must chain to an
// anchor (else empty, with `problem` set).
std::vector<smime::Certificate> load_crl_issuers(const config::MilterSettings& settings, std::string& problem);

// The OCSP checker for a settings snapshot; nullptr when ocsp_url is empty.
// On an unreadable pinned responder certificate returns nullptr and sets `problem`.
std::shared_ptr<const smime::OcspChecker> load_ocsp(const config::MilterSettings& settings,
                                                     const smime::TrustStore& anchors, std::string& problem);

// What one refresh round did, for the log.
struct CrlRefreshReport {
    std::vector<std::string> replaced; // URLs whose CRL changed
    std::vector<std::string> failed;   // "URL: why", the last good copy kept
    std::vector<std::string> kept;     // issuers whose CRL in use is newer than any loaded now
    std::string problem;               // the new store could not be built; the old one stays
};

// One round: downloads every crl_url of the snapshot's settings, one at a
// time, and swaps a rebuilt store into its inbound pipeline.
CrlRefreshReport refresh_crls(const Pipelines& pipelines);

} // namespace segel::milter
