// Detached CMS SignedData over a file's bytes, as RFC 8551 wants it.
#pragma once

#include <string>

#include "smime/error.hpp"
#include "smime/signing_identity.hpp"

namespace segel::smime {

// Signs the bytes of content_fd (read from the start, streamed) and returns
// the DER of a detached SignedData: SHA-256, signingTime, our own
// SMIMECapabilities (AES-GCM first, then AES-CBC and RSAES-OAEP with SHA-256;
// OSSL-12), signingCertificateV2, and the
// signer's certificate plus its intermediates (CH-12). CMS_BINARY: the bytes
// are signed exactly as they are (OSSL-11).
Result<std::string> sign_detached(const SigningIdentity& identity, int content_fd);

} // namespace segel::smime
