// One recipient's copy of a signed message, encrypted as its plan says
// (sign-then-encrypt, RFC 8551 §3.7), for the encryption hop and for the
// submission's single-recipient case; and its record (issue 12 item 9).
// The copy is refused (too_large_encrypted) rather than sent in clear when
// it would not fit max_message_bytes.
#pragma once

#include <optional>
#include <string>

#include "config/milter_settings.hpp"
#include "directory/directory_service.hpp"
#include "directory/encryption_plan.hpp"
#include "milter/reply_table.hpp"
#include "smime/mime_entity.hpp"

namespace segel::milter {

struct EncryptedCopy {
    EncryptionOutcome outcome = EncryptionOutcome::internal_error; // encrypted, too_large_encrypted or internal_error
    std::optional<smime::MimeEntity> entity;                        // when encrypted
    std::string algorithm;                                          // "aes256-cbc", "aes256-gcm"
    std::string key_transport;                                      // "rsa-pkcs1", "rsa-oaep", "ecdh", ...
    std::string reason;                                             // for the log
};

EncryptedCopy encrypt_copy(const smime::MimeEntity& signed_entity, const directory::RecipientPlan& plan,
                           const config::MilterSettings& settings);

// The audit entry of one encrypted copy.
directory::Result<void> record_copy(directory::DirectoryService& directory, const EncryptedCopy& copy,
                                    const directory::RecipientPlan& plan, const std::string& sender,
                                    const std::string& message_id);

} // namespace segel::milter
