// The checks of one SignerInfo (OSSL-02): digest, signature over the signed
// attributes (or over the content when there are none), CMS-02 and SM-10
// attributes, signingTime sanity (CH-10), the path to the anchors with the
// smimesign purpose and the EKU policy (CH-06, CH-07), revocation, weak
// algorithms (SM-11) and the From binding (CH-04). Internal to smime.
#pragma once

#include <string>
#include <string_view>

#include <openssl/cms.h>

#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"

namespace segel::smime {

SignerReport check_signer(CMS_ContentInfo* cms, CMS_SignerInfo* si, std::string_view content, STACK_OF(X509) * certs,
                          const TrustStore& anchors, const VerifyOptions& options, const std::string& from);

} // namespace segel::smime
