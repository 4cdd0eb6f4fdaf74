#include "milter/signing_service.hpp"

#include <algorithm>
#include <exception>

#include <unistd.h>

#include "smime/sender_address.hpp"
#include "smime/signer.hpp"
#include "smime/verdict_headers.hpp"
#include "smime/verifier.hpp"

namespace segel::milter {

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool in_signing_domain(const std::string& address, const std::vector<std::string>& domains) {
    const auto at = address.rfind('@');
    if (at == std::string::npos)
        return false;
    const std::string domain = lower(address.substr(at + 1));
    return std::find(domains.begin(), domains.end(), domain) != domains.end();
}

Outcome outcome_for(smime::ErrorKind kind) {
    switch (kind) {
    case smime::ErrorKind::malformed_message:
    case smime::ErrorKind::ambiguous_sender:
    case smime::ErrorKind::invalid_address:
    case smime::ErrorKind::unsupported_message:
    case smime::ErrorKind::message_too_large:
        return Outcome::unsignable_message;
    case smime::ErrorKind::certificate_expired:
    case smime::ErrorKind::certificate_not_yet_valid:
    case smime::ErrorKind::certificate_key_usage:
    case smime::ErrorKind::certificate_extended_key_usage:
    case smime::ErrorKind::certificate_address_mismatch:
    case smime::ErrorKind::bad_credentials:
        return Outcome::certificate_unusable;
    case smime::ErrorKind::crypto_failure:
    case smime::ErrorKind::io_failure:
    case smime::ErrorKind::internal:
        return Outcome::internal_error;
    }
    return Outcome::internal_error;
}

Outcome outcome_for(directory::Refusal refusal) {
    switch (refusal) {
    case directory::Refusal::no_certificate: return Outcome::no_certificate;
    case directory::Refusal::not_authorised: return Outcome::not_authorised;
    default: return Outcome::certificate_unusable;
    }
}

// Applies the signed rewrite: MIME header fields out (highest index first,
// PF-07), new ones in, then the whole body as one contiguous run (PF-08).
bool apply_rewrite(const smime::SpooledMessage& message, smime::SignedRewrite& rewrite, MtaActions& mta,
                   std::size_t chunk_bytes) {
    for (const auto& name : rewrite.removed_fields) {
        const int count = static_cast<int>(message.fields_named(name).size());
        for (int index = count; index >= 1; --index)
            if (!mta.change_header(name, index, std::nullopt))
                return false;
    }
    for (const auto& field : rewrite.added_fields)
        if (!mta.add_header(field.name, field.value))
            return false;
    return rewrite.body.stream(chunk_bytes, [&mta](std::string_view piece) { return mta.replace_body(piece); })
        .has_value();
}

std::uint64_t header_bytes(const smime::SpooledMessage& message, const smime::SignedRewrite& rewrite) {
    std::uint64_t bytes = 0;
    for (const auto& field : message.headers()) {
        const bool removed = std::any_of(rewrite.removed_fields.begin(), rewrite.removed_fields.end(),
                                         [&](const std::string& name) { return field.is_named(name); });
        if (!removed)
            bytes += field.raw.size();
    }
    for (const auto& field : rewrite.added_fields)
        bytes += field.name.size() + field.value.size() + 8;
    return bytes;
}

} // namespace

SigningService::SigningService(std::shared_ptr<const config::MilterSettings> settings,
                               std::shared_ptr<directory::CertificateDirectory> directory,
                               std::optional<smime::TrustStore> anchors, std::shared_ptr<const smime::CrlStore> crls,
                               std::shared_ptr<const smime::OcspChecker> ocsp)
    : m_settings(std::move(settings)), m_directory(std::move(directory)), m_anchors(std::move(anchors)),
      m_ocsp(std::move(ocsp)), m_crls(std::move(crls)) {}

std::shared_ptr<const smime::CrlStore> SigningService::crls() const {
    std::lock_guard lock(m_crls_mutex);
    return m_crls;
}

void SigningService::replace_crls(std::shared_ptr<const smime::CrlStore> crls) const {
    std::lock_guard lock(m_crls_mutex);
    m_crls = std::move(crls);
}

smime::SpoolLimits SigningService::spool_limits() const {
    smime::SpoolLimits limits;
    limits.max_message_bytes = static_cast<std::uint64_t>(m_settings->max_message_bytes);
    return limits;
}

MessageResult SigningService::finish_message(const SessionFacts& facts, const smime::SpooledMessage& message,
                                             MtaActions& mta) const {
    MessageResult result;
    try {
        result = decide_and_sign(facts, message, mta);
    } catch (const std::exception& e) {
        result = MessageResult{Outcome::internal_error, Verdict::tempfail, result.from, result.serial,
                               std::string("exception: ") + e.what()};
    }
    result.verdict = respond(result.outcome, *m_settings, mta);
    return result;
}

