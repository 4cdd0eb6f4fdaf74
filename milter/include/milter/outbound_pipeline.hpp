// The outbound pipeline: what segel-milter does at end of message with mail
// that routing (routing.hpp) sent outbound, without libmilter. In order:
// decide whether the message is ours to sign (PF-01..PF-04, SEC-04), choose
// the certificate the login may use for the single From address (directory),
// sign (smime::sign, an entity step), mark it for the encryption hop when
// [encryption] is on (encryption_marking.hpp: the subject trigger, the
// recipients' plans; the hop encrypts after alias expansion) or, for one
// external recipient, encrypt or refuse at once (single_recipient_direct),
// check the size limit (PF-09), apply the final entity through the one
// generic rewrite (message_rewrite.hpp), record the signing in the audit log
// (ID-08), and answer through the reply table. One instance serves every
// connection of one settings snapshot; thread-safe; never throws.
#pragma once

#include <memory>

#include "config/milter_settings.hpp"
#include "directory/certificate_directory.hpp"
#include "milter/mta_actions.hpp"
#include "milter/pipeline_result.hpp"
#include "milter/recipient_planner.hpp"
#include "milter/routing.hpp"
#include "smime/error.hpp"
#include "smime/mime_entity.hpp"

namespace segel::milter {

class OutboundPipeline {
public:
    // `planner`: for the encryption marking ([encryption] enabled); may be nullptr.
    OutboundPipeline(std::shared_ptr<const config::MilterSettings> settings,
                     std::shared_ptr<directory::CertificateDirectory> directory,
                     std::shared_ptr<const RecipientPlanner> planner = nullptr);

    OutboundResult finish(const SessionFacts& facts, const smime::MimeEntity& message, MtaActions& mta) const;
    // A message the spool refused: unsignable_message, or internal_error
    // when the problem is ours (files, memory).
    OutboundResult finish_unreadable(const SessionFacts& facts, const smime::Error& problem, MtaActions& mta) const;

private:
    OutboundResult process(const SessionFacts& facts, const smime::MimeEntity& message, MtaActions& mta) const;
    OutboundResult after_signing(const SessionFacts& facts, const smime::MimeEntity& message,
                                 const smime::MimeEntity& signed_entity, const directory::CertificateRecord& certificate,
                                 OutboundResult result, MtaActions& mta) const;
    OutboundResult encrypt_at_once(const SessionFacts& facts, const smime::MimeEntity& signed_entity,
                                   const directory::RecipientPlan& plan,
                                   const directory::CertificateRecord& certificate, OutboundResult result,
                                   MtaActions& mta) const;
    OutboundResult deliver(const SessionFacts& facts, const smime::MimeEntity& final_entity,
                           const directory::CertificateRecord& certificate, OutboundResult result,
                           MtaActions& mta) const;

    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<directory::CertificateDirectory> m_directory;
    std::shared_ptr<const RecipientPlanner> m_planner;
};

} // namespace segel::milter
