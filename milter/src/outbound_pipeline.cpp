#include "milter/outbound_pipeline.hpp"

#include <exception>

#include "encrypted_copy.hpp"
#include "encryption_marking.hpp"
#include "encryption_notice.hpp"
#include "directory/incidents.hpp"
#include "milter/message_rewrite.hpp"
#include "smime/address.hpp"
#include "smime/sender_address.hpp"
#include "smime/signer.hpp"

namespace segel::milter {

namespace {

OutboundOutcome outcome_for(smime::ErrorKind kind) {
    switch (kind) {
    case smime::ErrorKind::malformed_message:
    case smime::ErrorKind::ambiguous_sender:
    case smime::ErrorKind::invalid_address:
    case smime::ErrorKind::unsupported_message:
    case smime::ErrorKind::message_too_large:
        return OutboundOutcome::unsignable_message;
    case smime::ErrorKind::certificate_expired:
    case smime::ErrorKind::certificate_not_yet_valid:
    case smime::ErrorKind::certificate_key_usage:
    case smime::ErrorKind::certificate_extended_key_usage:
    case smime::ErrorKind::certificate_address_mismatch:
    case smime::ErrorKind::bad_credentials:
        return OutboundOutcome::certificate_unusable;
    case smime::ErrorKind::decryption_failed:
    case smime::ErrorKind::crypto_failure:
    case smime::ErrorKind::io_failure:
    case smime::ErrorKind::internal:
        return OutboundOutcome::internal_error;
    }
    return OutboundOutcome::internal_error;
}

OutboundOutcome outcome_for(directory::Refusal refusal) {
    switch (refusal) {
    case directory::Refusal::no_certificate: return OutboundOutcome::no_certificate;
    case directory::Refusal::not_authorised: return OutboundOutcome::not_authorised;
    default: return OutboundOutcome::certificate_unusable;
    }
}

OutboundOutcome outcome_for(const directory::Error& error) {
    return error.kind == directory::ErrorKind::unavailable ? OutboundOutcome::directory_unavailable
                                                           : OutboundOutcome::internal_error;
}

OutboundResult ended(OutboundResult result, OutboundOutcome outcome, std::string reason) {
    result.outcome = outcome;
    result.reason = std::move(reason);
    return result;
}

// Cianjur art. 25: a refused signing is an incident. Failing to record it
// does not change the answer; the result's reason says so.
void record_refusal(directory::CertificateDirectory& directory, const std::string& login, const std::string& from,
                    const directory::SigningChoice& choice, std::string& reason) {
    const std::string detail =
        directory::incident_detail("signing_refused", "login=" + login + "; from=" + from + "; refusal=" +
                                                          std::string(directory::to_string(choice.refusal.value_or(
                                                              directory::Refusal::no_certificate))) +
                                                          (choice.certificate ? "; serial=" + choice.certificate->serial
                                                                              : std::string()));
    if (auto recorded = directory.record_event("incident", detail, {"segel-milter"}); !recorded)
        reason += "; incident not recorded: " + recorded.error().detail;
}

} // namespace

OutboundPipeline::OutboundPipeline(std::shared_ptr<const config::MilterSettings> settings,
                                   std::shared_ptr<directory::CertificateDirectory> directory,
                                   std::shared_ptr<const RecipientPlanner> planner)
    : m_settings(std::move(settings)), m_directory(std::move(directory)), m_planner(std::move(planner)) {}

OutboundResult OutboundPipeline::finish(const SessionFacts& facts, const smime::MimeEntity& message,
                                        MtaActions& mta) const {
    OutboundResult result;
    try {
        result = process(facts, message, mta);
    } catch (const std::exception& e) {
        result = ended(std::move(result), OutboundOutcome::internal_error, std::string("exception: ") + e.what());
    }
    result.verdict = respond(result.outcome, *m_settings, mta, result.notice);
    return result;
}

OutboundResult OutboundPipeline::finish_unreadable(const SessionFacts&, const smime::Error& problem,
                                                   MtaActions& mta) const {
    const bool ours = problem.kind == smime::ErrorKind::io_failure || problem.kind == smime::ErrorKind::internal;
    OutboundResult result =
        ended({}, ours ? OutboundOutcome::internal_error : OutboundOutcome::unsignable_message, problem.detail);
    result.verdict = respond(result.outcome, *m_settings, mta);
    return result;
}

OutboundResult OutboundPipeline::process(const SessionFacts& facts, const smime::MimeEntity& message,
                                         MtaActions& mta) const {
    OutboundResult result;
    // PF-04: bounces are never signed (routing passes them; a direct caller may not).
    if (facts.envelope_sender.empty())
        return ended(std::move(result), OutboundOutcome::not_ours, "bounce (null sender)");
    // SEC-04: an authenticated sender's ambiguous From is not signed and
    // not passed silently; others' mail is not our business.
    const OutboundOutcome not_signable =
        facts.auth_login.empty() ? OutboundOutcome::not_ours : OutboundOutcome::unsignable_message;
    auto from_text = smime::single_from_address(message.origin());
    if (!from_text)
        return ended(std::move(result), not_signable, from_text.error().detail);
    auto from = smime::Address::parse(*from_text);
    if (!from)
        return ended(std::move(result), not_signable, "the From address " + from.error().detail);
    result.from = from->key();
    if (!from->domain().is_one_of(m_settings->directory.domains))
        return ended(std::move(result), OutboundOutcome::not_ours, "From is not in a signing domain");
    // PF-03: only an authenticated session is ever signed, whatever its From.
    if (facts.auth_login.empty())
        return ended(std::move(result), OutboundOutcome::unauthenticated_internal_from, "internal From without SMTP AUTH");

    auto choice = m_directory->choose_signing_certificate(facts.auth_login, result.from,
                                                          std::chrono::system_clock::now(), {"segel-milter"});
    if (!choice)
        return ended(std::move(result), outcome_for(choice.error()), choice.error().detail);
    if (choice->certificate)
        result.serial = choice->certificate->serial;
    if (!choice->identity) {
        std::string reason = choice->detail;
        record_refusal(*m_directory, facts.auth_login, result.from, *choice, reason);
        return ended(std::move(result), outcome_for(choice->refusal.value_or(directory::Refusal::no_certificate)),
                     reason);
    }

    smime::SignOptions options;
    options.temp_dir = m_settings->milter.temp_dir;
    if (m_settings->signing.footer)
        options.footer_text = m_settings->signing.footer_text;
    if (m_planner)
        options.encryption_certificate = m_planner->sender_encryption_certificate(*from);
    auto signed_outcome = smime::sign(message, *choice->identity, options);
    if (!signed_outcome)
        return ended(std::move(result), outcome_for(signed_outcome.error().kind), signed_outcome.error().detail);
    if (auto* untouched = std::get_if<smime::LeftUntouched>(&*signed_outcome))
        return ended(std::move(result), OutboundOutcome::not_ours, untouched->reason);
    return after_signing(facts, message, std::get<smime::SignedEntity>(*signed_outcome).entity,
                         *choice->certificate, std::move(result), mta);
}

// [encryption]: mark for the hop, or for one external recipient encrypt (or
// refuse) at once; then deliver.
OutboundResult OutboundPipeline::after_signing(const SessionFacts& facts, const smime::MimeEntity& message,
                                               const smime::MimeEntity& signed_entity,
                                               const directory::CertificateRecord& certificate, OutboundResult result,
                                               MtaActions& mta) const {
    if (!m_settings->encryption.enabled || !m_planner)
        return deliver(facts, signed_entity, certificate, std::move(result), mta);
    auto marking = mark_for_encryption(*m_planner, m_settings->encryption, facts, message.origin());
    if (!marking)
        return ended(std::move(result), outcome_for(marking.error()), marking.error().detail);
    const smime::MimeEntity final_entity = signed_entity.rewritten(marking->removed, std::move(marking->added));
    if (marking->direct)
        return encrypt_at_once(facts, final_entity, *marking->direct, certificate, std::move(result), mta);
    result = deliver(facts, final_entity, certificate, std::move(result), mta);
    if (result.outcome == OutboundOutcome::signed_message && !marking->note.empty())
        result.reason += "; " + marking->note;
    return result;
}

// One external recipient (single_recipient_direct): the hop's decision, made here.
OutboundResult OutboundPipeline::encrypt_at_once(const SessionFacts& facts, const smime::MimeEntity& signed_entity,
                                                 const directory::RecipientPlan& plan,
                                                 const directory::CertificateRecord& certificate,
                                                 OutboundResult result, MtaActions& mta) const {
    switch (plan.treatment) {
    case directory::Treatment::clear:
        result = deliver(facts, signed_entity, certificate, std::move(result), mta);
        if (result.outcome == OutboundOutcome::signed_message)
            result.reason += "; not encrypted: " + plan.reason;
        return result;
    case directory::Treatment::refuse:
    case directory::Treatment::retry:
        result.notice = encryption_refusal_notice(plan);
        return ended(std::move(result),
                     plan.treatment == directory::Treatment::refuse ? OutboundOutcome::recipient_refused
                                                                    : OutboundOutcome::recipient_later,
                     plan.reason);
    case directory::Treatment::encrypt: break;
    }
    const EncryptedCopy copy = encrypt_copy(signed_entity, plan, *m_settings);
    if (copy.outcome != EncryptionOutcome::encrypted)
        return ended(std::move(result),
                     copy.outcome == EncryptionOutcome::too_large_encrypted ? OutboundOutcome::too_large_encrypted
                                                                            : OutboundOutcome::internal_error,
                     copy.reason);
    result = deliver(facts, *copy.entity, certificate, std::move(result), mta);
    if (result.outcome != OutboundOutcome::signed_message)
        return result;
    if (auto recorded = record_copy(m_planner->directory(), copy, plan, result.from,
                                    smime::message_id_of(signed_entity.origin()));
        !recorded)
        return ended(std::move(result), outcome_for(recorded.error()), "encryption not recorded: " + recorded.error().detail);
    return ended(std::move(result), OutboundOutcome::signed_and_encrypted, "signed; " + copy.reason);
}

// PF-09, the generic rewrite, then the non-repudiation record (ID-08):
// failing to record it fails the message.
OutboundResult OutboundPipeline::deliver(const SessionFacts& facts, const smime::MimeEntity& final_entity,
                                         const directory::CertificateRecord& certificate, OutboundResult result,
                                         MtaActions& mta) const {
    auto new_size = final_entity.size();
    if (!new_size)
        return ended(std::move(result), OutboundOutcome::internal_error, new_size.error().detail);
    // Postfix refuses a queue file over message_size_limit: say so cleanly
    // instead of failing mid-edit.
    if (*new_size > static_cast<std::uint64_t>(m_settings->milter.max_message_bytes))
        return ended(std::move(result), OutboundOutcome::unsignable_message,
                     "signed message of " + std::to_string(*new_size) + " bytes would exceed the size limit of " +
                         std::to_string(m_settings->milter.max_message_bytes));
    if (!apply_rewrite(final_entity, mta, static_cast<std::size_t>(m_settings->milter.body_chunk_bytes)))
        return ended(std::move(result), OutboundOutcome::internal_error, "the MTA refused an edit");
    if (auto recorded = m_directory->record_signing({facts.auth_login, certificate.serial, certificate.fingerprint,
                                                     smime::message_id_of(final_entity.origin()),
                                                     std::chrono::system_clock::now()},
                                                    {"segel-milter"});
        !recorded)
        return ended(std::move(result), outcome_for(recorded.error()), "signing not recorded: " + recorded.error().detail);
    return ended(std::move(result), OutboundOutcome::signed_message, "signed");
}

} // namespace segel::milter
