#include "config/command_line.hpp"

#include <sstream>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace segel::config {

namespace {

constexpr const char* k_top_help = R"(usage: segel COMMAND SUBCOMMAND [OPTIONS]

Segel's operator tool.

Commands:
  msg sign      sign one RFC 5322 message file with S/MIME (RFC 8551)

Run "segel msg sign --help" for the options of a command.
Exit codes follow sysexits(3): 0 done, 64 usage, 65 the message or
certificate was refused, 66 input missing, 70 internal error, 73 cannot
create output, 74 I/O error, 77 credentials unreadable or wrong passphrase.
)";

constexpr const char* k_sign_intro = R"(usage: segel msg sign (--pkcs12 FILE | --cert FILE --key FILE [--chain FILE])
                      [--passphrase-file FILE] [--out FILE] [--temp-dir DIR] [FILE]

Signs the message in FILE (or standard input) as multipart/signed with the
given certificate and writes the result to standard output or --out. The
certificate must be valid now, allow digitalSignature or nonRepudiation, have
emailProtection in its extended key usage if it has one, and name the single
From address of the message. A message that is already S/MIME is written
unchanged, with a note on standard error. Passphrases are never taken from
the command line: they come from --passphrase-file or are asked on the
terminal.

Options)";

// A file an option names must exist and be readable by us.
std::string check_readable(const std::string& option, const std::string& path) {
    if (path.empty() || path == "-")
        return {};
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return "--" + option + ": " + path + " does not exist";
    if (!S_ISREG(st.st_mode))
        return "--" + option + ": " + path + " is not a regular file";
    if (::access(path.c_str(), R_OK) != 0)
        return "--" + option + ": " + path + " is not readable";
    return {};
}

// Secrets must not be readable by everyone.
std::string check_private(const std::string& option, const std::string& path) {
    struct stat st {};
    if (!path.empty() && ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0)
        return "--" + option + ": " + path + " is readable by every user; chmod o-r it";
    return {};
}

ParseOutcome parse_msg_sign(const std::vector<std::string>& args) {
    MsgSignCommand command;
    po::options_description options(k_sign_intro);
    options.add_options()
        ("help,h", "show this help")
        ("pkcs12", po::value(&command.pkcs12_file)->value_name("FILE"),
         "PKCS#12 file with the certificate, its key and the issuing chain")
        ("cert", po::value(&command.cert_file)->value_name("FILE"),
         "PEM certificate of the signer (issuing certificates may follow it)")
        ("key", po::value(&command.key_file)->value_name("FILE"), "PEM private key of the signer")
        ("chain", po::value(&command.chain_file)->value_name("FILE"),
         "PEM file with the issuing CA certificates (roots are left out of the signature)")
        ("passphrase-file", po::value(&command.passphrase_file)->value_name("FILE"),
         "file whose first line is the passphrase of the PKCS#12 file or key")
        ("out,o", po::value(&command.output)->value_name("FILE"), "write the signed message here (default: stdout)")
        ("temp-dir", po::value(&command.temp_dir)->value_name("DIR"),
         "directory for temporary files (default: $TMPDIR or /tmp)")
        ("in", po::value(&command.input)->value_name("FILE"), "message to sign (default: stdin)");
    po::positional_options_description positional;
    positional.add("in", 1);

    std::ostringstream usage;
    usage << options;
    ParseOutcome outcome;
    outcome.usage = usage.str();
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        outcome.error = e.what();
        return outcome;
    }
    if (vm.count("help")) {
        outcome.command = HelpRequest{outcome.usage};
        return outcome;
    }
    const bool pem = !command.cert_file.empty() || !command.key_file.empty();
    if (command.pkcs12_file.empty() == !pem) {
        outcome.error = "give either --pkcs12 or --cert with --key";
        return outcome;
    }
    if (pem && (command.cert_file.empty() || command.key_file.empty())) {
        outcome.error = command.cert_file.empty() ? "--key needs --cert" : "--cert needs --key";
        return outcome;
    }
    if (!command.pkcs12_file.empty() && !command.chain_file.empty()) {
        outcome.error = "--chain goes with --cert; a PKCS#12 file carries its own chain";
        return outcome;
    }
    for (const auto& [option, path] :
         std::vector<std::pair<std::string, std::string>>{{"pkcs12", command.pkcs12_file},
                                                          {"cert", command.cert_file},
                                                          {"key", command.key_file},
                                                          {"chain", command.chain_file},
                                                          {"passphrase-file", command.passphrase_file},
                                                          {"in", command.input}}) {
        if (auto problem = check_readable(option, path); !problem.empty()) {
            outcome.error = problem;
            return outcome;
        }
    }
    for (const auto& [option, path] : std::vector<std::pair<std::string, std::string>>{
             {"key", command.key_file}, {"pkcs12", command.pkcs12_file}, {"passphrase-file", command.passphrase_file}}) {
        if (auto problem = check_private(option, path); !problem.empty()) {
            outcome.error = problem;
            return outcome;
        }
    }
    if (!command.temp_dir.empty()) {
        struct stat st {};
        if (::stat(command.temp_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            outcome.error = "--temp-dir: " + command.temp_dir + " is not a directory";
            return outcome;
        }
    }
    outcome.command = command;
    return outcome;
}

} // namespace

std::string top_level_help() { return k_top_help; }

ParseOutcome parse_command_line(int argc, const char* const argv[]) {
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    ParseOutcome outcome;
    if (args.empty()) {
        outcome.error = "no command given";
        outcome.usage = k_top_help;
        return outcome;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        outcome.command = HelpRequest{k_top_help};
        return outcome;
    }
    if (args.size() >= 2 && args[0] == "msg" && args[1] == "sign")
        return parse_msg_sign(std::vector<std::string>(args.begin() + 2, args.end()));
    outcome.error = "unknown command \"" + args[0] + (args.size() > 1 ? " " + args[1] : std::string()) + "\"";
    outcome.usage = k_top_help;
    return outcome;
}

} // namespace segel::config
