// The one place where an outcome becomes an SMTP answer (OpenDKIM's
// dkimf_libstatus idea): each outcome that is not "signed" or "not ours"
// maps to the configured action (tempfail, reject, pass with an explaining
// header) and to reply text in plain words, without secrets or details;
// inbound outcomes get inbound words, never "signing".
#pragma once

#include <string>

#include "config/milter_settings.hpp"
#include "milter/mta_actions.hpp"
#include "smime/verifier.hpp"

namespace segel::milter {

enum class Outcome {
    signed_message,               // signed: continue with the edits made
    not_ours,                     // bounce, external From, already S/MIME: untouched
    verified,                     // inbound: verified and stamped
    no_certificate,
    not_authorised,
    certificate_unusable,
    unsignable_message,
    directory_unavailable,
    internal_error,
    unauthenticated_internal_from,
    verification_unavailable,     // inbound: could not be checked now (files, MTA, no anchors)
};
const char* to_string(Outcome outcome);

enum class Verdict { accept, quarantine, tempfail, reject };
std::string_view to_string(Verdict verdict) noexcept;

// Applies the policy for `outcome`: sets the reply (tempfail, reject), adds
// the unsigned header (pass) or holds the message with it (quarantine)
// through `mta`.
Verdict respond(Outcome outcome, const config::MilterSettings& settings, MtaActions& mta);

// Inbound: applies on_fail (fail, permerror) or on_temperror (temperror) to
// a stamped message; other verdicts are accepted.
Verdict respond_to_verdict(smime::Verdict verdict, const config::MilterSettings& settings, MtaActions& mta);

} // namespace segel::milter
