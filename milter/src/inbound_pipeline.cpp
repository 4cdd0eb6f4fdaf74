#include "milter/inbound_pipeline.hpp"

#include <exception>

#include "milter/message_rewrite.hpp"
#include "smime/address.hpp"
#include "smime/sender_address.hpp"
#include "directory/incidents.hpp"
#include "smime/verdict_headers.hpp"

namespace segel::milter {

namespace {

// The decryption hop's marking is ours alone: a sender's copy goes where
// mail arrives, ours at the hop (highest index first, PF-07).
bool remove_decrypt_marking(const smime::SpooledMessage& message, MtaActions& mta) {
    for (auto index = static_cast<int>(message.fields_named(k_decrypt_marking_field).size()); index > 0; --index)
        if (!mta.change_header(k_decrypt_marking_field, index, std::nullopt))
            return false;
    return true;
}

// What a message that cannot be read at all gets stamped (RFC 7281 §3.1:
// permerror, "cannot be processed").
smime::VerificationReport unreadable_report(const std::string& from, const std::string& problem) {
    smime::VerificationReport report;
    report.verdict = smime::Verdict::permerror;
    report.finding = smime::Finding::unreadable_message;
    report.reason = "the message cannot be read: " + problem;
    report.from = from;
    return report;
}

// A message problem (malformed, unsupported, over a cap) is the message's;
// a file or library failure is ours and temporary.
bool message_problem(smime::ErrorKind kind) {
    return kind != smime::ErrorKind::io_failure && kind != smime::ErrorKind::internal &&
           kind != smime::ErrorKind::crypto_failure;
}

InboundOutcome outcome_for(smime::Verdict verdict) {
    switch (verdict) {
    case smime::Verdict::fail: return InboundOutcome::signature_failed;
    case smime::Verdict::permerror: return InboundOutcome::signature_unreadable;
    case smime::Verdict::temperror: return InboundOutcome::verification_temperror;
    case smime::Verdict::none:
    case smime::Verdict::pass:
    case smime::Verdict::policy:
    case smime::Verdict::neutral:
        break;
    }
    return InboundOutcome::verified;
}

} // namespace

InboundPipeline::InboundPipeline(std::shared_ptr<const config::MilterSettings> settings,
                                 std::shared_ptr<directory::DirectoryService> directory,
                                 std::optional<smime::TrustStore> anchors,
                                 std::shared_ptr<const RevocationAnswers> revocation)
    : m_settings(std::move(settings)), m_directory(std::move(directory)), m_anchors(std::move(anchors)),
      m_revocation(std::move(revocation)), m_learning(m_settings, m_directory) {
    if (m_settings->decryption.enabled)
        m_decryption.emplace(m_settings, m_directory);
}

smime::VerifyOptions InboundPipeline::verify_options() const {
    smime::VerifyOptions options;
    options.clock_skew = std::chrono::minutes(m_settings->verify.clock_skew_minutes);
    options.eku_policy = smime::parse_eku_policy(m_settings->verify.eku_policy).value_or(smime::EkuPolicy::any_eku);
    options.temp_dir = m_settings->milter.temp_dir;
    if (m_revocation)
        options.revocation = m_revocation->check();
    return options;
}

InboundResult InboundPipeline::finish(const SessionFacts& facts, const smime::MimeEntity& message,
                                      MtaActions& mta) const {
    ClaimedVerdictFields claimed(m_settings->verify.authserv_id, m_settings->verify.verdict_header);
    claimed.note_all(message.origin().headers());
    return finish(facts, message, claimed, mta);
}

InboundResult InboundPipeline::finish(const SessionFacts& facts, const smime::MimeEntity& message,
                                      const ClaimedVerdictFields& claimed, MtaActions& mta, InboundStage stage) const {
    try {
        return process(facts, message, claimed, mta, stage);
    } catch (const std::exception& e) {
        return unavailable({}, std::string("exception: ") + e.what(), mta);
    }
}

InboundResult InboundPipeline::process(const SessionFacts& facts, const smime::MimeEntity& message,
                                       const ClaimedVerdictFields& claimed, MtaActions& mta, InboundStage stage) const {
    InboundResult result;
    std::optional<smime::Address> from;
    if (auto text = smime::single_from_address(message.origin()))
        if (auto parsed = smime::Address::parse(*text)) {
            result.from = parsed->key();
            from = std::move(parsed).value();
        }
    if (!claimed.remove(mta) || !remove_decrypt_marking(message.origin(), mta))
        return unavailable(std::move(result), "the MTA refused a header edit", mta);
    // An internal From without AUTH follows its own policy first (where
    // mail arrives; the hop's re-injection has no AUTH of its own).
    if (stage == InboundStage::border && facts.auth_login.empty() && from && from->domain().is_one_of(m_settings->directory.domains) &&
        m_settings->policy.unauthenticated_internal_from != config::FailureAction::pass) {
        result.outcome = InboundOutcome::unauthenticated_internal_from;
        result.reason = "internal From without SMTP AUTH";
        result.verdict = respond(result.outcome, *m_settings, mta);
        return result;
    }
    if (!m_settings->verify.enabled) {
        result.outcome = InboundOutcome::not_checked;
        result.reason = "verification is off";
        result.verdict = respond(result.outcome, *m_settings, mta);
        return result;
    }
    if (!m_anchors)
        return unavailable(std::move(result), "verification is on but no trust anchors are loaded", mta);
    if (m_decryption) {
        Opening opening = m_decryption->open(facts, message, result.from, stage);
        if (opening.state != Opening::State::not_encrypted)
            return after_opening(message, std::move(opening), from, std::move(result), mta);
    }
    auto report = smime::verify(message, *m_anchors, verify_options());
    if (!report && !message_problem(report.error().kind))
        return unavailable(std::move(result), report.error().detail, mta);
    if (report && from)
        result.reason += m_learning.learn_from(*report, *from);
    return stamp(report ? *report : unreadable_report(result.from, report.error().detail), std::move(result), mta);
}

// DEC-01..DEC-07: what was found about the message's encryption decides
// what is verified, what is released and how it is stamped.
InboundResult InboundPipeline::after_opening(const smime::MimeEntity& message, Opening opening,
                                             const std::optional<smime::Address>& from, InboundResult result,
                                             MtaActions& mta) const {
    using State = Opening::State;
    smime::DecryptionNote note;
    switch (opening.state) {
    case State::unavailable: return unavailable(std::move(result), "decryption: " + opening.detail, mta);
    case State::over_limit: {
        auto report = unreadable_report(result.from, opening.detail);
        report.finding = smime::Finding::over_limit;
        return stamp(report, std::move(result), mta);
    }
    case State::not_decrypted: return closed(std::move(opening), std::move(result), mta);
    case State::to_hop:
        if (!mta.add_header(k_decrypt_marking_field, "yes"))
            return unavailable(std::move(result), "the MTA refused a header edit", mta);
        return closed(std::move(opening), std::move(result), mta, InboundOutcome::decryption_hop);
    case State::nested: {
        note.state = smime::DecryptionNote::State::nested;
        auto report = smime::verify(message, *m_anchors, verify_options());
        if (!report && !message_problem(report.error().kind))
            return unavailable(std::move(result), report.error().detail, mta);
        result.reason = "encrypted part not opened";
        return stamp(report ? *report : unreadable_report(result.from, report.error().detail), std::move(result), mta,
                     note);
    }
    case State::not_encrypted:
    case State::opened: break;
    }
    return release(std::move(opening), from, std::move(result), mta);
}

// DEC-02: GCM content is released once its tag verified; CBC content only
// when it is a signed entity whose signature passes, else as the
// `unprotected` setting says. DEC-06: the plaintext is verified like any
// message and stamped with both what was decrypted and the verdict.
InboundResult InboundPipeline::release(Opening opening, const std::optional<smime::Address>& from,
                                       InboundResult result, MtaActions& mta) const {
    auto report = smime::verify(*opening.plaintext, *m_anchors, verify_options());
    if (!report && !message_problem(report.error().kind))
        return unavailable(std::move(result), report.error().detail, mta);
    const auto verified = report ? *report : unreadable_report(result.from, report.error().detail);
    const auto release = smime::release_decision(opening.envelope, verified.verdict,
                                                 m_settings->decryption.unprotected == "mark");
    if (release == smime::Release::kept_encrypted && verified.verdict == smime::Verdict::temperror) {
        // The inner signature cannot be judged now (a revocation status
        // unknown): never released, and answered as [verify] on_temperror
        // says, so that with tempfail the sender's MTA tries again later.
        opening.detail = "the signature inside cannot be checked now: " + verified.reason;
        return closed(std::move(opening), std::move(result), mta, InboundOutcome::verification_temperror);
    }
    if (release == smime::Release::kept_encrypted) {
        record_decryption(opening, result.from, false, result);
        opening.detail = "CBC content without a passing signature: kept encrypted (integrity not protected)";
        return closed(std::move(opening), std::move(result), mta);
    }
    smime::DecryptionNote note;
    note.state = release == smime::Release::released ? smime::DecryptionNote::State::decrypted
                                                      : smime::DecryptionNote::State::unprotected;
    note.serial = opening.key->serial;
    note.key_compromised = directory::key_compromised(*opening.key);
    note.outer_signature_set_aside = opening.envelope.signature_layers > 0;
    record_decryption(opening, result.from, true, result);
    if (from)
        result.reason += m_learning.learn_from(verified, *from);
    result.reason = "decrypted with " + opening.key->serial + " (" + opening.envelope.cipher + ")" +
                    (note.key_compromised ? ", a key revoked for key compromise" : "") +
                    (result.reason.empty() ? "" : "; " + result.reason);
    if (!stamp_fields(verified, note, mta) ||
        !apply_rewrite(*opening.plaintext, mta, static_cast<std::size_t>(m_settings->milter.body_chunk_bytes)))
        return unavailable(std::move(result), "the MTA refused a header or body edit", mta);
    return answer(verified, std::move(result), mta);
}

// Every way of not opening the envelope reads and answers the same (DEC-03).
InboundResult InboundPipeline::closed(Opening opening, InboundResult result, MtaActions& mta,
                                      InboundOutcome outcome) const {
    smime::VerificationReport report;
    report.verdict = smime::Verdict::none;
    report.finding = smime::Finding::encrypted;
    report.reason = "encrypted";
    report.from = result.from;
    smime::DecryptionNote note;
    note.state = smime::DecryptionNote::State::not_decrypted;
    if (!stamp_fields(report, note, mta))
        return unavailable(std::move(result), "the MTA refused a header edit", mta);
    result.outcome = outcome;
    result.reason = "not decrypted: " + opening.detail;
    result.verdict = respond(result.outcome, *m_settings, mta);
    return result;
}

// Every key use goes to the audit log (DEC-04); failing to write it does
// not fail the message, the log line says so.
void InboundPipeline::record_decryption(const Opening& opening, const std::string& sender, bool released,
                                        InboundResult& result) const {
    directory::DecryptionEvent event;
    event.sender = sender;
    event.recipients = opening.recipients;
    event.message_id = opening.message_id;
    event.cipher = opening.envelope.cipher;
    event.key = *opening.key;
    event.released = released;
    if (auto recorded = m_directory->record_decryption(event, directory::Actor{"segel-milter"}); !recorded)
        result.reason += "; decryption not audited: " + recorded.error().detail;
}

// Cianjur art. 25: an inbound signature that fails is an incident.
void InboundPipeline::record_failed_signature(const smime::VerificationReport& report, InboundResult& result) const {
    if (!m_directory)
        return;
    const std::string detail = directory::incident_detail(
        "verification_failed", "from=" + result.from + "; verdict=" + std::string(smime::to_string(report.verdict)) +
                                   (result.serial.empty() ? "" : "; serial=" + result.serial) + "; why=" + report.reason);
    if (auto recorded = m_directory->record_event("incident", detail, directory::Actor{"segel-milter"}); !recorded)
        result.reason += "; incident not recorded: " + recorded.error().detail;
}

InboundResult InboundPipeline::finish_unreadable(const SessionFacts&, const smime::Error& problem,
                                                 const ClaimedVerdictFields& claimed, MtaActions& mta) const {
    InboundResult result;
    try {
        if (!claimed.remove(mta))
            return unavailable(std::move(result), "the MTA refused a header edit", mta);
        if (!message_problem(problem.kind))
            return unavailable(std::move(result), problem.detail, mta);
        return stamp(unreadable_report("", problem.detail), std::move(result), mta);
    } catch (const std::exception& e) {
        return unavailable(std::move(result), std::string("exception: ") + e.what(), mta);
    }
}

InboundResult InboundPipeline::unavailable(InboundResult result, std::string reason, MtaActions& mta) const {
    result.outcome = InboundOutcome::verification_unavailable;
    result.reason = std::move(reason);
    result.verdict = respond(result.outcome, *m_settings, mta);
    return result;
}

// Inserts Authentication-Results as a trace field (AR-04), adds the plain
// field, then answers for the verdict.
InboundResult InboundPipeline::stamp(const smime::VerificationReport& report, InboundResult result, MtaActions& mta,
                                     const smime::DecryptionNote& decryption) const {
    if (!stamp_fields(report, decryption, mta))
        return unavailable(std::move(result), "the MTA refused a header edit", mta);
    return answer(report, std::move(result), mta);
}

bool InboundPipeline::stamp_fields(const smime::VerificationReport& report, const smime::DecryptionNote& decryption,
                                   MtaActions& mta) const {
    const auto& verify = m_settings->verify;
    return mta.insert_header(1, "Authentication-Results",
                             smime::authentication_results_value(report, verify.authserv_id, decryption)) &&
           mta.add_header(verify.verdict_header, smime::plain_verdict_value(report, verify.verdict_language, decryption));
}

// The outcome of the verdict, through the reply table; what the result's
// reason held already (decryption, capabilities) follows the verdict.
InboundResult InboundPipeline::answer(const smime::VerificationReport& report, InboundResult result,
                                      MtaActions& mta) const {
    if (const auto* signer = report.deciding(); signer != nullptr && signer->certificate)
        result.serial = signer->certificate->serial_hex();
    result.outcome = outcome_for(report.verdict);
    result.reason = "smime=" + std::string(smime::to_string(report.verdict)) + ": " + report.reason +
                    (result.reason.empty() ? "" : "; " + result.reason);
    if (report.verdict == smime::Verdict::fail || report.verdict == smime::Verdict::permerror)
        record_failed_signature(report, result);
    result.verdict = respond(result.outcome, *m_settings, mta);
    return result;
}

} // namespace segel::milter
