// What an external sender's passing signature teaches the gateway (RFC 8551
// §2.5.2, issue 13 item 8): what they can decrypt (SMIMECapabilities, as of
// the signature's signingTime: a newer one replaces, an older never) and,
// with [harvest] on, their certificates for encrypted replies: the signer's,
// the one SMIMEEncryptionKeyPreference names and those of certs-only parts
// inside the signed content, each only when it names the sender. When the
// chain ends at an anchor of [harvest] review_anchors (and review is on),
// they wait for an operator's approval. Internal senders teach nothing (they
// are never encrypted to). Failing to store something never fails the
// message: the words come back for the log line. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/milter_settings.hpp"
#include "directory/directory_service.hpp"
#include "smime/address.hpp"
#include "smime/verifier.hpp"

namespace segel::milter {

class CorrespondentLearning {
public:
    CorrespondentLearning(std::shared_ptr<const config::MilterSettings> settings,
                          std::shared_ptr<directory::DirectoryService> directory);

    // Empty, or "; ..." words for the log saying what could not be stored.
    std::string learn_from(const smime::VerificationReport& report, const smime::Address& from) const;

private:
    bool in_review(const smime::Certificate& anchor) const;

    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<directory::DirectoryService> m_directory;
    std::vector<std::string> m_review_anchors; // SHA-256 fingerprints
    bool m_review_anchors_unreadable = false;  // configured but unreadable: everything waits
};

} // namespace segel::milter
