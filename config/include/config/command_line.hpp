// Parses the operator tool's command line (`segel COMMAND SUBCOMMAND
// [OPTIONS]`) into typed, validated commands. Boost.Program_options stays
// behind this header. Pure: no I/O beyond checking that named files exist and
// are readable. Errors name the option and the problem.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/tool_settings.hpp"

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

// `segel msg verify`: verify one message file against trust anchors.
struct MsgVerifyCommand {
    std::string input = "-";
    std::string trust_file;  // PEM trust anchors (roots)
    std::string authserv_id = "tangerangkota.go.id";
    std::string language = "id";
    long clock_skew_minutes = 5; // signingTime tolerance (CH-10)
    std::vector<std::string> crl_files;
    bool require_crl = false;     // an issuer without a CRL: temperror
    std::string at;               // validation time as given; empty: now
    std::string eku_policy = "any-eku";
    bool json = false;
};

struct HelpRequest {
    std::string text;
};

// Commands that work on the certificate directory carry the settings.
struct DirectoryInit {
    ToolSettings settings;
};
struct DirectoryImport {
    ToolSettings settings;
    std::vector<std::string> paths;  // PKCS#12 or PEM files, or folders of PKCS#12 files
    std::string key_file;            // with a PEM certificate
    std::string chain_file;          // with a PEM certificate
    std::string passphrase_file;     // for PKCS#12 files and encrypted keys
    std::string kind = "individual";
    std::string owner, name, nip, unit, login;
    bool certificate_only = false;
};
struct DirectoryList {
    ToolSettings settings;
    std::string text;                // search text; empty lists everything
    std::string status;              // active, superseded, revoked, expired; empty: all
    bool json = false;
};
struct DirectoryShow {
    ToolSettings settings;
    std::string reference;
    bool json = false;
};
struct DirectoryAuthorise {
    ToolSettings settings;
    std::string reference;
    std::string login;
    bool remove = false;             // unauthorise
};
struct DirectoryRevoke {
    ToolSettings settings;
    std::string reference;
    std::string reason;
    std::string effective;           // empty: now
};
struct DirectoryExpiring {
    ToolSettings settings;
    int days = 30;
    bool json = false;
};
struct DirectoryRotateKey {
    ToolSettings settings;
    std::string new_key_file;
};
struct DirectoryMigrate {
    ToolSettings settings;
    std::string from; // empty: the settings' directory
    std::string to;
};
struct SyncRa {
    ToolSettings settings;
    std::string file;
    bool dry_run = false;
};
struct SyncCrl {
    ToolSettings settings;
    std::string file;
    bool dry_run = false;
};
struct AuditVerify {
    ToolSettings settings;
    bool json = false;
};
struct AuditList {
    ToolSettings settings;
    bool json = false;
};
struct ReportCommand {
    ToolSettings settings;
    int days = 30;
    std::string format = "table";    // table, csv, json
};
struct RemindCommand {
    ToolSettings settings;
    bool dry_run = false;
};
// `segel account add|password|remove|list`: the web page's accounts.
struct AccountCommand {
    ToolSettings settings;
    std::string action;              // add, password, remove, list
    std::string login;
    std::vector<std::string> roles;  // add: ra_operator, auditor, administrator
    std::string password_file;       // empty: asked on the terminal, twice
};
struct ConfigShow {
    ToolSettings settings;
};
struct CorrespondentImportCommand {
    ToolSettings settings;
    std::vector<std::string> paths;  // certificate files or folders
    std::string domain;              // set: domain certificates for this domain
    std::string passphrase_file;     // for PKCS#12 files
};
struct CorrespondentListCommand {
    ToolSettings settings;
    std::string text;                // search text; empty lists all
    bool json = false;
};
struct CorrespondentRemoveCommand {
    ToolSettings settings;
    std::string reference;           // fingerprint (8+ hex digits) or serial
};
// `segel correspondent approve REF`: a harvested certificate waiting for review may be used.
struct CorrespondentApproveCommand {
    ToolSettings settings;
    std::string reference;
};

// `segel msg encrypt`: sign, then encrypt for the given recipients with the
// directory's policy and certificates (issue 12 item 10).
struct MsgEncryptCommand {
    ToolSettings settings;
    MsgSignCommand sign;                 // the signer, input, output, temp dir
    std::vector<std::string> recipients;
    std::string trust_file;              // PEM anchors (and intermediates) recipients' certificates chain to
    std::vector<std::string> crl_files;
    bool require_crl = false;            // a certificate whose issuer has no CRL here: not usable now
    bool required = false;               // as the subject trigger: every recipient needs a usable certificate
};

// `segel msg decrypt`: open an encrypted message with the rules segel-milter
// uses (issue 13), the key from a file or from the directory (--for).
struct MsgDecryptCommand {
    ToolSettings settings;
    MsgSignCommand key;                  // --pkcs12, or --cert with --key; input, output, temp dir
    std::string for_address;             // else: the directory's keys of this local user
    std::string trust_file;              // PEM anchors the inner signature is verified against
    std::string unprotected = "keep_encrypted"; // or "mark" (DEC-02)
    std::string authserv_id = "tangerangkota.go.id";
    std::string language = "id";
};

// `segel policy set|unset|list|show`: the encryption policy (issue 12).
struct PolicySetCommand {
    ToolSettings settings;
    std::string scope;                            // "*", domain, "*.domain" or address
    std::string mode, cipher, key_transport;      // as typed; empty: unchanged
};
struct PolicyUnsetCommand {
    ToolSettings settings;
    std::string scope;
};
struct PolicyListCommand {
    ToolSettings settings;
    bool json = false;
};
struct PolicyShowCommand {
    ToolSettings settings;
    std::string address;
    std::string trust_file;                       // optional: check the path to these anchors too
    bool json = false;
};

using Command = std::variant<HelpRequest, MsgSignCommand, MsgVerifyCommand, DirectoryInit, DirectoryImport, DirectoryList, DirectoryShow,
                             DirectoryAuthorise, DirectoryRevoke, DirectoryExpiring, DirectoryRotateKey, DirectoryMigrate, SyncRa,
                             SyncCrl, AuditVerify, AuditList, ReportCommand, RemindCommand, ConfigShow,
                             CorrespondentImportCommand, CorrespondentListCommand, CorrespondentRemoveCommand, CorrespondentApproveCommand,
                             PolicySetCommand, PolicyUnsetCommand, PolicyListCommand, PolicyShowCommand,
                             MsgEncryptCommand, MsgDecryptCommand, AccountCommand>;

struct ParseOutcome {
    std::optional<Command> command; // set on success
    std::string error;              // set on failure: one line, names the problem
    std::string usage;              // help text of the command that failed
    bool unsafe_credentials = false; // the error is a key, PKCS#12 or passphrase file others may read (exit 77)
    std::vector<std::string> config_problems; // every settings problem (exit 78), when there are any
};

ParseOutcome parse_command_line(int argc, const char* const argv[]);

// segel-admin's command line: the settings file (its [directory] and [web]
// sections), the directory overrides segel takes, and --listen.
struct AdminOutcome {
    std::optional<ToolSettings> settings; // set when the server should start
    bool help = false;                    // --help: print usage and exit 0
    std::string error;                    // one line
    std::string usage;
    std::vector<std::string> config_problems;
};
AdminOutcome parse_admin_command_line(int argc, const char* const argv[]);

// A key, PKCS#12 or passphrase file that every user may read: the problem in
// words ("PATH is readable by every user; chmod o-r it"), else empty.
std::string secret_file_problem(const std::string& path);

// The help of the top-level tool.
std::string top_level_help();

} // namespace segel::config
