#include "milter/correspondent_learning.hpp"

#include <algorithm>
#include <chrono>

namespace segel::milter {

CorrespondentLearning::CorrespondentLearning(std::shared_ptr<const config::MilterSettings> settings,
                                             std::shared_ptr<directory::DirectoryService> directory)
    : m_settings(std::move(settings)), m_directory(std::move(directory)) {
    if (m_settings->harvest.review_anchors.empty())
        return;
    auto review = smime::Certificate::load_pem_file(m_settings->harvest.review_anchors);
    m_review_anchors_unreadable = !review;
    for (const auto& anchor : review ? *review : std::vector<smime::Certificate>())
        m_review_anchors.push_back(anchor.sha256_fingerprint_hex());
}

std::string CorrespondentLearning::learn_from(const smime::VerificationReport& report,
                                              const smime::Address& from) const {
    const smime::SignerReport* signer = report.passing_signer();
    if (signer == nullptr || from.domain().is_one_of(m_settings->directory.domains))
        return {};
    std::string problems;
    const auto now = std::chrono::system_clock::now();
    const auto at = std::min(signer->signing_time.value_or(now), now);
    if (auto stored = m_directory->remember_capabilities(from, signer->capabilities, at); !stored)
        problems += "; capabilities not remembered: " + stored.error().detail;
    if (!m_settings->harvest.enabled)
        return problems;
    const bool pending = m_settings->harvest.review && signer->anchor && in_review(*signer->anchor);
    std::vector<smime::Certificate> offered;
    for (const auto* certificate : {&signer->certificate, &signer->encryption_certificate})
        if (*certificate)
            offered.push_back(**certificate);
    offered.insert(offered.end(), report.carried_certificates.begin(), report.carried_certificates.end());
    for (const auto& certificate : offered) {
        // One that does not name the sender (or names an internal address) is refused: skipped.
        auto learned = m_directory->harvest_correspondent(certificate, from.key(), at, pending,
                                                          directory::Actor{"segel-milter"});
        if (!learned && learned.error().kind != directory::ErrorKind::invalid_input)
            problems += "; certificate not harvested: " + learned.error().detail;
    }
    return problems;
}

bool CorrespondentLearning::in_review(const smime::Certificate& anchor) const {
    if (m_review_anchors_unreadable)
        return true;
    return std::find(m_review_anchors.begin(), m_review_anchors.end(), anchor.sha256_fingerprint_hex()) !=
           m_review_anchors.end();
}

} // namespace segel::milter
