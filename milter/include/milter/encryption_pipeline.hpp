// The encryption hop (issue 12 items 2-6, 9): what segel-milter does at end
// of message on the Postfix service listed in [routing] encrypt_service.
// Postfix sends it the mail the submission marked (the X-Segel-Encrypt
// field, routed by milter_header_checks FILTER), after alias expansion and
// one recipient per transaction (the transport's
// destination_recipient_limit = 1), so that nobody receives a message
// encrypted to others' certificates and no Bcc recipient's certificate is
// ever visible to another recipient.
//
// In order: one recipient, else 451 4.5.3; the marking field removed; mail
// that is not signed here, or is S/MIME-encrypted already, left as it is
// (encryption never goes out unsigned); the recipient's plan
// (recipient_planner.hpp) with the marking's trigger; then encrypted (the
// signed entity is the content: sign-then-encrypt, RFC 8551 §3.7, with the
// algorithms choose_algorithms gives), sent signed only, refused with a
// notice naming the recipient and the reason, or tried again later. Every
// encryption goes to the audit log with each certificate, its source, the
// cipher and the key transport. Thread-safe; never throws.
#pragma once

#include <memory>

#include "config/milter_settings.hpp"
#include "milter/mta_actions.hpp"
#include "milter/pipeline_result.hpp"
#include "milter/recipient_planner.hpp"
#include "milter/routing.hpp"
#include "smime/error.hpp"
#include "smime/mime_entity.hpp"

namespace segel::milter {

// The field the submission adds to mark a signed message for the hop; its
// value: "required" (the subject trigger), "opportunistic-all" (every
// submitted recipient has a usable certificate) or "opportunistic-partial".
constexpr const char* k_encrypt_marking_field = "X-Segel-Encrypt";

class EncryptionPipeline {
public:
    EncryptionPipeline(std::shared_ptr<const config::MilterSettings> settings,
                       std::shared_ptr<const RecipientPlanner> planner);

    EncryptionResult finish(const SessionFacts& facts, const smime::MimeEntity& message, MtaActions& mta) const;
    // A message the spool refused: tempfailed (it was accepted once already).
    EncryptionResult finish_unreadable(const SessionFacts& facts, const smime::Error& problem, MtaActions& mta) const;

private:
    EncryptionResult process(const SessionFacts& facts, const smime::MimeEntity& message, MtaActions& mta) const;
    EncryptionResult encrypt(const smime::MimeEntity& message, const directory::RecipientPlan& plan,
                             EncryptionResult result, MtaActions& mta) const;

    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<const RecipientPlanner> m_planner;
};

} // namespace segel::milter
