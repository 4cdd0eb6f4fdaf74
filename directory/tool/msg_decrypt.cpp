// `segel msg decrypt`: opens one encrypted message with segel-milter's rules
// (smime/decryptor.hpp: the envelope only, one failure for every cause, the
// integrity gate), the key from a file or the directory (each use audited).
#include <iostream>
#include <optional>

#include <sysexits.h>

#include "commands.hpp"
#include "directory/admin/directory_access.hpp"
#include "directory_session.hpp"
#include "message_input.hpp"
#include "message_output.hpp"
#include "smime/decryptor.hpp"
#include "smime/sender_address.hpp"
#include "smime/verdict_headers.hpp"

namespace segel::tool {

namespace {

const directory::Actor k_actor{"segel msg decrypt"};

// The keys that may open it, with their directory records when they come
// from there (empty records for a key file).
struct Keys {
    std::vector<smime::DecryptionCredential> credentials;
    std::vector<std::optional<directory::CertificateRecord>> records;
    std::unique_ptr<directory::DirectoryService> directory;
};

int keys_from_file(const config::MsgDecryptCommand& command, Keys& keys) {
    auto identity = load_identity(command.key);
    if (!identity)
        return refuse(identity.error(), "cannot load the key");
    keys.credentials.push_back({identity->certificate(), identity->shared_private_key()});
    keys.records.emplace_back();
    return EX_OK;
}

int keys_from_directory(const config::MsgDecryptCommand& command, const smime::Envelope& envelope, Keys& keys) {
    int exit_code = EX_OK;
    keys.directory = open_directory_for(command.settings, directory::admin::KeyNeed::required,
                                        directory::admin::Access::write, exit_code);
    if (!keys.directory)
        return exit_code;
    auto found = directory::keys_for_recipients(*keys.directory, envelope.recipients, k_actor);
    if (!found) {
        std::cerr << "segel: the directory: " << found.error().detail << "\n";
        return EX_UNAVAILABLE;
    }
    for (auto& key : *found)
        if (directory::owned_by(key.record, command.for_address)) {
            keys.credentials.push_back({key.certificate, key.key});
            keys.records.emplace_back(key.record);
        }
    return EX_OK;
}

void record(const Keys& keys, std::size_t used, const config::MsgDecryptCommand& command,
            const smime::MimeEntity& message, const smime::Envelope& envelope, bool released) {
    if (!keys.directory || !keys.records[used])
        return;
    directory::DecryptionEvent event;
    if (auto from = smime::single_from_address(message.origin()))
        event.sender = *from;
    event.recipients = {command.for_address};
    event.message_id = smime::message_id_of(message.origin());
    event.cipher = envelope.cipher;
    event.key = *keys.records[used];
    event.released = released;
    if (auto recorded = keys.directory->record_decryption(event, k_actor); !recorded)
        std::cerr << "segel: warning: the decryption is not in the audit log: " << recorded.error().detail << "\n";
}

int not_opened(const smime::Envelope& envelope) {
    if (envelope.place == smime::EnvelopePlace::nested)
        std::cerr << "segel: an encrypted part inside a container is never opened (DEC-01); the message stays as it is\n";
    else
        std::cerr << "segel: the message is not encrypted\n";
    return EX_DATAERR;
}

void print_stamp(const smime::VerificationReport& report, const smime::DecryptionNote& note,
                 const config::MsgDecryptCommand& command) {
    std::cerr << "verdict: smime=" << smime::to_string(report.verdict) << ": " << report.reason << "\n"
              << "Authentication-Results: " << smime::authentication_results_value(report, command.authserv_id, note)
              << "\nX-Segel-Verifikasi: " << smime::plain_verdict_value(report, command.language, note) << "\n";
}

} // namespace

int run_msg_decrypt(const config::MsgDecryptCommand& command) {
    const auto temp_dir = temp_dir_for(command.key.temp_dir);
    auto anchors = smime::TrustStore::load_pem_file(command.trust_file);
    if (!anchors)
        return refuse(anchors.error(), "--trust");
    int input_exit = EX_OK;
    auto spooled = read_message(command.key.input, temp_dir, input_exit);
    if (!spooled)
        return input_exit != EX_OK ? (std::cerr << "segel: " << spooled.error().detail << "\n", input_exit)
                                   : refuse(spooled.error(), "refused");
    const auto message = smime::MimeEntity::of(std::move(spooled).value());
    auto envelope = smime::find_envelope(message);
    if (!envelope)
        return refuse(envelope.error(), "refused");
    if (!envelope->openable())
        return not_opened(*envelope);
    Keys keys;
    if (int loaded = command.for_address.empty() ? keys_from_file(command, keys)
                                                 : keys_from_directory(command, *envelope, keys);
        loaded != EX_OK)
        return loaded;
    auto decrypted = smime::decrypt(message, *envelope, keys.credentials, temp_dir);
    if (!decrypted)
        return refuse(decrypted.error(), "not decrypted");
    smime::VerifyOptions options;
    options.temp_dir = temp_dir;
    auto report = smime::verify(decrypted->entity, *anchors, options);
    if (!report)
        return refuse(report.error(), "the decrypted message cannot be verified");
    const auto release = smime::release_decision(*envelope, report->verdict, command.unprotected == "mark");
    record(keys, decrypted->credential, command, message, *envelope, release != smime::Release::kept_encrypted);
    if (release == smime::Release::kept_encrypted) {
        std::cerr << "segel: not released: the content is CBC-encrypted and its signature does not pass (" << report->reason
                  << "), so its integrity is not protected (DEC-02); --unprotected mark releases it\n";
        return EX_DATAERR;
    }
    smime::DecryptionNote note;
    note.state = release == smime::Release::released ? smime::DecryptionNote::State::decrypted
                                                      : smime::DecryptionNote::State::unprotected;
    note.serial = keys.credentials[decrypted->credential].certificate.serial_hex();
    note.key_compromised = keys.records[decrypted->credential] && directory::key_compromised(*keys.records[decrypted->credential]);
    note.outer_signature_set_aside = envelope->signature_layers > 0;
    print_stamp(*report, note, command);
    return write_entity(decrypted->entity, command.key.output);
}

} // namespace segel::tool
