#include "milter/revocation_answers.hpp"

#include <chrono>

namespace segel::milter {

RevocationAnswers::RevocationAnswers(std::shared_ptr<const config::MilterSettings> settings,
                                     std::shared_ptr<directory::CertificateDirectory> directory,
                                     std::shared_ptr<const smime::CrlStore> crls,
                                     std::shared_ptr<const smime::OcspChecker> ocsp)
    : m_settings(std::move(settings)), m_directory(std::move(directory)), m_ocsp(std::move(ocsp)),
      m_crls(std::move(crls)) {}

std::shared_ptr<const smime::CrlStore> RevocationAnswers::crls() const {
    std::lock_guard lock(m_crls_mutex);
    return m_crls;
}

void RevocationAnswers::replace_crls(std::shared_ptr<const smime::CrlStore> crls) const {
    std::lock_guard lock(m_crls_mutex);
    m_crls = std::move(crls);
}

smime::RevocationCheck RevocationAnswers::check() const {
    return [this, crls = crls()](const smime::Certificate& subject, const smime::Certificate& issuer) {
        return answer(subject, issuer, crls.get());
    };
}

smime::RevocationAnswer RevocationAnswers::answer(const smime::Certificate& subject, const smime::Certificate& issuer,
                                                  const smime::CrlStore* crls) const {
    using Status = smime::RevocationAnswer::Status;
    const auto now = std::chrono::system_clock::now();
    // The RA's decision counts at once, before any CRL says so (REV-03).
    if (auto record = m_directory->get_certificate(subject.sha256_fingerprint_hex());
        record && record->status_at(now) == directory::CertificateStatus::revoked)
        return smime::RevocationAnswer{
            Status::revoked,
            "RA: " + std::string(directory::to_string(record->reason.value_or(directory::RevocationReason::unspecified)))};
    std::string ocsp_unknown;
    if (m_ocsp) {
        auto answer = m_ocsp->check(subject, issuer, now);
        if (answer.status != Status::unknown)
            return answer;
        ocsp_unknown = answer.detail;
    }
    if (crls != nullptr && (crls->covers(subject) || !m_ocsp))
        return crls->check(subject, issuer, now);
    if (!ocsp_unknown.empty())
        return smime::RevocationAnswer{Status::unknown, ocsp_unknown};
    return m_settings->verify.require_crl ? smime::RevocationAnswer{Status::unknown, "no CRL is configured"}
                                          : smime::RevocationAnswer{Status::good, "no CRL configured"};
}

} // namespace segel::milter
