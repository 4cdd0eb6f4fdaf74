// Whether a certificate is revoked, asked the same way for a signer of
// inbound mail and for a recipient of encrypted mail (REV-01..REV-03,
// CH-01): the directory's RA status first (a revocation recorded there
// counts at once), then the OCSP responder when configured (its "good" or
// "revoked" stands), then the CRLs; what none of them can tell is unknown
// when CRLs are required, else good. The CRL store is swapped by the
// background refresher (REV-05) while a message keeps the one it started
// with. One instance per settings snapshot; thread-safe.
#pragma once

#include <memory>
#include <mutex>

#include "config/milter_settings.hpp"
#include "directory/certificate_directory.hpp"
#include "smime/crl_store.hpp"
#include "smime/ocsp_checker.hpp"
#include "smime/verifier.hpp"

namespace segel::milter {

class RevocationAnswers {
public:
    RevocationAnswers(std::shared_ptr<const config::MilterSettings> settings,
                      std::shared_ptr<directory::CertificateDirectory> directory,
                      std::shared_ptr<const smime::CrlStore> crls, std::shared_ptr<const smime::OcspChecker> ocsp);

    // A check bound to the CRLs in use now.
    smime::RevocationCheck check() const;

    std::shared_ptr<const smime::CrlStore> crls() const;
    void replace_crls(std::shared_ptr<const smime::CrlStore> crls) const;

private:
    smime::RevocationAnswer answer(const smime::Certificate& subject, const smime::Certificate& issuer,
                                   const smime::CrlStore* crls) const;

    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<directory::CertificateDirectory> m_directory;
    std::shared_ptr<const smime::OcspChecker> m_ocsp;
    mutable std::mutex m_crls_mutex;
    mutable std::shared_ptr<const smime::CrlStore> m_crls;
};

} // namespace segel::milter
