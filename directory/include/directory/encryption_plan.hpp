// How one outbound message goes to one recipient (issue 12 items 2, 3 and
// 6): encrypted to which certificates and with which algorithms, in clear
// (signed only), refused, or tried again later. Used by segel-milter's
// encryption hop and by `segel msg encrypt`, so both apply the same policy
// and checks.
//
// A certificate is used only if the directory finds it usable (status,
// dates, key usage, address) and it passes the path check at this send
// (smime/recipient_path.hpp: a trust anchor, email use, not revoked). The
// recipient's mode is its resolved policy, raised to the message's floor
// (required by the subject trigger, at least opportunistic for a reply to
// a message the gateway decrypted, DEC-09), never lowered. Recipients in an internal domain are
// delivered here, where the gateway holds their keys: never encrypted.
// With every usable certificate the content key goes to each (renewal
// overlap). opportunistic without one: clear; required without one:
// refused, or retried when a revocation status could not be told.
#pragma once

#include <string>
#include <vector>

#include "directory/encryption_policy.hpp"
#include "directory/recipient_certificates.hpp"
#include "smime/capabilities.hpp"
#include "smime/encryptor.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"

namespace segel::directory {

enum class Treatment { encrypt, clear, refuse, retry };
const char* to_string(Treatment treatment) noexcept;

struct PlanInputs {
    const smime::TrustStore* anchors = nullptr; // nullptr: no certificate can be trusted
    bool skip_path_check = false;               // display only (`segel policy show` without anchors)
    smime::RevocationCheck revocation;          // empty: not checked
    EncryptionMode floor = EncryptionMode::never; // the message's: trigger, reply to decrypted mail
    bool internal_recipient = false;            // in an internal domain
    TimePoint now;
};

struct RecipientPlan {
    std::string recipient; // the address key
    ResolvedPolicy policy;
    EncryptionMode mode = EncryptionMode::never; // in force: the policy's, raised to the message's floor
    bool internal_recipient = false;             // delivered here: never encrypted
    Treatment treatment = Treatment::clear;
    std::vector<EncryptionCandidate> certificates; // encrypt: the content key goes to each
    std::vector<EncryptionCandidate> unusable;     // each with why_not
    std::string reason;                            // plain words for clear, refuse and retry
    Unfit unfit = Unfit::none;                     // without a usable certificate: the main reason (none: no certificate known)
    std::optional<smime::AdvertisedAlgorithms> remembered; // from the recipient's last verified signature
};

Result<RecipientPlan> plan_recipient(RecipientCertificates& certificates, EncryptionPolicies& policies,
                                     const smime::Address& recipient, const PlanInputs& inputs);

struct AlgorithmChoice {
    smime::ContentCipher cipher = smime::ContentCipher::aes256_cbc;
    smime::RsaKeyTransport rsa_transport = smime::RsaKeyTransport::pkcs1_v1_5;
    std::string why; // for the log: "policy", "advertised", "default"
};

// RFC 8551 §2.7: AES-256-CBC and RSA PKCS#1 v1.5 unless the policy says
// otherwise, or (automatic) the recipient advertised AES-256-GCM,
// respectively RSA-OAEP with SHA-256: in its last verified signature's
// SMIMECapabilities, or in every certificate of the plan (RFC 4262).
AlgorithmChoice choose_algorithms(const RecipientPlan& plan);

} // namespace segel::directory
