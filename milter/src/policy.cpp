#include "milter/policy.hpp"

namespace segel::milter {

namespace {
config::FailureAction action_for(Outcome outcome, const config::FailurePolicy& policy) {
    switch (outcome) {
    case Outcome::no_certificate: return policy.no_certificate;
    case Outcome::not_authorised: return policy.not_authorised;
    case Outcome::certificate_unusable: return policy.certificate_unusable;
    case Outcome::unsignable_message: return policy.unsignable_message;
    case Outcome::directory_unavailable: return policy.directory_unavailable;
    case Outcome::unauthenticated_internal_from: return policy.unauthenticated_internal_from;
    case Outcome::internal_error:
    case Outcome::verification_unavailable:
    case Outcome::signed_message:
    case Outcome::not_ours:
    case Outcome::verified:
        break;
    }
    return policy.internal_error;
}

// Plain words for the sender's mail client; no addresses, serials or errors.
const char* reply_text(Outcome outcome) {
    switch (outcome) {
    case Outcome::no_certificate: return "No electronic certificate is registered for this sender address";
    case Outcome::not_authorised: return "This login may not send signed mail as this sender address";
    case Outcome::certificate_unusable: return "The sender's electronic certificate is revoked, expired or not usable";
    case Outcome::unsignable_message: return "This message cannot be signed as it is (malformed, ambiguous sender, or too large)";
    case Outcome::directory_unavailable: return "The certificate directory is unavailable, please try again later";
    case Outcome::unauthenticated_internal_from: return "Mail from this domain must be sent with authentication";
    case Outcome::verification_unavailable: return "The message cannot be checked now, please try again later";
    case Outcome::internal_error:
    case Outcome::signed_message:
    case Outcome::not_ours:
    case Outcome::verified:
        break;
    }
    return "Signing failed temporarily, please try again later";
}
} // namespace

const char* to_string(Outcome outcome) {
    switch (outcome) {
    case Outcome::signed_message: return "signed";
    case Outcome::not_ours: return "not_ours";
    case Outcome::verified: return "verified";
    case Outcome::no_certificate: return "no_certificate";
    case Outcome::not_authorised: return "not_authorised";
    case Outcome::certificate_unusable: return "certificate_unusable";
    case Outcome::unsignable_message: return "unsignable_message";
    case Outcome::directory_unavailable: return "directory_unavailable";
    case Outcome::internal_error: return "internal_error";
    case Outcome::unauthenticated_internal_from: return "unauthenticated_internal_from";
    case Outcome::verification_unavailable: return "verification_unavailable";
    }
    return "internal_error";
}

std::string_view to_string(Verdict verdict) noexcept {
    switch (verdict) {
    case Verdict::accept: return "accept";
    case Verdict::quarantine: return "quarantine";
    case Verdict::tempfail: return "tempfail";
    case Verdict::reject: return "reject";
    }
    return "tempfail";
}

Verdict respond(Outcome outcome, const config::MilterSettings& settings, MtaActions& mta) {
    if (outcome == Outcome::signed_message || outcome == Outcome::not_ours || outcome == Outcome::verified)
        return Verdict::accept;
    // The unsigned header explains why an outbound message is not signed;
    // an inbound message that could not be checked carries no verdict.
    const bool explain = outcome != Outcome::verification_unavailable;
    switch (action_for(outcome, settings.policy)) {
    case config::FailureAction::pass:
        // The explaining header; if even that fails, the message still goes.
        if (explain)
            mta.add_header(settings.unsigned_header, to_string(outcome));
        return Verdict::accept;
    case config::FailureAction::quarantine:
        if (explain)
            mta.add_header(settings.unsigned_header, to_string(outcome));
        if (mta.quarantine("Segel: " + std::string(explain ? "not signed: " : "not checked: ") + to_string(outcome)))
            return Verdict::quarantine;
        break; // not held: tempfail rather than let it go
    case config::FailureAction::reject:
        mta.set_reply("550", "5.7.1", reply_text(outcome));
        return Verdict::reject;
    case config::FailureAction::tempfail:
        break;
    }
    mta.set_reply("451", "4.7.0", reply_text(outcome));
    return Verdict::tempfail;
}

Verdict respond_to_verdict(smime::Verdict verdict, const config::MilterSettings& settings, MtaActions& mta) {
    const bool failed = verdict == smime::Verdict::fail || verdict == smime::Verdict::permerror;
    const config::FailureAction action = failed                                ? settings.on_verify_fail
                                         : verdict == smime::Verdict::temperror ? settings.on_verify_temperror
                                                                                : config::FailureAction::pass;
    const char* refusal = verdict == smime::Verdict::permerror
                              ? "The message's S/MIME signature cannot be checked (malformed or over a limit)"
                              : "The message's S/MIME signature is not valid";
    switch (action) {
    case config::FailureAction::pass:
        return Verdict::accept;
    case config::FailureAction::quarantine:
        if (mta.quarantine("Segel: smime=" + std::string(smime::to_string(verdict))))
            return Verdict::quarantine;
        mta.set_reply("451", "4.7.0", "The message cannot be held for review now, please try again later");
        return Verdict::tempfail;
    case config::FailureAction::reject:
        mta.set_reply("550", "5.7.1", refusal);
        return Verdict::reject;
    case config::FailureAction::tempfail:
        break;
    }
    mta.set_reply("451", "4.7.0", "The message's S/MIME signature cannot be checked now, please try again later");
    return Verdict::tempfail;
}

} // namespace segel::milter
