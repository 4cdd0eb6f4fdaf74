// `segel msg encrypt`: signs a message, then encrypts it for the recipients
// with the directory's policy and certificates (admin/encryption_operations.hpp),
// writes the result whole or not at all, and records each encryption.
#include <chrono>
#include <iostream>
#include <optional>

#include <sysexits.h>

#include "commands.hpp"
#include "directory/admin/encryption_operations.hpp"
#include "directory_session.hpp"
#include "message_input.hpp"
#include "message_output.hpp"
#include "smime/crl_store.hpp"
#include "smime/encryptor.hpp"
#include "smime/sender_address.hpp"
#include "smime/signer.hpp"

namespace segel::tool {

namespace admin = directory::admin;

namespace {

// The revocation answer of the given CRL files; without any, good unless required.
smime::RevocationCheck crl_check(const std::optional<smime::CrlStore>& crls, bool require_crl) {
    return [&crls, require_crl](const smime::Certificate& subject, const smime::Certificate& issuer) {
        if (crls)
            return crls->check(subject, issuer, std::chrono::system_clock::now());
        return require_crl ? smime::RevocationAnswer{smime::RevocationAnswer::Status::unknown, "no CRL given"}
                           : smime::RevocationAnswer{smime::RevocationAnswer::Status::good, "no CRL given"};
    };
}

int report_refusals(const admin::MessageEncryption& decided) {
    for (const auto& plan : decided.plans)
        if (plan.treatment == directory::Treatment::refuse || plan.treatment == directory::Treatment::retry)
            std::cerr << "segel: " << plan.recipient << ": must receive it encrypted, and " << plan.reason << "\n";
    return decided.treatment == directory::Treatment::retry ? EX_TEMPFAIL : EX_DATAERR;
}

std::string key_transport_name(const admin::MessageEncryption& decided) {
    return decided.algorithms.rsa_transport == smime::RsaKeyTransport::oaep_sha256 ? "rsa-oaep" : "rsa-pkcs1";
}

} // namespace

int run_msg_encrypt(const config::MsgEncryptCommand& command) {
    const auto temp_dir = temp_dir_for(command.sign.temp_dir);
    auto anchors = smime::TrustStore::load_pem_file(command.trust_file);
    if (!anchors)
        return refuse(anchors.error(), "--trust");
    std::optional<smime::CrlStore> crls;
    if (!command.crl_files.empty()) {
        auto loaded = smime::CrlStore::load_files(command.crl_files, std::chrono::hours(24 * 7), command.require_crl);
        if (!loaded)
            return refuse(loaded.error(), "--crl");
        crls = std::move(*loaded);
    }
    auto identity = load_identity(command.sign);
    if (!identity)
        return refuse(identity.error(), "cannot load the signing credentials");
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;

    directory::PlanInputs inputs;
    inputs.anchors = &*anchors;
    inputs.revocation = crl_check(crls, command.require_crl);
    inputs.floor = command.required ? directory::EncryptionMode::required : directory::EncryptionMode::never;
    inputs.now = std::chrono::system_clock::now();
    auto decided = admin::plan_message_encryption(*directory, current_operator(), command.recipients, inputs);
    if (!decided)
        return report_failure(decided.error());
    if (decided->treatment == directory::Treatment::refuse || decided->treatment == directory::Treatment::retry)
        return report_refusals(*decided);

    auto message = read_message(command.sign.input, temp_dir, exit_code);
    if (!message)
        return exit_code != EX_OK ? (std::cerr << "segel: " << message.error().detail << "\n", exit_code)
                                  : refuse(message.error(), "refused");
    const auto entity = smime::MimeEntity::of(std::move(message).value());
    smime::SignOptions sign_options;
    sign_options.temp_dir = temp_dir;
    auto signed_outcome = smime::sign(entity, *identity, sign_options);
    if (!signed_outcome)
        return refuse(signed_outcome.error(), "refused");
    if (auto* untouched = std::get_if<smime::LeftUntouched>(&*signed_outcome)) {
        std::cerr << "segel: left untouched (" << untouched->reason << "): not encrypted either\n";
        return write_entity(entity, command.sign.output);
    }
    const auto& signed_entity = std::get<smime::SignedEntity>(*signed_outcome).entity;
    if (decided->treatment == directory::Treatment::clear) {
        for (const auto& plan : decided->plans)
            if (plan.treatment == directory::Treatment::clear)
                std::cerr << "segel: signed only: " << plan.recipient << ": " << plan.reason << "\n";
        return write_entity(signed_entity, command.sign.output);
    }
    smime::EncryptOptions options;
    options.temp_dir = temp_dir;
    options.cipher = decided->algorithms.cipher;
    options.rsa_transport = decided->algorithms.rsa_transport;
    auto encrypted = smime::encrypt(signed_entity, decided->certificates, options);
    if (!encrypted)
        return refuse(encrypted.error(), "cannot encrypt");
    if (int written = write_entity(encrypted->entity, command.sign.output); written != EX_OK)
        return written;
    const auto sender = smime::single_from_address(entity.origin());
    auto recorded = admin::record_message_encryption(*directory, current_operator(), *decided,
                                                     sender ? *sender : std::string(), smime::message_id_of(entity.origin()),
                                                     encrypted->algorithm,
                                                     key_transport_name(*decided));
    return recorded ? EX_OK : report_failure(recorded.error());
}

} // namespace segel::tool
