// Parses the operator tool's command line (`segel COMMAND SUBCOMMAND
// [OPTIONS]`) into typed, validated commands. Boost.Program_options stays
// behind this header. Pure: no I/O beyond checking that named files exist and
// are readable. Errors name the option and the problem.
#pragma once

#include <optional>
#include <string>
#include <variant>

namespace segel::config {

// `segel msg sign`: sign one message file.
struct MsgSignCommand {
    std::string pkcs12_file;     // either this ...
    std::string cert_file;       // ... or cert_file + key_file
    std::string key_file;
    std::string chain_file;      // optional
    std::string passphrase_file; // optional: otherwise asked on the terminal
    std::string input = "-";     // "-" is standard input
    std::string output = "-";    // "-" is standard output
    std::string temp_dir;        // empty: $TMPDIR or /tmp
};

struct HelpRequest {
    std::string text;
};

using Command = std::variant<HelpRequest, MsgSignCommand>;

struct ParseOutcome {
    std::optional<Command> command; // set on success
    std::string error;              // set on failure: one line, names the problem
    std::string usage;              // help text of the command that failed
};

ParseOutcome parse_command_line(int argc, const char* const argv[]);

// The help of the top-level tool.
std::string top_level_help();

} // namespace segel::config
