#include "milter/inbound_pipeline.hpp"

#include <exception>

#include "smime/address.hpp"
#include "smime/sender_address.hpp"
#include "smime/verdict_headers.hpp"

namespace segel::milter {

namespace {

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
      m_revocation(std::move(revocation)) {}

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
                                      const ClaimedVerdictFields& claimed, MtaActions& mta) const {
    try {
        return process(facts, message, claimed, mta);
    } catch (const std::exception& e) {
        return unavailable({}, std::string("exception: ") + e.what(), mta);
    }
}

InboundResult InboundPipeline::process(const SessionFacts& facts, const smime::MimeEntity& message,
                                       const ClaimedVerdictFields& claimed, MtaActions& mta) const {
    InboundResult result;
    std::optional<smime::Address> from;
    if (auto text = smime::single_from_address(message.origin()))
        if (auto parsed = smime::Address::parse(*text)) {
            result.from = parsed->key();
            from = std::move(parsed).value();
        }
    if (!claimed.remove(mta))
        return unavailable(std::move(result), "the MTA refused a header edit", mta);
    // An internal From without AUTH follows its own policy first.
    if (facts.auth_login.empty() && from && from->domain().is_one_of(m_settings->directory.domains) &&
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
    // Decryption (of the cryptographic envelope only) will plug in here and
    // hand its entity to verification.
    auto report = smime::verify(message, *m_anchors, verify_options());
    if (!report && !message_problem(report.error().kind))
        return unavailable(std::move(result), report.error().detail, mta);
    if (report && from)
        remember_capabilities(*report, *from, result);
    return stamp(report ? *report : unreadable_report(result.from, report.error().detail), std::move(result), mta);
}

// RFC 8551 §2.5.2: what an external sender's verified signature advertises
// decides how replies to them are encrypted. Failing to remember it does
// not fail the message.
void InboundPipeline::remember_capabilities(const smime::VerificationReport& report, const smime::Address& from,
                                            InboundResult& result) const {
    if (report.verdict != smime::Verdict::pass || report.signers.empty() ||
        from.domain().is_one_of(m_settings->directory.domains))
        return;
    const auto& signer = report.signers[std::min(report.deciding_signer, report.signers.size() - 1)];
    if (auto stored = m_directory->remember_capabilities(from, signer.capabilities, std::chrono::system_clock::now());
        !stored)
        result.reason += "; capabilities not remembered: " + stored.error().detail;
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
InboundResult InboundPipeline::stamp(const smime::VerificationReport& report, InboundResult result,
                                     MtaActions& mta) const {
    if (!mta.insert_header(1, "Authentication-Results",
                           smime::authentication_results_value(report, m_settings->verify.authserv_id)) ||
        !mta.add_header(m_settings->verify.verdict_header, smime::plain_verdict_value(report, m_settings->verify.verdict_language)))
        return unavailable(std::move(result), "the MTA refused a header edit", mta);
    if (const auto* signer = report.deciding(); signer != nullptr && signer->certificate)
        result.serial = signer->certificate->serial_hex();
    result.outcome = outcome_for(report.verdict);
    result.reason = "smime=" + std::string(smime::to_string(report.verdict)) + ": " + report.reason;
    result.verdict = respond(result.outcome, *m_settings, mta);
    return result;
}

} // namespace segel::milter
