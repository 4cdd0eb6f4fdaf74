// `segel msg sign`: reads a message, signs it, writes it. Nothing is written
// to --out unless signing succeeded (or the message was left untouched): the
// result goes to a temp file beside it that is renamed into place.
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "message_input.hpp"
#include "message_output.hpp"
#include "smime/message_spool.hpp"
#include "smime/signer.hpp"

namespace segel::tool {

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
