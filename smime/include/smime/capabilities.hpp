// What a correspondent says it can decrypt (RFC 8551 §2.5.2, RFC 4262):
// read from an SMIMECapabilities value, as carried by a signature's signed
// attribute or by a certificate's extension. Only the choices the encrypt
// step makes are reported: AES-256-GCM (AuthEnvelopedData) and RSAES-OAEP
// with SHA-256 and MGF1-SHA-256 (an OAEP entry without parameters means
// SHA-1, which we do not send).
#pragma once

#include <string_view>

#include "smime/certificate.hpp"

namespace segel::smime {

struct AdvertisedAlgorithms {
    bool aes256_gcm = false;
    bool rsa_oaep_sha256 = false;
};

// The DER of an SMIMECapabilities SEQUENCE; nothing advertised when unreadable.
AdvertisedAlgorithms parse_capabilities(std::string_view der);
// The certificate's SMIMECapabilities extension (RFC 4262); nothing when absent.
AdvertisedAlgorithms certificate_capabilities(const Certificate& certificate);

} // namespace segel::smime