MessageResult SigningService::decide_and_sign(const SessionFacts& facts, const smime::SpooledMessage& message,
                                              MtaActions& mta) const {
    MessageResult result;
    // PF-04: bounces are never signed.
    if (facts.envelope_sender.empty()) {
        result.outcome = Outcome::not_ours;
        result.reason = "bounce (null sender)";
        return result;
    }
    auto from = smime::single_from_address(message);
    if (!from) {
        // SEC-04: an authenticated sender's ambiguous From is not signed and
        // not passed silently; others' mail is not our business.
        result.outcome = facts.auth_login.empty() ? Outcome::not_ours : Outcome::unsignable_message;
        result.reason = from.error().detail;
        return result;
    }
    result.from = lower(*from);
    if (!in_signing_domain(result.from, m_settings->domains)) {
        result.outcome = Outcome::not_ours;
        result.reason = "From is not in a signing domain";
        return result;
    }
    // PF-03: only an authenticated session is ever signed, whatever its From.
    if (facts.auth_login.empty()) {
        result.outcome = Outcome::unauthenticated_internal_from;
        result.reason = "internal From without SMTP AUTH";
        return result;
    }
    auto choice = m_directory->choose_signing_certificate(facts.auth_login, result.from,
                                                          std::chrono::system_clock::now(), {"segel-milter"});
    if (!choice) {
        result.outcome = choice.error().kind == directory::ErrorKind::unavailable ? Outcome::directory_unavailable
                                                                                 : Outcome::internal_error;
        result.reason = choice.error().detail;
        return result;
    }
    if (choice->certificate)
        result.serial = choice->certificate->serial;
    if (!choice->identity) {
        result.outcome = outcome_for(choice->refusal.value_or(directory::Refusal::no_certificate));
        result.reason = choice->detail;
        return result;
    }

    smime::SignOptions options;
    options.temp_dir = m_settings->temp_dir;
    if (m_settings->footer)
        options.footer_text = m_settings->footer_text;
    auto signed_outcome = smime::sign_message(message, *choice->identity, options);
    if (!signed_outcome) {
        result.outcome = outcome_for(signed_outcome.error().kind);
        result.reason = signed_outcome.error().detail;
        return result;
    }
    if (auto* untouched = std::get_if<smime::LeftUntouched>(&*signed_outcome)) {
        result.outcome = Outcome::not_ours;
        result.reason = untouched->reason;
        return result;
    }
    auto& rewrite = std::get<smime::SignedRewrite>(*signed_outcome);
    // PF-09: Postfix refuses a queue file over message_size_limit; say so
    // cleanly instead of failing mid-edit.
    auto body_size = rewrite.body.size();
    if (!body_size) {
        result.outcome = Outcome::internal_error;
        result.reason = body_size.error().detail;
        return result;
    }
    const std::uint64_t new_size = header_bytes(message, rewrite) + 2 + *body_size;
    if (new_size > static_cast<std::uint64_t>(m_settings->max_message_bytes)) {
        result.outcome = Outcome::unsignable_message;
        result.reason = "signed message of " + std::to_string(new_size) + " bytes would exceed the size limit of " +
                        std::to_string(m_settings->max_message_bytes);
        return result;
    }
    if (!apply_rewrite(message, rewrite, mta, static_cast<std::size_t>(m_settings->body_chunk_bytes))) {
        result.outcome = Outcome::internal_error;
        result.reason = "the MTA refused an edit";
        return result;
    }
    // Non-repudiation evidence (ID-08). Failing to record it fails the message.
    std::string message_id;
    if (const auto ids = message.fields_named("Message-ID"); !ids.empty())
        message_id = ids.front()->unfolded_value();
    message_id.erase(0, message_id.find_first_not_of(" \t"));
    if (auto recorded = m_directory->record_signing({facts.auth_login, choice->certificate->serial,
                                                     choice->certificate->fingerprint, message_id,
                                                     std::chrono::system_clock::now()},
                                                    {"segel-milter"});
        !recorded) {
        result.outcome = recorded.error().kind == directory::ErrorKind::unavailable ? Outcome::directory_unavailable
                                                                                   : Outcome::internal_error;
        result.reason = "signing not recorded: " + recorded.error().detail;
        return result;
    }
    result.outcome = Outcome::signed_message;
    result.reason = "signed";
    return result;
}

} // namespace segel::milter

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

} // namespace

