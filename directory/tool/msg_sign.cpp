// `segel msg sign`: reads a message, signs it, writes it. Nothing is written
// to --out unless signing succeeded (or the message was left untouched): the
// result goes to a temp file beside it that is renamed into place.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "message_input.hpp"
#include "smime/message_spool.hpp"
#include "smime/signer.hpp"
#include "smime/signing_identity.hpp"
#include "terminal_passphrase.hpp"

namespace segel::tool {

namespace {

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

// Where the result is written: stdout, or a temp file renamed over --out.
class Output {
public:
    explicit Output(std::string path) : m_path(std::move(path)) {}
    ~Output() {
        if (m_fd >= 0 && m_fd != STDOUT_FILENO) {
            ::close(m_fd);
            ::unlink(m_temp.c_str());
        }
    }
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    bool open() {
        if (m_path == "-") {
            m_fd = STDOUT_FILENO;
            return true;
        }
        m_temp = m_path + ".segel-XXXXXX";
        m_fd = ::mkostemp(m_temp.data(), O_CLOEXEC);
        return m_fd >= 0;
    }
    int fd() const { return m_fd; }
    bool commit() {
        if (m_fd == STDOUT_FILENO)
            return true;
        const bool ok = ::fsync(m_fd) == 0 && ::close(m_fd) == 0 && ::rename(m_temp.c_str(), m_path.c_str()) == 0;
        m_fd = -1;
        if (!ok)
            ::unlink(m_temp.c_str());
        return ok;
    }

private:
    std::string m_path;
    std::string m_temp;
    int m_fd = -1;
};

} // namespace

int run_msg_sign(const config::MsgSignCommand& command) {
    const auto temp_dir = temp_dir_for(command.temp_dir);
    auto identity = load_identity(command);
    if (!identity)
        return refuse(identity.error(), "cannot load the signing credentials");

    int input_exit = EX_OK;
    auto message = read_message(command.input, temp_dir, input_exit);
    if (!message) {
        if (input_exit != EX_OK) {
            std::cerr << "segel: " << message.error().detail << "\n";
            return input_exit;
        }
        return refuse(message.error(), "refused");
    }

    smime::SignOptions options;
    options.temp_dir = temp_dir;
    const auto entity = smime::MimeEntity::of(std::move(message).value());
    auto outcome = smime::sign(entity, *identity, options);
    if (!outcome)
        return refuse(outcome.error(), "refused");

    Output output(command.output);
    if (!output.open()) {
        std::cerr << "segel: cannot create " << command.output << ": " << std::strerror(errno) << "\n";
        return EX_CANTCREAT;
    }
    smime::Result<void> written;
    if (auto* untouched = std::get_if<smime::LeftUntouched>(&*outcome)) {
        std::cerr << "segel: left untouched: " << untouched->reason << "\n";
        written = entity.write_to(output.fd());
    } else {
        written = std::get<smime::SignedEntity>(*outcome).entity.write_to(output.fd());
    }
    if (!written)
        return refuse(written.error(), "cannot write the result");
    if (!output.commit()) {
        std::cerr << "segel: cannot write " << command.output << ": " << std::strerror(errno) << "\n";
        return EX_IOERR;
    }
    return EX_OK;
}

} // namespace segel::tool
