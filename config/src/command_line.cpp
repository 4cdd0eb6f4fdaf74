#include "config/command_line.hpp"

#include <sstream>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include "config_file.hpp"
#include "eku_policy_names.hpp"
#include "tool_settings_parser.hpp"

namespace po = boost::program_options;

namespace segel::config {

std::string secret_file_problem(const std::string& path) {
    struct stat st {};
    if (!path.empty() && ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0)
        return path + " is readable by every user; chmod o-r it";
    return {};
}

namespace {

constexpr const char* k_top_help = R"(usage: segel COMMAND [SUBCOMMAND] [OPTIONS]

Segel's operator tool.

Messages:
  msg sign                sign one RFC 5322 message file with S/MIME (RFC 8551)
  msg verify              verify a signed message file: verdict, signer, reason
  msg encrypt             sign, then encrypt for --to recipients with the directory's policy
  msg decrypt             open an encrypted message (key file or --for a local user), verify inside
Certificate directory:
  directory init          create the database and the master key
  directory import        import PKCS#12 or PEM certificates (files or folders)
  directory list          list certificates (--status, --json)
  directory search TEXT   find certificates by address, name, NIP, unit, serial
  directory show REF      one certificate by fingerprint or serial
  directory authorise REF LOGIN    let an SMTP login sign with a certificate
  directory unauthorise REF LOGIN  take that back
  directory revoke REF --reason R  record an RA revocation
  directory expiring --days N      active certificates expiring within N days
  directory rotate-key --new-key FILE  re-seal every private key under a new master key
  directory migrate --to URL       copy the whole directory into an empty one (SQLite to PostgreSQL)
Correspondents (certificates to encrypt to, outside the internal domains):
  correspondent import FILE|FOLDER...  PEM, DER, .p7c or PKCS#12 (--for-domain D: domain certificates)
  correspondent list [TEXT]        list them (--json)
  correspondent remove REF         forget one, by fingerprint or serial
  correspondent approve REF        let a harvested certificate waiting for review be used
Encryption policy (who outbound mail is encrypted to):
  policy set SCOPE --mode M        never, opportunistic or required for *, a domain, *.domain or an address
  policy unset SCOPE               remove a scope's rule (it inherits again)
  policy list                      the rules (--json)
  policy show ADDRESS              what applies to an address, and its certificates (--trust, --json)
RA and CA:
  sync ra FILE            apply an RA status export (CSV); --dry-run shows the changes
  sync crl FILE           apply a CA's CRL after checking its signature and freshness
Evidence and supervision:
  audit verify            check the audit log's hash chain
  audit list              print the audit log
  report                  per government unit: people, certificates, gaps (--days, --format)
  remind                  send expiry reminders due now (--dry-run)
  config show             print the effective settings; config example prints a file
Web page accounts (segel-admin):
  account add LOGIN --role R       create one (ra_operator, auditor, administrator)
  account password LOGIN           set a new password
  account remove LOGIN             delete one
  account list                     the accounts and their roles

Run "segel COMMAND SUBCOMMAND --help" for the options of a command.
Settings come from /etc/segel/segel.conf (or --config FILE); --database,
--master-key and --domain override it.
Exit codes follow sysexits(3): 0 done, 64 usage, 65 input refused, 66 input
missing, 69 unavailable (database locked or missing), 70 internal error,
73 cannot create output, 74 I/O error, 77 credentials or master key problem,
78 configuration error.
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

bool parse_certificate_kind_name(const std::string& kind) {
    return kind == "individual" || kind == "position" || kind == "system";
}

// "PATH cannot be read" for the first of paths this process cannot read.
std::string first_unreadable(const std::vector<std::string>& paths) {
    for (const auto& path : paths)
        if (::access(path.c_str(), R_OK) != 0)
            return path + " cannot be read";
    return {};
}

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
    const std::string problem = secret_file_problem(path);
    return problem.empty() ? problem : "--" + option + ": " + problem;
}

// Parses args into vm and sets outcome.usage. False when the outcome is
// already decided: a syntax error, or --help.
bool parse_arguments(const po::options_description& options, const po::positional_options_description& positional,
                     const std::vector<std::string>& args, po::variables_map& vm, ParseOutcome& outcome) {
    std::ostringstream usage;
    usage << options;
    outcome.usage = usage.str();
    try {
        po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
        po::notify(vm);
    } catch (po::error& e) {
        outcome.error = option_error_text(e);
        return false;
    }
    if (vm.count("help")) {
        outcome.command = HelpRequest{outcome.usage};
        return false;
    }
    return true;
}

// parse_arguments for the msg commands, whose one positional argument is the
// message file (--in).
bool parse_message_arguments(const po::options_description& options, const std::vector<std::string>& args,
                             ParseOutcome& outcome) {
    po::positional_options_description positional;
    positional.add("in", 1);
    po::variables_map vm;
    return parse_arguments(options, positional, args, vm, outcome);
}

void add_sign_options(po::options_description& options, MsgSignCommand& command) {
    options.add_options()
        ("pkcs12", po::value(&command.pkcs12_file)->value_name("FILE"),
         "PKCS#12 file with the certificate, its key and the issuing chain")
        ("cert", po::value(&command.cert_file)->value_name("FILE"),
         "PEM certificate of the signer (issuing certificates may follow it)")
        ("key", po::value(&command.key_file)->value_name("FILE"), "PEM private key of the signer")
        ("chain", po::value(&command.chain_file)->value_name("FILE"),
         "PEM file with the issuing CA certificates (roots are left out of the signature)")
        ("passphrase-file", po::value(&command.passphrase_file)->value_name("FILE"),
         "file whose first line is the passphrase of the PKCS#12 file or key")
        ("out,o", po::value(&command.output)->value_name("FILE"), "write the result here (default: stdout)")
        ("temp-dir", po::value(&command.temp_dir)->value_name("DIR"),
         "directory for temporary files (default: $TMPDIR or /tmp)")
        ("in", po::value(&command.input)->value_name("FILE"), "message (default: stdin)");
}

// The signer's options: one way to give the credentials, files readable and
// private. False with outcome.error set otherwise.
bool check_sign_command(const MsgSignCommand& command, ParseOutcome& outcome) {
    const bool pem = !command.cert_file.empty() || !command.key_file.empty();
    if (command.pkcs12_file.empty() == !pem)
        outcome.error = "give either --pkcs12 or --cert with --key";
    else if (pem && (command.cert_file.empty() || command.key_file.empty()))
        outcome.error = command.cert_file.empty() ? "--key needs --cert" : "--cert needs --key";
    else if (!command.pkcs12_file.empty() && !command.chain_file.empty())
        outcome.error = "--chain goes with --cert; a PKCS#12 file carries its own chain";
    if (!outcome.error.empty())
        return false;
    for (const auto& [option, path] :
         std::vector<std::pair<std::string, std::string>>{{"pkcs12", command.pkcs12_file},
                                                          {"cert", command.cert_file},
                                                          {"key", command.key_file},
                                                          {"chain", command.chain_file},
                                                          {"passphrase-file", command.passphrase_file},
                                                          {"in", command.input}})
        if (auto problem = check_readable(option, path); !problem.empty()) {
            outcome.error = problem;
            return false;
        }
    for (const auto& [option, path] : std::vector<std::pair<std::string, std::string>>{
             {"key", command.key_file}, {"pkcs12", command.pkcs12_file}, {"passphrase-file", command.passphrase_file}})
        if (auto problem = check_private(option, path); !problem.empty()) {
            outcome.error = problem;
            outcome.unsafe_credentials = true;
            return false;
        }
    struct stat st {};
    if (!command.temp_dir.empty() && (::stat(command.temp_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) {
        outcome.error = "--temp-dir: " + command.temp_dir + " is not a directory";
        return false;
    }
    return true;
}

ParseOutcome parse_msg_sign(const std::vector<std::string>& args) {
    MsgSignCommand command;
    po::options_description options(k_sign_intro);
    options.add_options()("help,h", "show this help");
    add_sign_options(options, command);
    ParseOutcome outcome;
    if (!parse_message_arguments(options, args, outcome) || !check_sign_command(command, outcome))
        return outcome;
    outcome.command = command;
    return outcome;
}


// Options every directory command shares.
void add_settings_options(po::options_description& options, SettingsOverrides& overrides) {
    options.add_options()
        ("config", po::value(&overrides.config_file)->value_name("FILE"),
         "settings file (default /etc/segel/segel.conf when it exists)")
        ("database", po::value(&overrides.database)->value_name("FILE"), "directory database")
        ("master-key", po::value(&overrides.master_key_file)->value_name("FILE"), "master key file")
        ("domain", po::value(&overrides.domains)->value_name("DOMAIN")->composing(),
         "internal mail domain (repeatable)");
}

// One subcommand: its intro, its own options and positional names.
struct Grammar {
    std::string intro;
    po::options_description options;
    po::positional_options_description positional;
    SettingsOverrides overrides;

    explicit Grammar(std::string text) : intro(std::move(text)), options(intro) {
        options.add_options()("help,h", "show this help");
        add_settings_options(options, overrides);
    }
};

// Parses args with the grammar; on success returns the loaded settings.
std::optional<ToolSettings> run_grammar(Grammar& grammar, const std::vector<std::string>& args, ParseOutcome& outcome,
                                        po::variables_map& vm) {
    if (!parse_arguments(grammar.options, grammar.positional, args, vm, outcome))
        return std::nullopt;
    auto loaded = load_tool_settings(grammar.overrides);
    if (!loaded.problems.empty()) {
        outcome.config_problems = loaded.problems;
        outcome.error = loaded.problems.front();
        return std::nullopt;
    }
    return loaded.settings;
}

std::string require_positional(const po::variables_map& vm, const char* name, ParseOutcome& outcome) {
    if (!vm.count(name) && outcome.error.empty())
        outcome.error = std::string("missing ") + name;
    return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

template <class T>
ParseOutcome finish(ParseOutcome outcome, T command) {
    if (outcome.error.empty() && !outcome.command)
        outcome.command = std::move(command);
    return outcome;
}

ParseOutcome parse_correspondent(const std::string& name, const std::vector<std::string>& args) {
    ParseOutcome outcome;
    po::variables_map vm;
    if (name == "correspondent import") {
        CorrespondentImportCommand c;
        Grammar g("usage: segel correspondent import [--for-domain DOMAIN] [--passphrase-file FILE] FILE|FOLDER...\n\n"
                  "Stores correspondents' certificates to encrypt to: PEM, DER, PKCS#7 certs-only (.p7c) or PKCS#12 "
                  "(its key is never read), one file or every file of a folder. CA certificates in a bundle are left "
                  "out. With --for-domain each certificate stands for every address of DOMAIN that has no usable "
                  "certificate of its own.\n\nOptions");
        g.options.add_options()
            ("for-domain", po::value(&c.domain)->value_name("DOMAIN"), "import as domain certificates for DOMAIN")
            ("passphrase-file", po::value(&c.passphrase_file)->value_name("FILE"), "passphrase of PKCS#12 files")
            ("path", po::value(&c.paths)->value_name("FILE"), "file or folder to import");
        g.positional.add("path", -1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        if (c.paths.empty())
            outcome.error = "give at least one file or folder to import";
        else if (!c.passphrase_file.empty())
            outcome.error = check_readable("passphrase-file", c.passphrase_file);
        if (outcome.error.empty())
            outcome.error = first_unreadable(c.paths);
        return finish(outcome, c);
    }
    if (name == "correspondent list") {
        CorrespondentListCommand c;
        Grammar g("usage: segel correspondent list [TEXT] [--json]\n\nOptions");
        g.options.add_options()("json", po::bool_switch(&c.json), "JSON instead of a table")(
            "text", po::value(&c.text)->value_name("TEXT"), "part of an address, domain, subject, serial or fingerprint");
        g.positional.add("text", 1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        return finish(outcome, c);
    }
    const bool approve = name == "correspondent approve";
    std::string reference;
    Grammar g(approve ? "usage: segel correspondent approve REF\n\nLets a certificate learned from a verified "
                        "signature, whose chain ends at an anchor marked for review ([harvest] review_anchors), be "
                        "used to encrypt to. REF is a fingerprint (or 8+ hex digits of it) or a serial.\n\nOptions"
                      : "usage: segel correspondent remove REF\n\nREF is a fingerprint (or 8+ hex digits of it) or a "
                        "serial.\n\nOptions");
    g.options.add_options()("reference", po::value(&reference)->value_name("REF"), "certificate");
    g.positional.add("reference", 1);
    auto settings = run_grammar(g, args, outcome, vm);
    if (!settings)
        return outcome;
    require_positional(vm, "reference", outcome);
    if (approve)
        return finish(outcome, CorrespondentApproveCommand{*settings, reference});
    return finish(outcome, CorrespondentRemoveCommand{*settings, reference});
}

ParseOutcome parse_policy(const std::string& name, const std::vector<std::string>& args) {
    ParseOutcome outcome;
    po::variables_map vm;
    if (name == "policy set") {
        PolicySetCommand c;
        Grammar g("usage: segel policy set SCOPE [--mode MODE] [--cipher CIPHER] [--key-transport KT]\n\n"
                  "Sets the encryption policy of SCOPE: * (global), a domain, *.domain (its subdomains) or one "
                  "address. Fields not given keep their value; a field never set is inherited from the next wider "
                  "scope (address, domain, *.domain, *), then the default (never, auto, auto).\n\nOptions");
        g.options.add_options()
            ("mode", po::value(&c.mode)->value_name("MODE"), "never | opportunistic | required")
            ("cipher", po::value(&c.cipher)->value_name("CIPHER"), "auto | aes256-cbc | aes256-gcm")
            ("key-transport", po::value(&c.key_transport)->value_name("KT"), "auto | rsa-pkcs1 | rsa-oaep")
            ("scope", po::value(&c.scope)->value_name("SCOPE"), "*, domain, *.domain or address");
        g.positional.add("scope", 1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        require_positional(vm, "scope", outcome);
        if (outcome.error.empty() && c.mode.empty() && c.cipher.empty() && c.key_transport.empty())
            outcome.error = "give --mode, --cipher or --key-transport";
        return finish(outcome, c);
    }
    if (name == "policy unset") {
        PolicyUnsetCommand c;
        Grammar g("usage: segel policy unset SCOPE\n\nRemoves the rule of SCOPE; it inherits again.\n\nOptions");
        g.options.add_options()("scope", po::value(&c.scope)->value_name("SCOPE"), "*, domain, *.domain or address");
        g.positional.add("scope", 1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        require_positional(vm, "scope", outcome);
        return finish(outcome, c);
    }
    if (name == "policy list") {
        PolicyListCommand c;
        Grammar g("usage: segel policy list [--json]\n\nOptions");
        g.options.add_options()("json", po::bool_switch(&c.json), "JSON instead of a table");
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        return finish(outcome, c);
    }
    PolicyShowCommand c;
    Grammar g("usage: segel policy show ADDRESS [--trust FILE] [--json]\n\nShows the policy in force for ADDRESS, "
              "the scope each part comes from, and every certificate the directory holds for it with whether it may "
              "be used now. With --trust the path to those anchors is checked too (the daemon also asks its "
              "revocation sources at every send).\n\nOptions");
    g.options.add_options()
        ("trust", po::value(&c.trust_file)->value_name("FILE"), "PEM trust anchors (and intermediates)")
        ("json", po::bool_switch(&c.json), "JSON instead of text")
        ("address", po::value(&c.address)->value_name("ADDRESS"), "recipient address");
    g.positional.add("address", 1);
    auto settings = run_grammar(g, args, outcome, vm);
    if (!settings)
        return outcome;
    c.settings = *settings;
    require_positional(vm, "address", outcome);
    if (outcome.error.empty() && !c.trust_file.empty())
        outcome.error = check_readable("trust", c.trust_file);
    return finish(outcome, c);
}

ParseOutcome parse_msg_encrypt(const std::vector<std::string>& args) {
    ParseOutcome outcome;
    po::variables_map vm;
    MsgEncryptCommand c;
    Grammar g("usage: segel msg encrypt --to ADDRESS... --trust FILE (--pkcs12 FILE | --cert FILE --key FILE) "
              "[OPTIONS] [FILE]\n\nSigns a message, then encrypts it (RFC 8551 3.7) for the recipients with the "
              "directory's policy and certificates, as segel-milter's encryption hop does: each certificate must "
              "chain to --trust, not be revoked (RA status, --crl), be valid and fit for encryption. When every "
              "recipient has a usable certificate the result is encrypted to all of them; a recipient whose policy "
              "is required (or all, with --required) and has none is refused with the reason; otherwise "
              "(opportunistic, never) the message is written signed only.\n\nOptions");
    add_sign_options(g.options, c.sign);
    g.options.add_options()
        ("to", po::value(&c.recipients)->value_name("ADDRESS")->composing(), "recipient (repeatable)")
        ("trust", po::value(&c.trust_file)->value_name("FILE"), "PEM trust anchors (and intermediates)")
        ("crl", po::value(&c.crl_files)->value_name("FILE")->composing(), "CRL file (PEM or DER; repeatable)")
        ("require-crl", po::bool_switch(&c.require_crl), "a certificate whose issuer has no CRL given is not usable")
        ("required", po::bool_switch(&c.required), "every recipient must receive it encrypted (as [rahasia])");
    g.positional.add("in", 1);
    auto settings = run_grammar(g, args, outcome, vm);
    if (!settings)
        return outcome;
    c.settings = *settings;
    if (c.recipients.empty())
        outcome.error = "give at least one --to";
    else if (c.trust_file.empty())
        outcome.error = "--trust is needed: recipients' certificates must chain to a trust anchor";
    else
        outcome.error = check_readable("trust", c.trust_file);
    if (outcome.error.empty())
        outcome.error = first_unreadable(c.crl_files);
    if (outcome.error.empty() && !check_sign_command(c.sign, outcome))
        return outcome;
    return finish(outcome, c);
}

// The key of `segel msg decrypt`: a file (as the signer's options) or --for.
bool check_decrypt_key(const MsgDecryptCommand& c, ParseOutcome& outcome) {
    const bool from_file = !c.key.pkcs12_file.empty() || !c.key.cert_file.empty() || !c.key.key_file.empty();
    if (from_file == !c.for_address.empty()) {
        outcome.error = "give the key either as a file (--pkcs12, or --cert with --key) or --for ADDRESS";
        return false;
    }
    if (from_file)
        return check_sign_command(c.key, outcome);
    outcome.error = check_readable("in", c.key.input);
    return outcome.error.empty();
}

ParseOutcome parse_msg_decrypt(const std::vector<std::string>& args) {
    ParseOutcome outcome;
    po::variables_map vm;
    MsgDecryptCommand c;
    Grammar g("usage: segel msg decrypt --trust FILE (--pkcs12 FILE | --cert FILE --key FILE | --for ADDRESS) "
              "[OPTIONS] [FILE]\n\nOpens an encrypted message with segel-milter's rules: only the cryptographic "
              "envelope (the root, or directly inside signature layers), never an encrypted part inside a "
              "container; CBC content is released only when it is signed and its signature passes against --trust "
              "(--unprotected mark releases it marked); every failure reads the same. The key comes from a file, "
              "or from the directory (--for: every key of that local user, old ones too; each use audited). "
              "Writes the decrypted message; the verdict and the fields the gateway would stamp go to standard "
              "error.\n\nOptions");
    add_sign_options(g.options, c.key);
    g.options.add_options()
        ("for", po::value(&c.for_address)->value_name("ADDRESS"), "use the directory's keys of this local user")
        ("trust", po::value(&c.trust_file)->value_name("FILE"), "PEM trust anchors for the inner signature")
        ("unprotected", po::value(&c.unprotected)->value_name("HOW"),
         "CBC content without a passing signature: keep_encrypted (default) or mark")
        ("authserv-id", po::value(&c.authserv_id)->value_name("ID"), "authserv-id of the fields shown")
        ("language", po::value(&c.language)->value_name("LANG"), "id (default) or en for the plain field");
    g.positional.add("in", 1);
    auto settings = run_grammar(g, args, outcome, vm);
    if (!settings)
        return outcome;
    c.settings = *settings;
    if (c.trust_file.empty())
        outcome.error = "--trust is needed: the signature inside is verified against it";
    else if (c.unprotected != "keep_encrypted" && c.unprotected != "mark")
        outcome.error = "--unprotected: \"" + c.unprotected + "\" is neither keep_encrypted nor mark";
    else if (c.language != "id" && c.language != "en")
        outcome.error = "--language: \"" + c.language + "\" is neither id nor en";
    else
        outcome.error = check_readable("trust", c.trust_file);
    if (outcome.error.empty() && !check_decrypt_key(c, outcome))
        return outcome;
    return finish(outcome, c);
}

ParseOutcome parse_account(const std::string& verb, const std::vector<std::string>& args) {
    ParseOutcome outcome;
    po::variables_map vm;
    AccountCommand c;
    c.action = verb;
    const bool takes_login = verb != "list", takes_password = verb == "add" || verb == "password";
    Grammar g("usage: segel account " + verb + (takes_login ? " LOGIN" : "") +
              (verb == "add" ? " --role ROLE [--role ROLE]" : "") + (takes_password ? " [--password-file FILE]" : "") +
              "\n\nAccounts of the web page (segel-admin), in web.accounts. Roles: ra_operator (certificates, RA "
              "cases and syncs), auditor (reads everything, verifies the audit log), administrator. A password "
              "has at least 12 characters; without --password-file it is asked twice on the terminal.\n\nOptions");
    if (takes_login)
        g.options.add_options()("login", po::value(&c.login)->value_name("LOGIN"), "the account");
    if (verb == "add")
        g.options.add_options()("role", po::value(&c.roles)->value_name("ROLE"), "a role (repeat for more)");
    if (takes_password)
        g.options.add_options()("password-file", po::value(&c.password_file)->value_name("FILE"),
                                "the password, on the file's first line (mode 0600)");
    if (takes_login)
        g.positional.add("login", 1);
    auto settings = run_grammar(g, args, outcome, vm);
    if (!settings)
        return outcome;
    c.settings = *settings;
    if (takes_login)
        require_positional(vm, "login", outcome);
    if (outcome.error.empty() && verb == "add" && c.roles.empty())
        outcome.error = "--role is required (ra_operator, auditor or administrator)";
    if (outcome.error.empty() && !c.password_file.empty())
        outcome.error = check_readable("password-file", c.password_file);
    if (outcome.error.empty() && !c.password_file.empty()) {
        outcome.error = check_private("password-file", c.password_file);
        outcome.unsafe_credentials = !outcome.error.empty();
    }
    return finish(outcome, c);
}

ParseOutcome parse_directory_or_other(const std::string& group, const std::string& verb,
                                      const std::vector<std::string>& args) {
    ParseOutcome outcome;
    po::variables_map vm;
    const std::string name = group + (verb.empty() ? "" : " " + verb);
    if (name == "correspondent import" || name == "correspondent list" || name == "correspondent remove" ||
        name == "correspondent approve")
        return parse_correspondent(name, args);
    if (name == "policy set" || name == "policy unset" || name == "policy list" || name == "policy show")
        return parse_policy(name, args);
    if (name == "account add" || name == "account password" || name == "account remove" || name == "account list")
        return parse_account(verb, args);
    if (name == "msg encrypt")
        return parse_msg_encrypt(args);
    if (name == "msg decrypt")
        return parse_msg_decrypt(args);

    if (name == "directory init") {
        Grammar g("usage: segel directory init [OPTIONS]\n\nCreates the directory database (0640) and, if missing, "
                  "the master key file (0600).\n\nOptions");
        auto settings = run_grammar(g, args, outcome, vm);
        return settings ? finish(outcome, DirectoryInit{*settings}) : outcome;
    }
    if (name == "directory import") {
        DirectoryImport c;
        Grammar g("usage: segel directory import [OPTIONS] FILE|FOLDER...\n\nImports certificates with their "
                  "private keys: PKCS#12 files (.p12, .pfx), PEM certificates (with --key), or every PKCS#12 file in a "
                  "folder (bulk, one passphrase file). The owner is the certificate's first address unless --owner "
                  "says otherwise. Only addresses in the internal domains are accepted.\n\nOptions");
        g.options.add_options()
            ("passphrase-file", po::value(&c.passphrase_file)->value_name("FILE"), "passphrase of the PKCS#12 files or key")
            ("key", po::value(&c.key_file)->value_name("FILE"), "PEM private key for a PEM certificate")
            ("chain", po::value(&c.chain_file)->value_name("FILE"), "PEM issuing CA certificates for a PEM certificate")
            ("kind", po::value(&c.kind)->value_name("KIND"), "individual (default), position or system (Cianjur art. 7)")
            ("owner", po::value(&c.owner)->value_name("EMAIL"), "the person the certificate belongs to")
            ("name", po::value(&c.name)->value_name("NAME"), "owner's name")
            ("nip", po::value(&c.nip)->value_name("NIP"), "owner's NIP")
            ("unit", po::value(&c.unit)->value_name("UNIT"), "owner's government unit")
            ("login", po::value(&c.login)->value_name("LOGIN"), "owner's SMTP login, if not the address")
            ("certificate-only", po::bool_switch(&c.certificate_only), "store the certificate without its key")
            ("path", po::value(&c.paths)->value_name("FILE"), "file or folder to import");
        g.positional.add("path", -1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        if (c.paths.empty())
            outcome.error = "give at least one file or folder to import";
        else if (!parse_certificate_kind_name(c.kind))
            outcome.error = "--kind: \"" + c.kind + "\" is not individual, position or system";
        else if (!c.passphrase_file.empty())
            outcome.error = check_readable("passphrase-file", c.passphrase_file);
        if (outcome.error.empty() && !c.key_file.empty())
            outcome.error = check_readable("key", c.key_file);
        for (const auto& [option, path] : std::vector<std::pair<std::string, std::string>>{
                 {"passphrase-file", c.passphrase_file}, {"key", c.key_file}}) {
            if (outcome.error.empty()) {
                outcome.error = check_private(option, path);
                outcome.unsafe_credentials = !outcome.error.empty();
            }
        }
        if (outcome.error.empty())
            outcome.error = first_unreadable(c.paths);
        return finish(outcome, c);
    }
    if (name == "directory list" || name == "directory search") {
        DirectoryList c;
        Grammar g(name == "directory list" ? "usage: segel directory list [--status STATUS] [--json]\n\nOptions"
                                           : "usage: segel directory search TEXT [--status STATUS] [--json]\n\nOptions");
        g.options.add_options()
            ("status", po::value(&c.status)->value_name("STATUS"), "only active, superseded, revoked or expired ones")
            ("json", po::bool_switch(&c.json), "JSON instead of a table")
            ("text", po::value(&c.text)->value_name("TEXT"), "search text");
        if (name == "directory search")
            g.positional.add("text", 1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        if (name == "directory search")
            require_positional(vm, "text", outcome);
        if (!c.status.empty() && c.status != "active" && c.status != "superseded" && c.status != "revoked" &&
            c.status != "expired")
            outcome.error = "--status: \"" + c.status + "\" is not active, superseded, revoked or expired";
        return finish(outcome, c);
    }
    if (name == "directory show") {
        DirectoryShow c;
        Grammar g("usage: segel directory show REF [--json]\n\nREF is a fingerprint (or 8+ hex digits of it) or a "
                  "serial.\n\nOptions");
        g.options.add_options()("json", po::bool_switch(&c.json), "JSON instead of text")(
            "reference", po::value(&c.reference)->value_name("REF"), "certificate");
        g.positional.add("reference", 1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        require_positional(vm, "reference", outcome);
        return finish(outcome, c);
    }
    if (name == "directory authorise" || name == "directory unauthorise") {
        DirectoryAuthorise c;
        c.remove = name == "directory unauthorise";
        Grammar g("usage: segel " + name + " REF LOGIN\n\nOptions");
        g.options.add_options()("reference", po::value(&c.reference), "certificate")("login", po::value(&c.login),
                                                                                        "SMTP login");
        g.positional.add("reference", 1).add("login", 1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        require_positional(vm, "reference", outcome);
        require_positional(vm, "login", outcome);
        return finish(outcome, c);
    }
    if (name == "directory revoke") {
        DirectoryRevoke c;
        Grammar g("usage: segel directory revoke REF --reason REASON [--effective DATE]\n\nREASON: transfer, "
                  "rotation, retirement, data_change, key_compromise, sanction, hold, unspecified (or mutasi, rotasi, "
                  "pensiun, perubahan_data, kunci_hilang, sanksi). DATE: YYYY-MM-DD (WIB) or "
                  "YYYY-MM-DDTHH:MM with a zone; default now.\n\nOptions");
        g.options.add_options()("reason", po::value(&c.reason)->value_name("REASON"), "why the RA revoked it")(
            "effective", po::value(&c.effective)->value_name("DATE"), "when it takes effect")(
            "reference", po::value(&c.reference), "certificate");
        g.positional.add("reference", 1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        require_positional(vm, "reference", outcome);
        if (outcome.error.empty() && c.reason.empty())
            outcome.error = "--reason is required";
        return finish(outcome, c);
    }
    if (name == "directory expiring") {
        DirectoryExpiring c;
        Grammar g("usage: segel directory expiring --days N [--json]\n\nOptions");
        g.options.add_options()("days", po::value(&c.days)->value_name("N"), "within this many days (default 30)")(
            "json", po::bool_switch(&c.json), "JSON instead of a table");
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        if (c.days < 0 || c.days > 3650)
            outcome.error = "--days: must be from 0 to 3650";
        return finish(outcome, c);
    }
    if (name == "directory rotate-key") {
        DirectoryRotateKey c;
        Grammar g("usage: segel directory rotate-key --new-key FILE\n\nRe-seals every private key under the master "
                  "key in FILE (create it with `segel directory init --master-key FILE` on an empty path, or any "
                  "64-hex-digit file of mode 0600), in one transaction. Then point directory.master_key at FILE and "
                  "destroy the old key.\n\nOptions");
        g.options.add_options()("new-key", po::value(&c.new_key_file)->value_name("FILE"), "the new master key");
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        if (c.new_key_file.empty())
            outcome.error = "--new-key is required";
        return finish(outcome, c);
    }
    if (name == "directory migrate") {
        DirectoryMigrate c;
        Grammar g("usage: segel directory migrate [--from URL] --to URL\n\nCopies a whole directory into an empty "
                  "one, in one transaction: certificates with their statuses and history, sealed private keys as "
                  "they are, correspondents' certificates, policy rules, reminders and the audit chain (which "
                  "verifies afterwards). A target that holds anything is refused; after a failure the target is "
                  "left empty and the command can simply be run again. URLs: sqlite:PATH or "
                  "postgresql://USER@HOST/DB?sslmode=verify-full (never a password: use peer authentication or a "
                  "password file).\n\nOptions");
        g.options.add_options()
            ("from", po::value(&c.from)->value_name("URL"), "the directory to copy (default: the settings' one)")
            ("to", po::value(&c.to)->value_name("URL"), "the empty directory to copy into (created when missing)");
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        if (c.to.empty())
            outcome.error = "--to is required";
        return finish(outcome, c);
    }
    if (name == "sync ra" || name == "sync crl") {
        const bool ra = name == "sync ra";
        std::string file;
        bool dry_run = false;
        Grammar g(ra ? "usage: segel sync ra FILE [--dry-run]\n\nApplies an RA status export, all or nothing. "
                       "The format is in README.md (columns nip, email, name, unit, kind, status, reason, "
                       "effective_date, certificate).\n\nOptions"
                     : "usage: segel sync crl FILE [--dry-run]\n\nApplies a CRL (PEM or DER) of the CA named by "
                       "crl.issuer in the settings, after checking its signature and freshness.\n\nOptions");
        g.options.add_options()("dry-run", po::bool_switch(&dry_run), "show what would change; change nothing")(
            "file", po::value(&file), "the file");
        g.positional.add("file", 1);
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        require_positional(vm, "file", outcome);
        if (outcome.error.empty())
            outcome.error = check_readable("file", file);
        if (!ra && outcome.error.empty() && settings->crl.issuer.empty())
            outcome.error = settings->source + ": crl.issuer: not set; `sync crl` needs the CA certificate to check against";
        if (!ra && outcome.error.empty() && ::access(settings->crl.issuer.c_str(), R_OK) != 0)
            outcome.error = settings->source + ": crl.issuer: " + settings->crl.issuer + " cannot be read";
        if (ra)
            return finish(outcome, SyncRa{*settings, file, dry_run});
        return finish(outcome, SyncCrl{*settings, file, dry_run});
    }
    if (name == "audit verify" || name == "audit list") {
        bool json = false;
        Grammar g("usage: segel " + name + " [--json]\n\nOptions");
        g.options.add_options()("json", po::bool_switch(&json), "JSON instead of text");
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        if (name == "audit verify")
            return finish(outcome, AuditVerify{*settings, json});
        return finish(outcome, AuditList{*settings, json});
    }
    if (name == "report") {
        ReportCommand c;
        Grammar g("usage: segel report [--days N] [--format table|csv|json]\n\nPer government unit: people, "
                  "active certificates, people without an active certificate (Tangerang art. 10), certificates "
                  "expiring within N days, revoked certificates by reason (art. 26).\n\nOptions");
        g.options.add_options()("days", po::value(&c.days)->value_name("N"), "expiry window (default 30)")(
            "format", po::value(&c.format)->value_name("FORMAT"), "table (default), csv or json");
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        if (c.format != "table" && c.format != "csv" && c.format != "json")
            outcome.error = "--format: \"" + c.format + "\" is not table, csv or json";
        else if (c.days < 0 || c.days > 3650)
            outcome.error = "--days: must be from 0 to 3650";
        return finish(outcome, c);
    }
    if (name == "remind") {
        RemindCommand c;
        Grammar g("usage: segel remind [--dry-run]\n\nSends each owner of an active certificate (and remind.admin) "
                  "one reminder per threshold in remind.days, through remind.sendmail.\n\nOptions");
        g.options.add_options()("dry-run", po::bool_switch(&c.dry_run), "list the reminders due; send nothing");
        auto settings = run_grammar(g, args, outcome, vm);
        if (!settings)
            return outcome;
        c.settings = *settings;
        return finish(outcome, c);
    }
    if (name == "config show") {
        Grammar g("usage: segel config show [OPTIONS]\n\nPrints the effective settings.\n\nOptions");
        auto settings = run_grammar(g, args, outcome, vm);
        return settings ? finish(outcome, ConfigShow{*settings}) : outcome;
    }
    if (name == "config example") {
        outcome.command = HelpRequest{example_tool_settings()};
        return outcome;
    }
    outcome.error = "unknown command \"" + name + "\"";
    outcome.usage = k_top_help;
    return outcome;
}

// check_readable for each file of a repeatable option; empty when all are.
std::string first_unreadable(const std::string& option, const std::vector<std::string>& paths) {
    for (const auto& path : paths)
        if (auto problem = check_readable(option, path); !problem.empty())
            return problem;
    return {};
}

ParseOutcome parse_msg_verify(const std::vector<std::string>& args) {
    MsgVerifyCommand command;
    po::options_description options(
        "usage: segel msg verify --trust FILE [--crl FILE ...] [--require-crl] [--at TIME] [--eku-policy NAME] "
        "[--json] [--authserv-id ID] [--language id|en] [--clock-skew-minutes N] [FILE]\n\n"
        "Verifies the S/MIME signature of the message in FILE (or standard input), trusting only the "
        "certificates in --trust, and prints the RFC 7281 result (pass, fail, policy, neutral, temperror, permerror, "
        "none), the reason, each signer and the header fields the gateway would stamp. Revocation is checked against "
        "the --crl files (segel-milter also asks the directory for the RA's word first).\n\n"
        "Options");
    options.add_options()("help,h", "show this help")(
        "trust", po::value(&command.trust_file)->value_name("FILE"), "PEM file of the trust anchors (root CAs)")(
        "crl", po::value(&command.crl_files)->value_name("FILE")->composing(),
        "CRL of an issuer (PEM or DER), repeatable; counted only when signed by the signer's issuer and fresh")(
        "require-crl", po::bool_switch(&command.require_crl),
        "an issuer without a --crl gives temperror (default: not checked)")(
        "at", po::value(&command.at)->value_name("TIME"),
        "validate as of TIME (YYYY-MM-DD[THH:MM[:SS](Z|+hh:mm)], a bare date is 00:00 WIB) instead of now")(
        "eku-policy", po::value(&command.eku_policy)->value_name("NAME"),
        "any-eku (default, RFC 8550), absent-ok or email-protection (CH-07)")(
        "json", po::bool_switch(&command.json), "JSON instead of text")(
        "authserv-id", po::value(&command.authserv_id)->value_name("ID"),
        "authserv-id of the Authentication-Results shown (default tangerangkota.go.id)")(
        "language", po::value(&command.language)->value_name("LANG"), "id (default) or en for the plain header")(
        "clock-skew-minutes", po::value(&command.clock_skew_minutes)->value_name("N"),
        "how far a signer's signingTime may lie ahead of this clock (default 5)")(
        "in", po::value(&command.input)->value_name("FILE"), "message to verify (default: stdin)");
    ParseOutcome outcome;
    if (!parse_message_arguments(options, args, outcome))
        return outcome;
    if (command.trust_file.empty())
        outcome.error = "--trust is required: the verifier trusts no certificate by default";
    else if (command.language != "id" && command.language != "en")
        outcome.error = "--language: \"" + command.language + "\" is neither id nor en";
    else if (command.clock_skew_minutes < 0 || command.clock_skew_minutes > 24 * 60)
        outcome.error = "--clock-skew-minutes: must be from 0 to 1440";
    else if (!is_eku_policy_name(command.eku_policy))
        outcome.error = "--eku-policy: \"" + command.eku_policy + "\" is none of any-eku, absent-ok, email-protection";
    else if (auto problem = check_readable("trust", command.trust_file); !problem.empty())
        outcome.error = problem;
    else if (auto bad_input = check_readable("in", command.input); !bad_input.empty())
        outcome.error = bad_input;
    else if (auto bad_crl = first_unreadable("crl", command.crl_files); !bad_crl.empty())
        outcome.error = bad_crl;
    else
        outcome.command = command;
    return outcome;
}

} // namespace

std::string top_level_help() { return k_top_help; }

AdminOutcome parse_admin_command_line(int argc, const char* const argv[]) {
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    std::string listen;
    Grammar g("usage: segel-admin [OPTIONS]\n\nServes the RA's admin web page and its JSON API over the directory "
              "of the settings file, with the accounts of web.accounts (create the first with `segel account add "
              "LOGIN --role administrator`). HTTPS when web.certificate and web.key are set; otherwise plain HTTP, "
              "for loopback or behind a reverse proxy that terminates HTTPS.\n\nOptions");
    g.options.add_options()("listen", po::value(&listen)->value_name("ADDRESS:PORT"),
                            "where to listen (default web.listen, 127.0.0.1:8443)");
    ParseOutcome parsed;
    po::variables_map vm;
    auto settings = run_grammar(g, args, parsed, vm);
    AdminOutcome outcome{std::nullopt, parsed.command.has_value(), parsed.error, parsed.usage, parsed.config_problems};
    if (!settings)
        return outcome;
    if (!listen.empty() && !set_listen(settings->web, listen)) {
        outcome.error = "--listen: \"" + listen + "\" is not ADDRESS:PORT (for example 127.0.0.1:8443)";
        return outcome;
    }
    outcome.settings = std::move(*settings);
    return outcome;
}

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
    if (args.size() >= 2 && args[0] == "msg" && args[1] == "verify")
        return parse_msg_verify(std::vector<std::string>(args.begin() + 2, args.end()));
    if (args.size() >= 2 && args[0] == "msg" && (args[1] == "encrypt" || args[1] == "decrypt"))
        return parse_directory_or_other("msg", args[1], std::vector<std::string>(args.begin() + 2, args.end()));
    // "report" and "remind" take no subcommand; the others take one.
    const bool single = args[0] == "report" || args[0] == "remind";
    const std::string verb = single || args.size() < 2 ? std::string() : args[1];
    const std::size_t skip = single ? 1 : std::min<std::size_t>(2, args.size());
    return parse_directory_or_other(args[0], verb, std::vector<std::string>(args.begin() + static_cast<long>(skip), args.end()));
}

} // namespace segel::config
