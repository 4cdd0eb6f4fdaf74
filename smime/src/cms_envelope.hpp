// CMS EnvelopedData (AES-CBC) or AuthEnvelopedData (AES-GCM, RFC 5083/5084)
// over a file's bytes, streamed, for the encrypt step (encryptor.hpp).
#pragma once

#include <vector>

#include "smime/certificate.hpp"
#include "smime/encryptor.hpp"
#include "smime/error.hpp"

namespace segel::smime {

// Encrypts the bytes of content_fd (from the start) to every recipient and
// writes the DER ContentInfo to out_fd. One RecipientInfo per certificate,
// identified by issuer and serial: KeyTransRecipientInfo for RSA (PKCS#1
// v1.5, or OAEP with SHA-256 and MGF1-SHA-256), KeyAgreeRecipientInfo for EC
// (ECDH, RFC 5753, KDF with SHA-256). CMS_BINARY: the bytes are enveloped as
// they are. Memory does not grow with the content (CMS_STREAM).
Result<void> envelope(int content_fd, const std::vector<Certificate>& recipients, const EncryptOptions& options,
                      int out_fd);

} // namespace segel::smime
