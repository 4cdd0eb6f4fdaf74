// segel: the operator's tool. One catch site; exit codes follow sysexits(3).
#include <cstdio>
#include <exception>
#include <iostream>
#include <variant>

#include <sysexits.h>

#include "commands.hpp"
#include "config/command_line.hpp"

int main(int argc, char** argv) {
    try {
        const auto parsed = segel::config::parse_command_line(argc, argv);
        if (!parsed.command) {
            std::cerr << "segel: " << parsed.error << "\n\n" << parsed.usage;
            return EX_USAGE;
        }
        if (const auto* help = std::get_if<segel::config::HelpRequest>(&*parsed.command)) {
            std::cout << help->text;
            return EX_OK;
        }
        if (const auto* sign = std::get_if<segel::config::MsgSignCommand>(&*parsed.command))
            return segel::tool::run_msg_sign(*sign);
        std::cerr << "segel: internal error: unhandled command\n";
        return EX_SOFTWARE;
    } catch (const std::exception& e) {
        std::cerr << "segel: internal error: " << e.what() << "\n";
        return EX_SOFTWARE;
    }
}
