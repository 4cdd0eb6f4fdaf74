#include "milter/recipient_planner.hpp"

#include <algorithm>
#include <chrono>

#include "smime/address.hpp"

namespace segel::milter {

RecipientPlanner::RecipientPlanner(std::shared_ptr<const config::MilterSettings> settings,
                                   std::shared_ptr<directory::DirectoryService> directory,
                                   std::optional<smime::TrustStore> anchors,
                                   std::shared_ptr<const RevocationAnswers> revocation)
    : m_settings(std::move(settings)), m_directory(std::move(directory)), m_anchors(std::move(anchors)),
      m_revocation(std::move(revocation)) {}

directory::Result<directory::RecipientPlan> RecipientPlanner::plan(const std::string& recipient,
                                                                   directory::EncryptionMode floor) const {
    auto address = smime::Address::parse(recipient);
    if (!address)
        return directory::make_error(directory::ErrorKind::invalid_input,
                                     "recipient " + recipient + ": " + address.error().detail);
    directory::PlanInputs inputs;
    inputs.anchors = m_anchors ? &*m_anchors : nullptr;
    if (m_revocation)
        inputs.revocation = m_revocation->check();
    inputs.floor = floor;
    inputs.internal_recipient = address->domain().is_one_of(m_settings->directory.domains);
    inputs.now = std::chrono::system_clock::now();
    return directory::plan_recipient(*m_directory, *m_directory, *address, inputs);
}

std::optional<smime::Certificate> RecipientPlanner::sender_encryption_certificate(const smime::Address& sender) const {
    auto candidates = m_directory->encryption_certificates(sender, std::chrono::system_clock::now());
    if (!candidates)
        return std::nullopt; // signing goes on; the reply is then encrypted to what the correspondent knows
    for (const auto& candidate : *candidates)
        if (candidate.usable && candidate.source == directory::CertificateSource::ra_directory)
            return candidate.certificate;
    return std::nullopt;
}

directory::Result<bool> RecipientPlanner::any_encryption_policy() const {
    auto rules = m_directory->policy_rules();
    if (!rules)
        return rules.error();
    return std::any_of(rules->begin(), rules->end(), [](const directory::PolicyRule& rule) {
        return rule.mode && *rule.mode != directory::EncryptionMode::never;
    });
}

} // namespace segel::milter
