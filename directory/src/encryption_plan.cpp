#include "directory/encryption_plan.hpp"

#include <algorithm>

#include "smime/recipient_path.hpp"

namespace segel::directory {

namespace {

EncryptionMode mode_in_force(const ResolvedPolicy& policy, EncryptionMode floor) {
    return static_cast<int>(floor) > static_cast<int>(policy.mode) ? floor : policy.mode;
}

// The directory's usable candidates that also pass the path check now;
// the others go to `plan.unusable`. True when one failed for now only.
bool sort_candidates(std::vector<EncryptionCandidate> candidates, const PlanInputs& inputs, RecipientPlan& plan) {
    bool transient = false;
    for (auto& candidate : candidates) {
        if (candidate.usable && !inputs.skip_path_check) {
            if (inputs.anchors == nullptr) {
                candidate.usable = false;
                candidate.why_not = "no trust anchors are configured";
                candidate.unfit = Unfit::untrusted;
            } else {
                const auto path = smime::check_recipient_path(candidate.certificate, *inputs.anchors, inputs.now,
                                                              inputs.revocation);
                candidate.usable = path.usable;
                candidate.why_not = path.why_not;
                candidate.unfit = path.usable     ? Unfit::none
                                  : path.revoked  ? Unfit::revoked
                                  : path.transient ? Unfit::revocation_unknown
                                                   : Unfit::untrusted;
                transient |= path.transient;
            }
        }
        (candidate.usable ? plan.certificates : plan.unusable).push_back(std::move(candidate));
    }
    return transient;
}

// The most telling reason among the unusable certificates.
Unfit main_reason(const std::vector<EncryptionCandidate>& unusable) {
    constexpr Unfit k_order[] = {Unfit::revoked,       Unfit::expired,    Unfit::key_usage,
                                 Unfit::untrusted,     Unfit::not_yet_valid, Unfit::superseded,
                                 Unfit::revocation_unknown};
    for (Unfit reason : k_order)
        if (std::any_of(unusable.begin(), unusable.end(), [reason](const auto& c) { return c.unfit == reason; }))
            return reason;
    return Unfit::none;
}

std::string why_none(const RecipientPlan& plan) {
    if (plan.unusable.empty())
        return "no certificate is known for " + plan.recipient;
    std::string why = "no usable certificate for " + plan.recipient + ":";
    for (const auto& candidate : plan.unusable)
        why += " serial " + candidate.certificate.serial_hex() + " " + candidate.why_not + ";";
    why.pop_back();
    return why;
}

} // namespace

const char* to_string(Treatment treatment) noexcept {
    switch (treatment) {
    case Treatment::encrypt: return "encrypt";
    case Treatment::clear: return "clear";
    case Treatment::refuse: return "refuse";
    case Treatment::retry: return "retry";
    }
    return "clear";
}

Result<RecipientPlan> plan_recipient(RecipientCertificates& certificates, EncryptionPolicies& policies,
                                     const smime::Address& recipient, const PlanInputs& inputs) {
    RecipientPlan plan;
    plan.recipient = recipient.key();
    auto policy = policies.policy_for(recipient);
    if (!policy)
        return policy.error();
    plan.policy = *policy;
    plan.mode = mode_in_force(plan.policy, inputs.floor);
    if (inputs.internal_recipient) {
        plan.internal_recipient = true;
        plan.reason = "internal recipient, delivered here";
        return plan;
    }
    if (plan.mode == EncryptionMode::never) {
        plan.reason = "encryption policy never (from " + plan.policy.mode_from + ")";
        return plan;
    }
    auto candidates = certificates.encryption_certificates(recipient, inputs.now);
    if (!candidates)
        return candidates.error();
    const bool transient = sort_candidates(std::move(candidates).value(), inputs, plan);
    if (!plan.certificates.empty()) {
        auto remembered = certificates.remembered_capabilities(recipient);
        if (!remembered)
            return remembered.error();
        plan.remembered = *remembered;
        plan.treatment = Treatment::encrypt;
        return plan;
    }
    plan.reason = why_none(plan);
    // A certificate that may yet prove usable is the reason to try again.
    plan.unfit = transient ? Unfit::revocation_unknown : main_reason(plan.unusable);
    if (plan.mode == EncryptionMode::opportunistic)
        plan.treatment = Treatment::clear;
    else
        plan.treatment = transient ? Treatment::retry : Treatment::refuse;
    return plan;
}

AlgorithmChoice choose_algorithms(const RecipientPlan& plan) {
    bool all_gcm = !plan.certificates.empty(), all_oaep = !plan.certificates.empty();
    for (const auto& candidate : plan.certificates) {
        const auto advertised = smime::certificate_capabilities(candidate.certificate);
        all_gcm &= advertised.aes256_gcm;
        all_oaep &= advertised.rsa_oaep_sha256;
    }
    if (plan.remembered) {
        all_gcm |= plan.remembered->aes256_gcm;
        all_oaep |= plan.remembered->rsa_oaep_sha256;
    }
    AlgorithmChoice choice;
    const CipherChoice cipher = plan.policy.cipher;
    const KeyTransportChoice transport = plan.policy.key_transport;
    if (cipher == CipherChoice::aes256_gcm || (cipher == CipherChoice::automatic && all_gcm))
        choice.cipher = smime::ContentCipher::aes256_gcm;
    if (transport == KeyTransportChoice::rsa_oaep || (transport == KeyTransportChoice::automatic && all_oaep))
        choice.rsa_transport = smime::RsaKeyTransport::oaep_sha256;
    choice.why = "cipher " + std::string(cipher == CipherChoice::automatic ? (all_gcm ? "advertised" : "default")
                                                                           : "from policy " + plan.policy.cipher_from) +
                 ", key transport " +
                 (transport == KeyTransportChoice::automatic ? (all_oaep ? "advertised" : "default")
                                                              : "from policy " + plan.policy.key_transport_from);
    return choice;
}

} // namespace segel::directory
