// The header fields that carry a verdict to people and programs:
// Authentication-Results (RFC 8601 §2.2, RFC 7281 §3; AR-01..AR-03) and a
// plain-language field naming signer, issuer and verdict (AR-09), in
// Indonesian or English. Every value taken from the message is reduced to
// printable ASCII without CR, LF or NUL and escaped for its place (AR-08);
// lines stay far below 998 octets. Pure functions; thread-safe.
#pragma once

#include <string>

#include "smime/verifier.hpp"

namespace segel::smime {

// The value of Authentication-Results, without the field name, e.g.
// "tangerangkota.go.id; smime=pass (signed by ...) body.smime-identifier=a@b
//  body.smime-part=2 body.smime-serial=1000 body.smime-issuer="CN=..."".
std::string authentication_results_value(const VerificationReport& report, const std::string& authserv_id);

// A sentence for people; language "id" (default) or "en".
std::string plain_verdict_value(const VerificationReport& report, const std::string& language);

} // namespace segel::smime
