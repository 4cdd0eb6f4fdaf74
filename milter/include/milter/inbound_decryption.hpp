// Opening an inbound message's cryptographic envelope for local users
// (issue 13; DEC-01..DEC-05), the step the inbound pipeline runs before
// verification. Only a root EnvelopedData/AuthEnvelopedData is opened
// (smime/decryptor.hpp); the keys are the directory's, found by the
// RecipientInfos, superseded, expired and revoked ones included (DEC-04);
// they are used only when every envelope recipient is a local user who
// owns one of them, so that a plaintext copy never reaches anyone else
// (DEC-05: a transaction whose recipients would need different forms is
// delivered as it came, or marked for the decryption hop, where Postfix
// hands it back per recipient after alias expansion). Every way of not opening it is one state,
// not_decrypted, whatever the cause (DEC-03), and failures are counted per
// sender and key (decryption_failures.hpp). The integrity gate (DEC-02)
// is the pipeline's, after verification. Thread-safe; never throws on its
// own account.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/milter_settings.hpp"
#include "milter/decryption_failures.hpp"
#include "directory/directory_service.hpp"
#include "milter/routing.hpp"
#include "smime/decryptor.hpp"
#include "smime/mime_entity.hpp"

namespace segel::milter {

// Where the inbound pipeline runs: where mail arrives, or the decryption
// hop (one recipient per transaction, after alias expansion).
enum class InboundStage { border, decryption_hop };

// The field that sends a message through the decryption hop (Postfix
// milter_header_checks FILTER); removed at every stage.
constexpr const char* k_decrypt_marking_field = "X-Segel-Decrypt";

struct Opening {
    enum class State {
        not_encrypted, // nothing encrypted: verify the message as it is
        nested,        // an encrypted part inside a container: verify as it is, never opened
        not_decrypted, // the root envelope stays closed (one state for every cause)
        over_limit,    // past a cap (size, parts, RecipientInfos): permerror
        opened,        // `plaintext` is the message with its content decrypted
        to_hop,        // several recipients: decrypted per recipient at the decryption hop
        unavailable,   // the directory or a local resource failed: try later
    } state = State::not_encrypted;
    std::optional<smime::MimeEntity> plaintext;
    smime::Envelope envelope;               // what was opened: kind, cipher, signature layers around it
    std::optional<directory::CertificateRecord> key; // whose key opened it
    std::vector<std::string> recipients;    // who receives the plaintext
    std::string message_id;                 // for the audit
    std::string detail;                     // why, for the log only
};

class InboundDecryption {
public:
    InboundDecryption(std::shared_ptr<const config::MilterSettings> settings,
                      std::shared_ptr<directory::DirectoryService> directory);

    Opening open(const SessionFacts& facts, const smime::MimeEntity& message, const std::string& from,
                 InboundStage stage) const;

private:
    Opening open_root(const SessionFacts& facts, const smime::MimeEntity& message, const smime::Envelope& envelope,
                      const std::string& from) const;
    smime::EnvelopeLimits limits() const;

    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<directory::DirectoryService> m_directory;
    std::shared_ptr<DecryptionFailures> m_failures;
};

} // namespace segel::milter
