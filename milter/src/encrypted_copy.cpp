#include "encrypted_copy.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "smime/encryptor.hpp"

namespace segel::milter {

namespace {

// "rsa-pkcs1", "rsa-oaep", "ecdh", or e.g. "rsa-pkcs1+ecdh" for a mix.
std::string key_transport_of(const std::vector<directory::EncryptionCandidate>& certificates,
                             smime::RsaKeyTransport rsa) {
    bool any_rsa = false, any_ec = false;
    for (const auto& used : certificates) {
        const EVP_PKEY* key = X509_get0_pubkey(used.certificate.handle());
        (key != nullptr && EVP_PKEY_is_a(key, "RSA") ? any_rsa : any_ec) = true;
    }
    const std::string rsa_name = rsa == smime::RsaKeyTransport::oaep_sha256 ? "rsa-oaep" : "rsa-pkcs1";
    if (any_rsa && any_ec)
        return rsa_name + "+ecdh";
    return any_rsa ? rsa_name : "ecdh";
}

std::string certificates_text(const std::vector<directory::EncryptionCandidate>& certificates) {
    std::string text;
    for (const auto& used : certificates)
        text += (text.empty() ? "" : ", ") + std::string("serial ") + used.certificate.serial_hex() + " (" +
                std::string(directory::to_string(used.source)) + ")";
    return text;
}

} // namespace

EncryptedCopy encrypt_copy(const smime::MimeEntity& signed_entity, const directory::RecipientPlan& plan,
                           const config::MilterSettings& settings) {
    EncryptedCopy copy;
    const auto algorithms = directory::choose_algorithms(plan);
    smime::EncryptOptions options;
    options.temp_dir = settings.milter.temp_dir;
    options.cipher = algorithms.cipher;
    options.rsa_transport = algorithms.rsa_transport;
    std::vector<smime::Certificate> certificates;
    for (const auto& used : plan.certificates)
        certificates.push_back(used.certificate);
    auto encrypted = smime::encrypt(signed_entity, certificates, options);
    if (!encrypted) {
        copy.reason = encrypted.error().detail;
        return copy;
    }
    auto size = encrypted->entity.size();
    if (!size) {
        copy.reason = size.error().detail;
        return copy;
    }
    if (*size > static_cast<std::uint64_t>(settings.milter.max_message_bytes)) {
        copy.outcome = EncryptionOutcome::too_large_encrypted;
        copy.reason = "encrypted message of " + std::to_string(*size) + " bytes would exceed the size limit of " +
                      std::to_string(settings.milter.max_message_bytes);
        return copy;
    }
    copy.outcome = EncryptionOutcome::encrypted;
    copy.algorithm = encrypted->algorithm;
    copy.key_transport = key_transport_of(plan.certificates, algorithms.rsa_transport);
    copy.reason = "encrypted to " + plan.recipient + ": " + certificates_text(plan.certificates) + "; " +
                  copy.algorithm + ", " + copy.key_transport + " (" + algorithms.why + ")";
    copy.entity.emplace(std::move(encrypted->entity));
    return copy;
}

directory::Result<void> record_copy(directory::DirectoryService& directory, const EncryptedCopy& copy,
                                    const directory::RecipientPlan& plan, const std::string& sender,
                                    const std::string& message_id) {
    const directory::EncryptionEvent event{sender, plan.recipient, message_id, copy.algorithm, copy.key_transport,
                                           plan.certificates};
    return directory.record_encryption(event, {"segel-milter"});
}

} // namespace segel::milter
