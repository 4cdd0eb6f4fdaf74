// The inbound pipeline: what segel-milter does at end of message with mail
// that routing sent inbound, without libmilter. In order, on every path:
// remove the fields that claim to be our verdict (AR-06); apply the rule
// for an internal From without SMTP AUTH; with [decryption] on, open the
// cryptographic envelope for local recipients (inbound_decryption.hpp) and
// gate its release on integrity (DEC-02: GCM, or a passing inner
// signature); verify the entity (revocation: revocation_answers.hpp;
// what none of the sources can tell is temperror: REV-01..REV-03);
// learn from an external sender's passing signature
// (correspondent_learning.hpp); insert Authentication-Results
// as a trace field (AR-04) and add the plain
// field; answer through the reply table (accept by default; never loses
// mail). A message that cannot be read is stamped permerror with the
// reason; only a failure of ours (files, MTA, no anchors) is
// verification_unavailable. Never judged by the signing checks. One
// instance per settings snapshot; thread-safe; never throws.
#pragma once

#include <memory>
#include <optional>

#include "config/milter_settings.hpp"
#include "directory/directory_service.hpp"
#include "milter/claimed_verdict_fields.hpp"
#include "milter/correspondent_learning.hpp"
#include "milter/inbound_decryption.hpp"
#include "milter/mta_actions.hpp"
#include "milter/pipeline_result.hpp"
#include "milter/revocation_answers.hpp"
#include "milter/routing.hpp"
#include "smime/mime_entity.hpp"
#include "smime/trust_store.hpp"
#include "smime/verdict_headers.hpp"
#include "smime/verifier.hpp"

namespace segel::milter {

class InboundPipeline {
public:
    InboundPipeline(std::shared_ptr<const config::MilterSettings> settings,
                    std::shared_ptr<directory::DirectoryService> directory,
                    std::optional<smime::TrustStore> anchors = std::nullopt,
                    std::shared_ptr<const RevocationAnswers> revocation = nullptr);

    // `claimed`: the verdict fields noted as the MTA passed the header.
    // `stage`: the decryption hop opens the envelope for its one recipient.
    InboundResult finish(const SessionFacts& facts, const smime::MimeEntity& message,
                         const ClaimedVerdictFields& claimed, MtaActions& mta,
                         InboundStage stage = InboundStage::border) const;
    // The same, noting the claimed fields from the spooled header.
    InboundResult finish(const SessionFacts& facts, const smime::MimeEntity& message, MtaActions& mta) const;
    // A message the spool refused (`problem`): claimed fields removed, then
    // stamped permerror, or verification_unavailable when the problem is ours.
    InboundResult finish_unreadable(const SessionFacts& facts, const smime::Error& problem,
                                    const ClaimedVerdictFields& claimed, MtaActions& mta) const;

private:
    InboundResult process(const SessionFacts& facts, const smime::MimeEntity& message,
                          const ClaimedVerdictFields& claimed, MtaActions& mta, InboundStage stage) const;
    smime::VerifyOptions verify_options() const;
    InboundResult after_opening(const smime::MimeEntity& message, Opening opening,
                                const std::optional<smime::Address>& from, InboundResult result, MtaActions& mta) const;
    InboundResult release(Opening opening, const std::optional<smime::Address>& from, InboundResult result,
                          MtaActions& mta) const;
    InboundResult closed(Opening opening, InboundResult result, MtaActions& mta,
                         InboundOutcome outcome = InboundOutcome::cannot_decrypt) const;
    void record_decryption(const Opening& opening, const std::string& sender, bool released,
                           InboundResult& result) const;
    InboundResult stamp(const smime::VerificationReport& report, InboundResult result, MtaActions& mta,
                        const smime::DecryptionNote& decryption = {}) const;
    bool stamp_fields(const smime::VerificationReport& report, const smime::DecryptionNote& decryption,
                      MtaActions& mta) const;
    void record_failed_signature(const smime::VerificationReport& report, InboundResult& result) const;
    InboundResult answer(const smime::VerificationReport& report, InboundResult result, MtaActions& mta) const;
    InboundResult unavailable(InboundResult result, std::string reason, MtaActions& mta) const;

    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<directory::DirectoryService> m_directory;
    std::optional<smime::TrustStore> m_anchors;
    std::shared_ptr<const RevocationAnswers> m_revocation; // nullptr: revocation not checked
    std::optional<InboundDecryption> m_decryption;          // when [decryption] is on
    CorrespondentLearning m_learning;
};

} // namespace segel::milter
