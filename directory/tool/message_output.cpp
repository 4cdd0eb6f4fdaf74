#include "message_output.hpp"

#include <iostream>

#include <sysexits.h>

#include "exit_codes.hpp"
#include "terminal_passphrase.hpp"

namespace segel::tool {

int refuse(const smime::Error& error, const char* what) {
    std::cerr << "segel: " << what << " (" << smime::to_string(error.kind) << "): " << error.detail << "\n";
    return exit_code_for(error.kind);
}

smime::Result<smime::SigningIdentity> load_identity(const config::MsgSignCommand& command) {
    const auto load = [&](const smime::Passphrase& passphrase) {
        return command.pkcs12_file.empty()
                   ? smime::SigningIdentity::load_pem(command.cert_file, command.key_file, command.chain_file,
                                                      passphrase)
                   : smime::SigningIdentity::load_pkcs12(command.pkcs12_file, passphrase);
    };
    if (!command.passphrase_file.empty()) {
        auto passphrase = smime::Passphrase::read_file(command.passphrase_file);
        if (!passphrase)
            return passphrase.error();
        return load(*passphrase);
    }
    // No passphrase file: the key may need none; otherwise ask on the terminal.
    auto attempt = load(smime::Passphrase());
    if (attempt || attempt.error().kind != smime::ErrorKind::bad_credentials)
        return attempt;
    auto asked = ask_passphrase("Passphrase for " +
                                (command.pkcs12_file.empty() ? command.key_file : command.pkcs12_file) + ": ");
    if (!asked)
        return smime::make_error(smime::ErrorKind::bad_credentials,
                                 attempt.error().detail + "; no terminal to ask for a passphrase: use --passphrase-file");
    return load(*asked);
}

int write_entity(const smime::MimeEntity& entity, const std::string& path) {
    Output output(path);
    if (!output.open()) {
        std::cerr << "segel: cannot create " << path << "\n";
        return EX_CANTCREAT;
    }
    if (auto written = entity.write_to(output.fd()); !written)
        return refuse(written.error(), "cannot write the result");
    if (!output.commit()) {
        std::cerr << "segel: cannot write " << path << "\n";
        return EX_IOERR;
    }
    return EX_OK;
}

} // namespace segel::tool
