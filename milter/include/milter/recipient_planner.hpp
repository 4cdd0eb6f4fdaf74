// The encryption plan of one recipient as segel-milter makes it, at the
// submission (to decide whether a message goes through the encryption hop)
// and on the hop (to encrypt it): directory::plan_recipient with this
// snapshot's recipient trust anchors, its revocation sources and its
// internal domains. Thread-safe; never throws.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/milter_settings.hpp"
#include "directory/directory_service.hpp"
#include "directory/encryption_plan.hpp"
#include "milter/revocation_answers.hpp"
#include "smime/trust_store.hpp"

namespace segel::milter {

class RecipientPlanner {
public:
    RecipientPlanner(std::shared_ptr<const config::MilterSettings> settings,
                     std::shared_ptr<directory::DirectoryService> directory, std::optional<smime::TrustStore> anchors,
                     std::shared_ptr<const RevocationAnswers> revocation);

    // `recipient` as the envelope gives it; an address that cannot be
    // parsed is invalid_input.
    // `floor`: the message's least mode (trigger, reply to decrypted mail).
    directory::Result<directory::RecipientPlan> plan(const std::string& recipient, directory::EncryptionMode floor) const;
    // The internal sender's own usable encryption certificate from the RA
    // directory (the newest), named in every signature so correspondents
    // encrypt replies to a key the gateway holds (RFC 8551 §2.5.3).
    std::optional<smime::Certificate> sender_encryption_certificate(const smime::Address& sender) const;
    // Whether any policy rule may encrypt (a mode other than never).
    directory::Result<bool> any_encryption_policy() const;

    directory::DirectoryService& directory() const noexcept { return *m_directory; }

private:
    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<directory::DirectoryService> m_directory;
    std::optional<smime::TrustStore> m_anchors;
    std::shared_ptr<const RevocationAnswers> m_revocation;
};

} // namespace segel::milter
