// The one place where an outcome becomes an SMTP answer (OpenDKIM's
// dkimf_libstatus idea): each outcome that is not "signed" or "not ours"
// maps to the configured action (tempfail, reject, pass with an explaining
// header) and to reply text in plain words, without secrets or details.
#pragma once

#include <string>

#include "config/milter_settings.hpp"
#include "milter/mta_actions.hpp"

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
};
const char* to_string(Outcome outcome);

enum class Verdict { accept, quarantine, tempfail, reject };
std::string_view to_string(Verdict verdict) noexcept;

// Applies the policy for `outcome`: sets the reply (tempfail, reject), adds
// the unsigned header (pass) or holds the message with it (quarantine)
// through `mta`.
Verdict respond(Outcome outcome, const config::MilterSettings& settings, MtaActions& mta);

} // namespace segel::milter
