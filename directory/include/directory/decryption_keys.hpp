// DecryptionKeys: the private keys that may open a CMS RecipientInfo,
// found by its recipient identifier (RFC 5652 §6.2.1: issuer and serial
// number, or subject key identifier), a narrow lookup beside the signing
// choice. Every certificate of the store with a key matches, whatever its
// status: superseded, expired and revoked keys still open old mail (the
// caller decides what a revoked key's use means). Each key handed out is
// recorded in the audit log (key access), and each decryption with the
// message it opened (key use); a key revoked for key compromise that opens
// a message is also an "incident" entry, for the RA to follow up (DEC-04).
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

// One inbound message decrypted with one of the directory's keys.
struct DecryptionEvent {
    std::string sender;                  // the From address
    std::vector<std::string> recipients; // the envelope recipients who receive it decrypted
    std::string message_id;
    std::string cipher;                  // the content-encryption algorithm
    CertificateRecord key;               // whose key opened it
    bool released = true;                // false: delivered still encrypted (integrity not protected)
};

// Whether a key's certificate was revoked because the key leaked.
bool key_compromised(const CertificateRecord& record);

// Whether the certificate belongs to `address` (its owner, or one of its
// emails; compared as smime::Address::key()).
bool owned_by(const CertificateRecord& record, const std::string& address);

class DecryptionKeys {
public:
    virtual ~DecryptionKeys() = default;
    virtual Result<std::vector<DecryptionKey>> decryption_keys(const RecipientIdentifier& recipient,
                                                               const Actor& actor) = 0;
    // A released decryption also remembers the message's Message-ID (DEC-09).
    virtual Result<void> record_decryption(const DecryptionEvent& event, const Actor& actor) = 0;
    // Whether the gateway decrypted a message with one of these Message-IDs.
    virtual Result<bool> decrypted_any(const std::vector<std::string>& message_ids) = 0;
};

// The keys for every RecipientInfo of a message, each once.
Result<std::vector<DecryptionKey>> keys_for_recipients(DecryptionKeys& keys,
                                                       const std::vector<RecipientIdentifier>& recipients,
                                                       const Actor& actor);

} // namespace segel::directory
