// Reading one OCSP response (RFC 6960, REV-02) to a request we made: the
// checks OcspChecker applies (successful, our nonce when echoed, signed by
// the issuer or its delegate or the pinned responder, naming the certID,
// current). Internal to the smime module; a header of its own so that the
// fuzz target reaches it with any bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/ocsp.h>

#include "smime/ocsp_checker.hpp"

namespace segel::smime {

// An "unknown" answer that says why, prefixed "OCSP: ".
RevocationAnswer ocsp_unknown(std::string why);

// `reply`: the responder's bytes. A counting answer (good, revoked) sets
// `valid_until`.
RevocationAnswer read_ocsp_response(std::string_view reply, OCSP_REQUEST* request, OCSP_CERTID* id,
                                    const Certificate& issuer, Certificate::TimePoint now, const OcspOptions& options,
                                    const TrustStore& anchors, std::optional<Certificate::TimePoint>& valid_until);

} // namespace segel::smime
