// Detached CMS SignedData over a file's bytes, as RFC 8551 wants it.
#pragma once

#include <string>

#include "smime/certificate.hpp"
#include "smime/error.hpp"
#include "smime/signing_identity.hpp"

namespace segel::smime {

// Signs the bytes of content_fd (read from the start, streamed) and returns
// the DER of a detached SignedData: SHA-256, signingTime, our own
// SMIMECapabilities (AES-GCM first, then AES-CBC and RSAES-OAEP with SHA-256;
// OSSL-12), signingCertificateV2, and the
// signer's certificate plus its intermediates (CH-12). CMS_BINARY: the bytes
// are signed exactly as they are (OSSL-11). With `encryption_certificate`,
// the signer's certificate for encrypted replies is named by an
// SMIMEEncryptionKeyPreference attribute (RFC 8551 §2.5.3, issuer and
// serial) and carried in the certificate set.
Result<std::string> sign_detached(const SigningIdentity& identity, int content_fd,
                                  const Certificate* encryption_certificate = nullptr);

} // namespace segel::smime
