#include "directory/admin/encryption_operations.hpp"

#include <algorithm>

namespace segel::directory::admin {

namespace {

Treatment message_treatment(const std::vector<RecipientPlan>& plans) {
    const auto any = [&plans](Treatment t) {
        return std::any_of(plans.begin(), plans.end(), [t](const RecipientPlan& p) { return p.treatment == t; });
    };
    if (any(Treatment::refuse))
        return Treatment::refuse;
    if (any(Treatment::retry))
        return Treatment::retry;
    return any(Treatment::clear) ? Treatment::clear : Treatment::encrypt;
}

} // namespace

OperationResult<MessageEncryption> plan_message_encryption(DirectoryService& directory, const Operator& person,
                                                           const std::vector<std::string>& recipients,
                                                           const PlanInputs& inputs) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    MessageEncryption decided;
    for (const auto& recipient : recipients) {
        auto address = smime::Address::parse(recipient);
        if (!address)
            return Failure{FailureKind::invalid_request, "recipient " + recipient + ": " + address.error().detail};
        PlanInputs own = inputs;
        own.internal_recipient = address->domain().is_one_of(directory.internal_domains());
        auto plan = plan_recipient(directory, directory, *address, own);
        if (!plan)
            return directory_failure(plan.error(), "cannot plan the encryption for " + recipient);
        decided.plans.push_back(std::move(plan).value());
    }
    decided.treatment = message_treatment(decided.plans);
    if (decided.treatment != Treatment::encrypt)
        return decided;
    bool gcm = true, oaep = true;
    std::vector<std::string> seen;
    for (const auto& plan : decided.plans) {
        const auto choice = choose_algorithms(plan);
        gcm &= choice.cipher == smime::ContentCipher::aes256_gcm;
        oaep &= choice.rsa_transport == smime::RsaKeyTransport::oaep_sha256;
        for (const auto& used : plan.certificates)
            if (const auto fp = used.certificate.sha256_fingerprint_hex(); std::find(seen.begin(), seen.end(), fp) == seen.end()) {
                seen.push_back(fp);
                decided.certificates.push_back(used.certificate);
            }
    }
    decided.algorithms.cipher = gcm ? smime::ContentCipher::aes256_gcm : smime::ContentCipher::aes256_cbc;
    decided.algorithms.rsa_transport = oaep ? smime::RsaKeyTransport::oaep_sha256 : smime::RsaKeyTransport::pkcs1_v1_5;
    decided.algorithms.why = "what every recipient reads";
    return decided;
}

OperationResult<void> record_message_encryption(DirectoryService& directory, const Operator& person,
                                                const MessageEncryption& decided, const std::string& sender,
                                                const std::string& message_id, const std::string& cipher,
                                                const std::string& key_transport) {
    for (const auto& plan : decided.plans) {
        const EncryptionEvent event{sender, plan.recipient, message_id, cipher, key_transport, plan.certificates};
        if (auto recorded = directory.record_encryption(event, audit_actor(person)); !recorded)
            return directory_failure(recorded.error(), "the encryption was not recorded");
    }
    return {};
}

} // namespace segel::directory::admin
