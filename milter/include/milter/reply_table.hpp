// The one place where an outcome becomes an action and an SMTP answer
// (OpenDKIM's On-* settings and dkimf_libstatus idea). Each direction has
// its closed set of outcomes; every outcome has one row: which setting
// chooses its action (tempfail, reject, pass, quarantine) or that it is
// always accepted, its reply text in plain words (no addresses, serials or
// error details; inbound rows never speak of signing), whether a pass or
// quarantine adds the explaining field (signing.unsigned_header), and the
// reason given to the hold queue. The encryption hop's refusals carry a
// notice naming the recipient and the reason. No other code sets a reply: the session
// answers (restarting, local trouble) are rows here too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/milter_settings.hpp"
#include "milter/mta_actions.hpp"

namespace segel::milter {

enum class OutboundOutcome {
    signed_message,                // signed: continue with the edits made
    not_ours,                      // external From, already S/MIME: untouched
    no_certificate,
    not_authorised,
    certificate_unusable,
    unsignable_message,
    directory_unavailable,
    internal_error,
    unauthenticated_internal_from, // an outbound service without SMTP AUTH
    // One external recipient, encrypted at the submission itself
    // ([encryption] single_recipient_direct):
    signed_and_encrypted,          // signed, then encrypted for the recipient
    recipient_refused,             // required, no usable certificate: 550 with the notice
    recipient_later,               // required, a revocation status cannot be told now: 451 with the notice
    too_large_encrypted,           // the encrypted message would exceed the size limit: 550
};

enum class InboundOutcome {
    verified,                      // stamped pass, none, neutral or policy
    not_checked,                   // verification is off: passed as it came
    signature_failed,              // stamped fail
    signature_unreadable,          // stamped permerror
    verification_temperror,        // stamped temperror
    unauthenticated_internal_from, // an internal From without SMTP AUTH
    decryption_hop,                // encrypted, several recipients: marked for the decryption hop (X-Segel-Decrypt)
    cannot_decrypt,                // encrypted to us, not opened (every cause alike, DEC-03): [decryption] on_failure
    verification_unavailable,      // could not be checked now (files, MTA, no anchors)
};

// The encryption hop (encryption_pipeline.hpp): one recipient per message.
enum class EncryptionOutcome {
    encrypted,             // encrypted to the recipient's certificates
    sent_clear,            // signed only, as the policy says (or an internal recipient)
    left_as_is,            // already encrypted, or not signed here: never encrypted unsigned
    recipient_refused,     // required, no usable certificate: 550 naming the recipient and why
    recipient_later,       // required, a revocation status cannot be told now: 451
    several_recipients,    // more than one recipient in one transaction: 451 4.5.3
    too_large_encrypted,   // the encrypted copy would exceed the size limit: 550, never sent in clear instead
    directory_unavailable,
    internal_error,        // never sent in clear instead: 451
};

// Answers outside any message's outcome.
enum class SessionEvent {
    restarting,    // SIGTERM: messages in flight end, new ones wait
    local_problem, // a callback failed or a spool could not be made
};

// The stable snake_case name, for the log's decision= field.
const char* to_string(OutboundOutcome outcome) noexcept;
const char* to_string(InboundOutcome outcome) noexcept;
const char* to_string(EncryptionOutcome outcome) noexcept;

enum class Verdict { accept, quarantine, tempfail, reject };
std::string_view to_string(Verdict verdict) noexcept;

struct SmtpReply {
    const char* rcode;
    const char* xcode;
    const char* text;
};

// Applies the row of `outcome` through `mta`: sets the reply (tempfail,
// reject), adds the explaining field (pass), or holds the message with it
// (quarantine; when the hold fails, a tempfail rather than letting it go).
Verdict respond(OutboundOutcome outcome, const config::MilterSettings& settings, MtaActions& mta,
                const std::vector<std::string>& notice = {});
Verdict respond(InboundOutcome outcome, const config::MilterSettings& settings, MtaActions& mta);
// `notice`: the lines of a refusal that names the recipient and the reason
// (Indonesian and English, encryption_notice.hpp); empty: the row's text.
Verdict respond(EncryptionOutcome outcome, const config::MilterSettings& settings, MtaActions& mta,
                const std::vector<std::string>& notice = {});

SmtpReply session_reply(SessionEvent event) noexcept;

} // namespace segel::milter
