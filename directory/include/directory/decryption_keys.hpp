// DecryptionKeys: the private keys that may open a CMS RecipientInfo,
// found by its recipient identifier (RFC 5652 §6.2.1: issuer and serial
// number, or subject key identifier), a narrow lookup beside the signing
// choice. Every certificate of the store with a key matches, whatever its
// status: superseded, expired and revoked keys still open old mail (the
// caller decides what a revoked key's use means). Each key handed out is
// recorded in the audit log (key use).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/types.h>

#include "directory/certificate_directory.hpp"
#include "smime/certificate.hpp"
#include "smime/decryptor.hpp"

namespace segel::directory {

// Issuer and serial (as Certificate::issuer() and serial_hex() write them),
// or a subject key identifier when the issuer is empty.
using RecipientIdentifier = smime::RecipientId;

struct DecryptionKey {
    CertificateRecord record;
    smime::Certificate certificate;
    std::shared_ptr<EVP_PKEY> key;
};

class DecryptionKeys {
public:
    virtual ~DecryptionKeys() = default;
    virtual Result<std::vector<DecryptionKey>> decryption_keys(const RecipientIdentifier& recipient,
                                                               const Actor& actor) = 0;
};

} // namespace segel::directory
