#include "milter/reply_table.hpp"

namespace segel::milter {

namespace {

using config::FailureAction;
using config::MilterSettings;
using ActionOf = FailureAction (*)(const MilterSettings&);

struct Row {
    const char* name;        // decision= in the log, and the explaining field's value
    ActionOf action;         // nullptr: always accepted, nothing added
    const char* refusal;     // 550 5.7.1, and 451 4.7.0 unless `later` is set
    const char* later;       // 451 4.7.0 text; nullptr: `refusal`
    const char* not_held;    // 451 4.7.0 when the hold fails; nullptr: as `later`
    bool explain;            // pass and quarantine add the explaining field
    const char* hold_reason; // given to smfi_quarantine
    const char* later_xcode = "4.7.0";
};

constexpr const char* k_signature_later = "The message's S/MIME signature cannot be checked now, please try again later";
constexpr const char* k_not_held = "The message cannot be held for review now, please try again later";
constexpr const char* k_needs_auth = "Mail from this domain must be sent with authentication";
constexpr const char* k_must_encrypt = "This recipient must receive encrypted mail and has no usable certificate";
constexpr const char* k_too_large_encrypted = "The message is too large once encrypted for this recipient";
constexpr const char* k_encryption_later = "The message cannot be encrypted now, please try again later";

constexpr FailureAction always_reject(const MilterSettings&) { return FailureAction::reject; }
constexpr FailureAction always_tempfail(const MilterSettings&) { return FailureAction::tempfail; }

constexpr Row k_outbound[] = {
    {"signed", nullptr, "", nullptr, nullptr, false, ""},
    {"not_ours", nullptr, "", nullptr, nullptr, false, ""},
    {"no_certificate", [](const MilterSettings& s) { return s.policy.no_certificate; },
     "No electronic certificate is registered for this sender address", nullptr, nullptr, true,
     "Segel: not signed: no_certificate"},
    {"not_authorised", [](const MilterSettings& s) { return s.policy.not_authorised; },
     "This login may not send signed mail as this sender address", nullptr, nullptr, true,
     "Segel: not signed: not_authorised"},
    {"certificate_unusable", [](const MilterSettings& s) { return s.policy.certificate_unusable; },
     "The sender's electronic certificate is revoked, expired or not usable", nullptr, nullptr, true,
     "Segel: not signed: certificate_unusable"},
    {"unsignable_message", [](const MilterSettings& s) { return s.policy.unsignable_message; },
     "This message cannot be signed as it is (malformed, ambiguous sender, or too large)", nullptr, nullptr, true,
     "Segel: not signed: unsignable_message"},
    {"directory_unavailable", [](const MilterSettings& s) { return s.policy.directory_unavailable; },
     "The certificate directory is unavailable, please try again later", nullptr, nullptr, true,
     "Segel: not signed: directory_unavailable"},
    {"internal_error", [](const MilterSettings& s) { return s.policy.internal_error; },
     "Signing failed temporarily, please try again later", nullptr, nullptr, true, "Segel: not signed: internal_error"},
    {"unauthenticated_internal_from", [](const MilterSettings& s) { return s.policy.unauthenticated_internal_from; },
     k_needs_auth, nullptr, nullptr, true, "Segel: not signed: unauthenticated_internal_from"},
    {"signed_encrypted", nullptr, "", nullptr, nullptr, false, ""},
    {"recipient_refused", always_reject, k_must_encrypt, nullptr, nullptr, false, ""},
    {"recipient_later", always_tempfail, "", k_encryption_later, nullptr, false, ""},
    {"too_large_encrypted", always_reject, k_too_large_encrypted, nullptr, nullptr, false, ""},
};

constexpr Row k_inbound[] = {
    {"verified", nullptr, "", nullptr, nullptr, false, ""},
    {"not_checked", nullptr, "", nullptr, nullptr, false, ""},
    {"signature_failed", [](const MilterSettings& s) { return s.verify.on_fail; },
     "The message's S/MIME signature is not valid", k_signature_later, k_not_held, false, "Segel: smime=fail"},
    {"signature_unreadable", [](const MilterSettings& s) { return s.verify.on_fail; },
     "The message's S/MIME signature cannot be checked (malformed or over a limit)", k_signature_later, k_not_held,
     false, "Segel: smime=permerror"},
    {"verification_temperror", [](const MilterSettings& s) { return s.verify.on_temperror; },
     "The message's S/MIME signature could not be checked", k_signature_later, k_not_held, false,
     "Segel: smime=temperror"},
    {"unauthenticated_internal_from", [](const MilterSettings& s) { return s.policy.unauthenticated_internal_from; },
     k_needs_auth, nullptr, nullptr, true, "Segel: not signed: unauthenticated_internal_from"},
    {"decryption_hop", nullptr, "", nullptr, nullptr, false, ""},
    {"cannot_decrypt", [](const MilterSettings& s) { return s.decryption.on_failure; },
     "The message is encrypted in a way this gateway does not accept", nullptr, k_not_held, false,
     "Segel: not decrypted"},
    {"verification_unavailable", [](const MilterSettings& s) { return s.policy.internal_error; },
     "The message cannot be checked now, please try again later", nullptr, nullptr, false,
     "Segel: not checked: verification_unavailable"},
};

// Never a fall-back to clear text: what cannot be encrypted waits or is refused.
constexpr Row k_encryption[] = {
    {"encrypted", nullptr, "", nullptr, nullptr, false, ""},
    {"sent_clear", nullptr, "", nullptr, nullptr, false, ""},
    {"left_as_is", nullptr, "", nullptr, nullptr, false, ""},
    {"recipient_refused", always_reject, k_must_encrypt, nullptr, nullptr, false, ""},
    {"recipient_later", always_tempfail, "", k_encryption_later, nullptr, false, ""},
    {"several_recipients", always_tempfail, "", "The encryption service takes one recipient per message", nullptr,
     false, "", "4.5.3"},
    {"too_large_encrypted", always_reject, k_too_large_encrypted, nullptr, nullptr, false, ""},
    {"directory_unavailable", always_tempfail, "", "The certificate directory is unavailable, please try again later",
     nullptr, false, ""},
    {"internal_error", always_tempfail, "", k_encryption_later, nullptr, false, ""},
};

static_assert(sizeof k_outbound / sizeof k_outbound[0] ==
              static_cast<std::size_t>(OutboundOutcome::too_large_encrypted) + 1);
static_assert(sizeof k_inbound / sizeof k_inbound[0] ==
              static_cast<std::size_t>(InboundOutcome::verification_unavailable) + 1);

const Row& row_of(OutboundOutcome outcome) { return k_outbound[static_cast<std::size_t>(outcome)]; }
const Row& row_of(InboundOutcome outcome) { return k_inbound[static_cast<std::size_t>(outcome)]; }
const Row& row_of(EncryptionOutcome outcome) { return k_encryption[static_cast<std::size_t>(outcome)]; }
static_assert(sizeof k_encryption / sizeof k_encryption[0] ==
              static_cast<std::size_t>(EncryptionOutcome::internal_error) + 1);

Verdict apply(const Row& row, const MilterSettings& settings, MtaActions& mta,
              const std::vector<std::string>& notice = {}) {
    if (row.action == nullptr)
        return Verdict::accept;
    const char* later = row.later != nullptr ? row.later : row.refusal;
    switch (row.action(settings)) {
    case FailureAction::pass:
        // The explaining field; if even that fails, the message still goes.
        if (row.explain)
            mta.add_header(settings.signing.unsigned_header, row.name);
        return Verdict::accept;
    case FailureAction::quarantine:
        if (row.explain)
            mta.add_header(settings.signing.unsigned_header, row.name);
        if (mta.quarantine(row.hold_reason))
            return Verdict::quarantine;
        mta.set_reply("451", "4.7.0", row.not_held != nullptr ? row.not_held : later);
        return Verdict::tempfail; // not held: never let it go instead
    case FailureAction::reject:
        if (notice.empty())
            mta.set_reply("550", "5.7.1", row.refusal);
        else
            mta.set_reply_lines("550", "5.7.1", notice);
        return Verdict::reject;
    case FailureAction::tempfail:
        break;
    }
    if (notice.empty())
        mta.set_reply("451", row.later_xcode, later);
    else
        mta.set_reply_lines("451", row.later_xcode, notice);
    return Verdict::tempfail;
}

} // namespace

const char* to_string(OutboundOutcome outcome) noexcept { return row_of(outcome).name; }
const char* to_string(InboundOutcome outcome) noexcept { return row_of(outcome).name; }
const char* to_string(EncryptionOutcome outcome) noexcept { return row_of(outcome).name; }

std::string_view to_string(Verdict verdict) noexcept {
    switch (verdict) {
    case Verdict::accept: return "accept";
    case Verdict::quarantine: return "quarantine";
    case Verdict::tempfail: return "tempfail";
    case Verdict::reject: return "reject";
    }
    return "tempfail";
}

Verdict respond(OutboundOutcome outcome, const MilterSettings& settings, MtaActions& mta,
                const std::vector<std::string>& notice) {
    return apply(row_of(outcome), settings, mta, notice);
}

Verdict respond(InboundOutcome outcome, const MilterSettings& settings, MtaActions& mta) {
    return apply(row_of(outcome), settings, mta);
}

Verdict respond(EncryptionOutcome outcome, const MilterSettings& settings, MtaActions& mta,
                const std::vector<std::string>& notice) {
    return apply(row_of(outcome), settings, mta, notice);
}

SmtpReply session_reply(SessionEvent event) noexcept {
    switch (event) {
    case SessionEvent::restarting: return {"451", "4.3.2", "The service is restarting, please try again later"};
    case SessionEvent::local_problem: break;
    }
    return {"451", "4.3.0", "Temporary local problem, please try again later"};
}

} // namespace segel::milter
