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

namespace segel::directory {

struct RecipientIdentifier {
    std::string issuer;         // with serial: the issuer DN as Certificate::issuer() writes it
    std::string serial;         // upper-case hex, as Certificate::serial_hex()
    std::string subject_key_id; // lower-case hex; used when issuer is empty
};

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