smime::VerifyOptions SigningService::verify_options() const {
    smime::VerifyOptions options;
    options.clock_skew = std::chrono::minutes(m_settings->verify_clock_skew_minutes);
    options.eku_policy = smime::parse_eku_policy(m_settings->verify_eku_policy).value_or(smime::EkuPolicy::any_eku);
    options.revocation = [this, crls = crls()](const smime::Certificate& signer, const smime::Certificate& issuer) {
        const auto now = std::chrono::system_clock::now();
        // The RA's decision counts at once, before any CRL says so (REV-03).
        if (auto record = m_directory->get_certificate(signer.sha256_fingerprint_hex());
            record && record->status_at(now) == directory::CertificateStatus::revoked)
            return smime::RevocationAnswer{
                smime::RevocationAnswer::Status::revoked,
                "RA: " + std::string(directory::to_string(record->reason.value_or(directory::RevocationReason::unspecified)))};
        std::string ocsp_unknown;
        if (m_ocsp) {
            auto answer = m_ocsp->check(signer, issuer, now);
            if (answer.status != smime::RevocationAnswer::Status::unknown)
                return answer;
            ocsp_unknown = answer.detail;
        }
        if (crls && (crls->covers(signer) || !m_ocsp))
            return crls->check(signer, issuer, now);
        if (!ocsp_unknown.empty())
            return smime::RevocationAnswer{smime::RevocationAnswer::Status::unknown, ocsp_unknown};
        return m_settings->verify_require_crl
                   ? smime::RevocationAnswer{smime::RevocationAnswer::Status::unknown, "no CRL is configured"}
                   : smime::RevocationAnswer{smime::RevocationAnswer::Status::good, "no CRL configured"};
    };
    return options;
}

MessageResult SigningService::finish_inbound(const SessionFacts& facts, const smime::SpooledMessage& message,
                                             MtaActions& mta) const {
    ClaimedVerdictFields claimed(m_settings->authserv_id, m_settings->verdict_header);
    claimed.note_all(message.headers());
    return finish_inbound(facts, message, claimed, mta);
}

MessageResult SigningService::finish_inbound(const SessionFacts& /*facts: the inbound path needs none yet*/,
                                             const smime::SpooledMessage& message,
                                             const ClaimedVerdictFields& claimed, MtaActions& mta) const {
    MessageResult result;
    try {
        if (auto from = smime::single_from_address(message))
            result.from = lower(*from);
        if (!claimed.remove(mta))
            return unavailable(std::move(result), "the MTA refused a header edit", mta);
        // An internal From without AUTH follows its own policy first.
        if (!result.from.empty() && in_signing_domain(result.from, m_settings->domains) &&
            m_settings->policy.unauthenticated_internal_from != config::FailureAction::pass) {
            result.outcome = Outcome::unauthenticated_internal_from;
            result.reason = "internal From without SMTP AUTH";
            result.verdict = respond(result.outcome, *m_settings, mta);
            return result;
        }
        if (!m_anchors)
            return unavailable(std::move(result), "verification is on but no trust anchors are loaded", mta);
        auto report = smime::verify_message(message, *m_anchors, verify_options());
        if (!report && !message_problem(report.error().kind))
            return unavailable(std::move(result), report.error().detail, mta);
        return stamp(report ? *report : unreadable_report(result.from, report.error().detail), std::move(result), mta);
    } catch (const std::exception& e) {
        return unavailable(std::move(result), std::string("exception: ") + e.what(), mta);
    }
}

MessageResult SigningService::finish_unreadable_inbound(const SessionFacts& /*facts*/, const smime::Error& problem,
                                                        const ClaimedVerdictFields& claimed, MtaActions& mta) const {
    MessageResult result;
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

MessageResult SigningService::unavailable(MessageResult result, std::string reason, MtaActions& mta) const {
    result.outcome = Outcome::verification_unavailable;
    result.reason = std::move(reason);
    result.verdict = respond(result.outcome, *m_settings, mta);
    return result;
}

// Inserts Authentication-Results as a trace field (AR-04), adds the plain
// field, then applies the inbound policy for the verdict.
MessageResult SigningService::stamp(const smime::VerificationReport& report, MessageResult result,
                                    MtaActions& mta) const {
    if (!mta.insert_header(1, "Authentication-Results", smime::authentication_results_value(report, m_settings->authserv_id)) ||
        !mta.add_header(m_settings->verdict_header, smime::plain_verdict_value(report, m_settings->verdict_language)))
        return unavailable(std::move(result), "the MTA refused a header edit", mta);
    if (const auto* signer = report.deciding(); signer != nullptr && signer->certificate)
        result.serial = signer->certificate->serial_hex();
    result.outcome = Outcome::verified;
    result.reason = "smime=" + std::string(smime::to_string(report.verdict)) + ": " + report.reason;
    result.verdict = respond_to_verdict(report.verdict, *m_settings, mta);
    return result;
}

} // namespace segel::milter
