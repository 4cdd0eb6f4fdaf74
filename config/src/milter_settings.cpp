#include "config/milter_settings.hpp"

#include "config/directory_location.hpp"
#include "config_file.hpp"
#include "eku_policy_names.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace segel::config {

namespace {

constexpr const char* k_default_file = "/etc/segel/segel-milter.conf";

const char* const k_policy_keys[] = {"no_certificate", "not_authorised", "certificate_unusable", "unsignable_message",
                                     "directory_unavailable", "internal_error", "unauthenticated_internal_from"};

FailureAction* policy_slot(FailurePolicy& policy, const std::string& key) {
    if (key == "no_certificate") return &policy.no_certificate;
    if (key == "not_authorised") return &policy.not_authorised;
    if (key == "certificate_unusable") return &policy.certificate_unusable;
    if (key == "unsignable_message") return &policy.unsignable_message;
    if (key == "directory_unavailable") return &policy.directory_unavailable;
    if (key == "internal_error") return &policy.internal_error;
    if (key == "unauthenticated_internal_from") return &policy.unauthenticated_internal_from;
    return nullptr;
}

std::optional<FailureAction> parse_action(const std::string& text) {
    if (text == "tempfail") return FailureAction::tempfail;
    if (text == "reject") return FailureAction::reject;
    if (text == "pass") return FailureAction::pass;
    if (text == "quarantine") return FailureAction::quarantine;
    return std::nullopt;
}

bool valid_socket(const std::string& socket) {
    if (socket.rfind("unix:", 0) == 0 || socket.rfind("local:", 0) == 0)
        return socket.size() > socket.find(':') + 1 && socket[socket.find(':') + 1] == '/';
    if (socket.rfind("inet:", 0) == 0 || socket.rfind("inet6:", 0) == 0) {
        const std::string rest = socket.substr(socket.find(':') + 1);
        const std::string port = rest.substr(0, rest.find('@'));
        return !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), ::isdigit) &&
               std::stoi(port) > 0 && std::stoi(port) < 65536;
    }
    return false;
}

struct Overrides {
    std::string config_file, socket, user, group, temp_dir, database, master_key;
    std::vector<std::string> domains;
    bool log_to_stderr = false, check_config = false, help = false;
};

po::options_description command_line_options(Overrides& o) {
    po::options_description options("usage: segel-milter [OPTIONS]\n\nThe Segel S/MIME signing milter for Postfix. "
                                    "Signs mail submitted with SMTP AUTH by senders of the signing domains with the "
                                    "certificate the directory chooses for them. With [verify] enabled = on it also "
                                    "verifies the S/MIME signature of mail that arrives without AUTH and stamps "
                                    "Authentication-Results and a readable verdict field ([verify] settings: "
                                    "--check-config prints them all). With [encryption] enabled = on it marks signed "
                                    "mail that may be encrypted for the encryption hop, the Postfix service of "
                                    "[routing] encrypt_service, where it encrypts each recipient's copy as the "
                                    "directory's policy says. With [decryption] enabled = on it decrypts inbound "
                                    "mail encrypted to local users whose keys the directory holds (or marks it for "
                                    "the decryption hop, [routing] decrypt_service), verifies the signature inside "
                                    "and stamps both. Settings come from "
                                    "/etc/segel/segel-milter.conf (or --config); the options below override it. "
                                    "SIGHUP reloads the settings; SIGTERM finishes messages in flight and exits.\n\n"
                                    "Options");
    options.add_options()
        ("help,h", po::bool_switch(&o.help), "show this help")
        ("config,c", po::value(&o.config_file)->value_name("FILE"), "settings file")
        ("check-config", po::bool_switch(&o.check_config), "validate the settings, print the effective ones, exit")
        ("socket,p", po::value(&o.socket)->value_name("SOCKET"), "unix:/path or inet:PORT@HOST")
        ("user,u", po::value(&o.user)->value_name("USER"), "run as this user after opening the socket and files")
        ("group,g", po::value(&o.group)->value_name("GROUP"), "run with this group")
        ("temp-dir", po::value(&o.temp_dir)->value_name("DIR"), "where messages are spooled")
        ("database", po::value(&o.database)->value_name("FILE"), "directory database")
        ("master-key", po::value(&o.master_key)->value_name("FILE"), "master key file")
        ("domain", po::value(&o.domains)->value_name("DOMAIN")->composing(), "signing domain (repeatable)")
        ("log-stderr", po::bool_switch(&o.log_to_stderr), "log to standard error as well as syslog");
    return options;
}

po::options_description file_options() {
    po::options_description options;
    add_directory_options(options);
    options.add_options()
        ("milter.socket", po::value<std::string>())
        ("milter.user", po::value<std::string>())
        ("milter.group", po::value<std::string>())
        ("milter.temp_dir", po::value<std::string>())
        ("milter.max_message_bytes", po::value<long long>())
        ("milter.body_chunk_bytes", po::value<int>())
        ("milter.syslog_ident", po::value<std::string>())
        ("signing.footer", po::value<std::string>())
        ("signing.footer_text", po::value<std::string>())
        ("signing.unsigned_header", po::value<std::string>())
        ("verify.enabled", po::value<std::string>())
        ("verify.anchors", po::value<std::string>())
        ("verify.authserv_id", po::value<std::string>())
        ("verify.header", po::value<std::string>())
        ("verify.language", po::value<std::string>())
        ("verify.on_fail", po::value<std::string>())
        ("verify.on_temperror", po::value<std::string>())
        ("verify.crl", po::value<std::vector<std::string>>()->composing())
        ("verify.crl_max_age_hours", po::value<long>())
        ("verify.require_crl", po::value<std::string>())
        ("verify.clock_skew_minutes", po::value<long>())
        ("verify.eku_policy", po::value<std::string>())
        ("verify.crl_url", po::value<std::vector<std::string>>()->composing())
        ("verify.crl_cache_dir", po::value<std::string>())
        ("verify.crl_issuers", po::value<std::string>())
        ("verify.crl_refresh_minutes", po::value<long>())
        ("verify.crl_fetch_timeout_seconds", po::value<long>())
        ("verify.crl_max_kilobytes", po::value<long>())
        ("verify.ocsp_url", po::value<std::string>())
        ("verify.ocsp_nonce", po::value<std::string>())
        ("verify.ocsp_responder_cert", po::value<std::string>())
        ("verify.ocsp_timeout_seconds", po::value<long>())
        ("verify.ocsp_failure_backoff_seconds", po::value<long>())
        ("routing.outbound_service", po::value<std::vector<std::string>>()->composing())
        ("routing.inbound_service", po::value<std::vector<std::string>>()->composing())
        ("routing.untouched_service", po::value<std::vector<std::string>>()->composing())
        ("routing.encrypt_service", po::value<std::vector<std::string>>()->composing())
        ("routing.decrypt_service", po::value<std::vector<std::string>>()->composing())
        ("encryption.enabled", po::value<std::string>())
        ("encryption.subject_tag", po::value<std::vector<std::string>>()->composing())
        ("encryption.anchors", po::value<std::string>())
        ("encryption.single_recipient_direct", po::value<std::string>())
        ("encryption.replies_to_decrypted", po::value<std::string>())
        ("decryption.enabled", po::value<std::string>())
        ("decryption.unprotected", po::value<std::string>())
        ("decryption.on_failure", po::value<std::string>())
        ("decryption.max_failures_per_hour", po::value<long>())
        ("decryption.max_recipient_infos", po::value<long>())
        ("decryption.single_recipient_direct", po::value<std::string>())
        ("harvest.enabled", po::value<std::string>())
        ("harvest.review_anchors", po::value<std::string>())
        ("harvest.review", po::value<std::string>())
        ("trace.enabled", po::value<std::string>())
        ("trace.retention_days", po::value<long>());
    for (const char* key : k_policy_keys)
        options.add_options()((std::string("policy.on_") + key).c_str(), po::value<std::string>());
    return options;
}

// Postfix service names as {daemon_name} carries them: one word each, and
// each in one list only.
void validate_routing(const MilterSettings& s, std::vector<std::string>& problems) {
    const std::string where = s.source + ": routing.";
    std::vector<std::string> seen;
    const auto check = [&](const char* key, const std::vector<std::string>& names) {
        for (const auto& name : names) {
            if (name.empty() || name.find_first_of(" \t\r\n,;") != std::string::npos)
                problems.push_back(where + key + ": \"" + name + "\" is not a Postfix service name");
            else if (std::find(seen.begin(), seen.end(), name) != seen.end())
                problems.push_back(where + key + ": \"" + name + "\" is given a direction twice");
            seen.push_back(name);
        }
    };
    check("outbound_service", s.routing.outbound_services);
    check("inbound_service", s.routing.inbound_services);
    check("untouched_service", s.routing.untouched_services);
    check("encrypt_service", s.routing.encrypt_services);
    check("decrypt_service", s.routing.decrypt_services);
}

void validate_encryption(const MilterSettings& s, std::vector<std::string>& problems) {
    const std::string where = s.source + ": encryption.";
    const std::string& anchors = s.encryption.anchors_or(s.verify.anchors);
    const bool needed = s.encryption.enabled || !s.routing.encrypt_services.empty();
    if (needed && ::access(anchors.c_str(), R_OK) != 0)
        problems.push_back(where + "anchors: \"" + anchors +
                           "\" cannot be read (recipients' certificates are checked against it; set encryption.anchors "
                           "or verify.anchors)");
    for (const auto& tag : s.encryption.subject_tags)
        if (tag.empty() || tag.find_first_of("\r\n") != std::string::npos)
            problems.push_back(where + "subject_tag: \"" + tag + "\" must be one non-empty line");
    const auto& replies = s.encryption.replies_to_decrypted;
    if (replies != "never" && replies != "opportunistic" && replies != "required")
        problems.push_back(where + "replies_to_decrypted: \"" + replies + "\" is not never, opportunistic or required");
}

void validate_decryption(const MilterSettings& s, std::vector<std::string>& problems) {
    const std::string where = s.source + ": decryption.";
    const auto& d = s.decryption;
    if ((d.enabled || !s.routing.decrypt_services.empty()) && !s.verify.enabled)
        problems.push_back(where + "enabled: needs verify.enabled = on (the inner signature is verified)");
    if (d.unprotected != "keep_encrypted" && d.unprotected != "mark")
        problems.push_back(where + "unprotected: \"" + d.unprotected + "\" is neither keep_encrypted nor mark");
    if (d.on_failure == FailureAction::tempfail)
        problems.push_back(where + "on_failure: must be pass, quarantine or reject (a message that cannot be decrypted "
                                   "now cannot be later)");
    if (d.max_failures_per_hour < 0 || d.max_failures_per_hour > 1000000)
        problems.push_back(where + "max_failures_per_hour: must be from 0 to 1000000");
    if (d.max_recipient_infos < 1 || d.max_recipient_infos > 10000)
        problems.push_back(where + "max_recipient_infos: must be from 1 to 10000");
    if (!s.harvest.review_anchors.empty() && ::access(s.harvest.review_anchors.c_str(), R_OK) != 0)
        problems.push_back(s.source + ": harvest.review_anchors: \"" + s.harvest.review_anchors + "\" cannot be read");
    if (s.trace.retention_days < 1 || s.trace.retention_days > 3650)
        problems.push_back(s.source + ": trace.retention_days: must be from 1 to 3650");
}

void validate(MilterSettings& s, std::vector<std::string>& problems) {
    const std::string where = s.source + ": ";
    if (!valid_socket(s.milter.socket))
        problems.push_back(where + "milter.socket: \"" + s.milter.socket + "\" is not unix:/path or inet:PORT@HOST");
    if (s.milter.max_message_bytes < 1024 || s.milter.max_message_bytes > (1LL << 34))
        problems.push_back(where + "milter.max_message_bytes: must be from 1024 to 17179869184");
    if (s.milter.body_chunk_bytes < 256 || s.milter.body_chunk_bytes > 65535)
        problems.push_back(where + "milter.body_chunk_bytes: must be from 256 to 65535");
    struct stat st {};
    if (::stat(s.milter.temp_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        problems.push_back(where + "milter.temp_dir: " + s.milter.temp_dir + " is not a directory");
    else if ((st.st_mode & 002) != 0 && (st.st_mode & S_ISVTX) == 0)
        problems.push_back(where + "milter.temp_dir: " + s.milter.temp_dir + " is writable by everyone without the sticky bit");
    if (is_postgres_location(s.directory.database))
        ; // reached (and its schema checked) when the daemon opens it
    else if (const std::string path = sqlite_path_of(s.directory.database); path.empty())
        problems.push_back(where + "directory.url: \"" + s.directory.database + "\" names a backend Segel does not have (sqlite:PATH or postgresql://...)");
    else if (::access(path.c_str(), R_OK) != 0)
        problems.push_back(where + "directory.database: " + path + " cannot be read (create it with `segel directory init`)");
    if (::stat(s.directory.master_key_file.c_str(), &st) != 0)
        problems.push_back(where + "directory.master_key: " + s.directory.master_key_file + " cannot be read");
    else if ((st.st_mode & 077) != 0)
        problems.push_back(where + "directory.master_key: " + s.directory.master_key_file + " is readable by others; chmod 600 it");
    for (auto& domain : s.directory.domains) {
        std::transform(domain.begin(), domain.end(), domain.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (!valid_domain(domain))
            problems.push_back(where + "directory.domain: \"" + domain + "\" is not a domain name");
    }
    if (s.directory.domains.empty())
        problems.push_back(where + "directory.domain: at least one signing domain is needed");
    if (s.signing.unsigned_header.empty() || !std::all_of(s.signing.unsigned_header.begin(), s.signing.unsigned_header.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }))
        problems.push_back(where + "signing.unsigned_header: \"" + s.signing.unsigned_header + "\" is not a header field name");
    if (s.verify.enabled && ::access(s.verify.anchors.c_str(), R_OK) != 0)
        problems.push_back(where + "verify.anchors: \"" + s.verify.anchors + "\" cannot be read (needed when verify.enabled is on)");
    for (const auto& crl : s.verify.crls)
        if (::access(crl.c_str(), R_OK) != 0)
            problems.push_back(where + "verify.crl: " + crl + " cannot be read");
    if (s.verify.crl_max_age_hours < 1 || s.verify.crl_max_age_hours > 24 * 366)
        problems.push_back(where + "verify.crl_max_age_hours: must be from 1 to 8784");
    if (s.verify.clock_skew_minutes < 0 || s.verify.clock_skew_minutes > 24 * 60)
        problems.push_back(where + "verify.clock_skew_minutes: must be from 0 to 1440");
    for (const auto& url : s.verify.crl_urls)
        if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
            problems.push_back(where + "verify.crl_url: \"" + url + "\" is not an http:// or https:// URL");
    if (s.checks_revocation() && !s.verify.crl_issuers.empty() && ::access(s.verify.crl_issuers.c_str(), R_OK) != 0)
        problems.push_back(where + "verify.crl_issuers: \"" + s.verify.crl_issuers + "\" cannot be read");
    if (s.checks_revocation() && !s.verify.crl_urls.empty() && ::access(s.verify.crl_cache_dir.c_str(), W_OK | X_OK) != 0)
        problems.push_back(where + "verify.crl_cache_dir: \"" + s.verify.crl_cache_dir +
                           "\" is not a writable directory (needed for verify.crl_url)");
    if (s.verify.crl_refresh_minutes < 1 || s.verify.crl_refresh_minutes > 24 * 60)
        problems.push_back(where + "verify.crl_refresh_minutes: must be from 1 to 1440");
    if (s.verify.crl_fetch_timeout_seconds < 1 || s.verify.crl_fetch_timeout_seconds > 300)
        problems.push_back(where + "verify.crl_fetch_timeout_seconds: must be from 1 to 300");
    if (s.verify.crl_max_kilobytes < 1 || s.verify.crl_max_kilobytes > 1024 * 1024)
        problems.push_back(where + "verify.crl_max_kilobytes: must be from 1 to 1048576");
    if (!s.verify.ocsp_url.empty() && s.verify.ocsp_url.rfind("http://", 0) != 0 && s.verify.ocsp_url.rfind("https://", 0) != 0)
        problems.push_back(where + "verify.ocsp_url: \"" + s.verify.ocsp_url + "\" is not an http:// or https:// URL");
    if (!s.verify.ocsp_responder_cert.empty() && ::access(s.verify.ocsp_responder_cert.c_str(), R_OK) != 0)
        problems.push_back(where + "verify.ocsp_responder_cert: \"" + s.verify.ocsp_responder_cert + "\" cannot be read");
    if (s.verify.ocsp_timeout_seconds < 1 || s.verify.ocsp_timeout_seconds > 60)
        problems.push_back(where + "verify.ocsp_timeout_seconds: must be from 1 to 60");
    if (s.verify.ocsp_failure_backoff_seconds < 0 || s.verify.ocsp_failure_backoff_seconds > 3600)
        problems.push_back(where + "verify.ocsp_failure_backoff_seconds: must be from 0 to 3600");
    if (!is_eku_policy_name(s.verify.eku_policy))
        problems.push_back(where + "verify.eku_policy: \"" + s.verify.eku_policy +
                           "\" is none of any-eku, absent-ok, email-protection");
    if (!valid_domain(s.verify.authserv_id))
        problems.push_back(where + "verify.authserv_id: \"" + s.verify.authserv_id + "\" is not a domain name");
    if (s.verify.verdict_header.empty() || !std::all_of(s.verify.verdict_header.begin(), s.verify.verdict_header.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }))
        problems.push_back(where + "verify.header: \"" + s.verify.verdict_header + "\" is not a header field name");
    if (s.verify.verdict_language != "id" && s.verify.verdict_language != "en")
        problems.push_back(where + "verify.language: \"" + s.verify.verdict_language + "\" is neither id nor en");
    if (s.signing.footer && s.signing.footer_text.empty())
        problems.push_back(where + "signing.footer_text: is empty while signing.footer is on");
    if (s.signing.footer_text.find_first_of("\r\n") != std::string::npos)
        problems.push_back(where + "signing.footer_text: must be one line (it is folded when added)");
    validate_routing(s, problems);
    validate_encryption(s, problems);
    validate_decryption(s, problems);
}

} // namespace

std::string to_string(FailureAction action) {
    switch (action) {
    case FailureAction::tempfail: return "tempfail";
    case FailureAction::reject: return "reject";
    case FailureAction::pass: return "pass";
    case FailureAction::quarantine: return "quarantine";
    }
    return "tempfail";
}

MilterSettingsOutcome parse_milter_command_line(int argc, const char* const argv[]) {
    MilterSettingsOutcome outcome;
    Overrides o;
    auto options = command_line_options(o);
    std::ostringstream usage;
    usage << options;
    outcome.usage = usage.str();
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(args).options(options).run(), vm);
        po::notify(vm);
    } catch (po::error& e) {
        outcome.problems.push_back(std::string("command line: ") + option_error_text(e));
        return outcome;
    }
    outcome.help = o.help;
    outcome.check_config = o.check_config;
    if (o.help)
        return outcome;

    MilterSettings s;
    s.command_line = args;
    std::string path = o.config_file;
    if (path.empty() && ::access(k_default_file, F_OK) == 0)
        path = k_default_file;
    if (!path.empty()) {
        s.source = path;
        po::variables_map vm;
        if (!read_config_file(path, file_options(), vm, outcome.problems))
            return outcome;
        const auto text = [&](const char* key, std::string& into) {
            if (vm.count(key))
                into = vm[key].as<std::string>();
        };
        const auto on_off = [&](const char* key, bool& into) {
            if (!vm.count(key))
                return;
            const std::string value = vm[key].as<std::string>();
            if (value == "on" || value == "yes" || value == "true")
                into = true;
            else if (value == "off" || value == "no" || value == "false")
                into = false;
            else
                outcome.problems.push_back(path + ": " + key + ": \"" + value + "\" is neither on nor off");
        };
        const auto action = [&](const std::string& key, FailureAction& into) {
            if (!vm.count(key))
                return;
            const std::string value = vm[key].as<std::string>();
            if (auto parsed = parse_action(value))
                into = *parsed;
            else
                outcome.problems.push_back(path + ": " + key + ": \"" + value + "\" is not tempfail, reject, pass or quarantine");
        };
        text("milter.socket", s.milter.socket);
        text("milter.user", s.milter.user);
        text("milter.group", s.milter.group);
        text("milter.temp_dir", s.milter.temp_dir);
        text("milter.syslog_ident", s.milter.syslog_ident);
        if (vm.count("milter.max_message_bytes"))
            s.milter.max_message_bytes = vm["milter.max_message_bytes"].as<long long>();
        if (vm.count("milter.body_chunk_bytes"))
            s.milter.body_chunk_bytes = vm["milter.body_chunk_bytes"].as<int>();
        read_directory_settings(vm, s.directory, outcome.problems, path + ": ");
        on_off("signing.footer", s.signing.footer);
        text("signing.footer_text", s.signing.footer_text);
        on_off("verify.enabled", s.verify.enabled);
        text("verify.anchors", s.verify.anchors);
        if (vm.count("verify.crl"))
            s.verify.crls = vm["verify.crl"].as<std::vector<std::string>>();
        if (vm.count("verify.crl_max_age_hours"))
            s.verify.crl_max_age_hours = vm["verify.crl_max_age_hours"].as<long>();
        on_off("verify.require_crl", s.verify.require_crl);
        if (vm.count("verify.clock_skew_minutes"))
            s.verify.clock_skew_minutes = vm["verify.clock_skew_minutes"].as<long>();
        text("verify.eku_policy", s.verify.eku_policy);
        if (vm.count("verify.crl_url"))
            s.verify.crl_urls = vm["verify.crl_url"].as<std::vector<std::string>>();
        text("verify.crl_cache_dir", s.verify.crl_cache_dir);
        text("verify.crl_issuers", s.verify.crl_issuers);
        if (vm.count("verify.crl_refresh_minutes"))
            s.verify.crl_refresh_minutes = vm["verify.crl_refresh_minutes"].as<long>();
        if (vm.count("verify.crl_fetch_timeout_seconds"))
            s.verify.crl_fetch_timeout_seconds = vm["verify.crl_fetch_timeout_seconds"].as<long>();
        if (vm.count("verify.crl_max_kilobytes"))
            s.verify.crl_max_kilobytes = vm["verify.crl_max_kilobytes"].as<long>();
        // REV-01: once CRLs are configured, an issuer without one is a
        // missing CRL (temperror) unless require_crl = off says otherwise.
        if (!vm.count("verify.require_crl"))
            s.verify.require_crl = !s.verify.crls.empty() || !s.verify.crl_urls.empty();
        text("verify.ocsp_url", s.verify.ocsp_url);
        on_off("verify.ocsp_nonce", s.verify.ocsp_nonce);
        text("verify.ocsp_responder_cert", s.verify.ocsp_responder_cert);
        if (vm.count("verify.ocsp_timeout_seconds"))
            s.verify.ocsp_timeout_seconds = vm["verify.ocsp_timeout_seconds"].as<long>();
        if (vm.count("verify.ocsp_failure_backoff_seconds"))
            s.verify.ocsp_failure_backoff_seconds = vm["verify.ocsp_failure_backoff_seconds"].as<long>();
        text("verify.authserv_id", s.verify.authserv_id);
        text("verify.header", s.verify.verdict_header);
        text("verify.language", s.verify.verdict_language);
        action("verify.on_fail", s.verify.on_fail);
        action("verify.on_temperror", s.verify.on_temperror);
        text("signing.unsigned_header", s.signing.unsigned_header);
        for (const char* key : k_policy_keys)
            action(std::string("policy.on_") + key, *policy_slot(s.policy, key));
        const auto names = [&](const char* key, std::vector<std::string>& into) {
            if (vm.count(key))
                into = vm[key].as<std::vector<std::string>>();
        };
        names("routing.outbound_service", s.routing.outbound_services);
        names("routing.inbound_service", s.routing.inbound_services);
        names("routing.untouched_service", s.routing.untouched_services);
        names("routing.encrypt_service", s.routing.encrypt_services);
        names("routing.decrypt_service", s.routing.decrypt_services);
        on_off("encryption.enabled", s.encryption.enabled);
        names("encryption.subject_tag", s.encryption.subject_tags);
        text("encryption.anchors", s.encryption.anchors);
        on_off("encryption.single_recipient_direct", s.encryption.single_recipient_direct);
        text("encryption.replies_to_decrypted", s.encryption.replies_to_decrypted);
        on_off("decryption.enabled", s.decryption.enabled);
        text("decryption.unprotected", s.decryption.unprotected);
        action("decryption.on_failure", s.decryption.on_failure);
        if (vm.count("decryption.max_failures_per_hour"))
            s.decryption.max_failures_per_hour = vm["decryption.max_failures_per_hour"].as<long>();
        if (vm.count("decryption.max_recipient_infos"))
            s.decryption.max_recipient_infos = vm["decryption.max_recipient_infos"].as<long>();
        on_off("decryption.single_recipient_direct", s.decryption.single_recipient_direct);
        on_off("harvest.enabled", s.harvest.enabled);
        text("harvest.review_anchors", s.harvest.review_anchors);
        on_off("harvest.review", s.harvest.review);
        on_off("trace.enabled", s.trace.enabled);
        if (vm.count("trace.retention_days"))
            s.trace.retention_days = vm["trace.retention_days"].as<long>();
    }
    if (!o.socket.empty()) s.milter.socket = o.socket;
    if (!o.user.empty()) s.milter.user = o.user == "-" ? std::string() : o.user;
    if (!o.group.empty()) s.milter.group = o.group;
    if (!o.temp_dir.empty()) s.milter.temp_dir = o.temp_dir;
    if (!o.database.empty()) s.directory.database = o.database;
    if (!o.master_key.empty()) s.directory.master_key_file = o.master_key;
    if (!o.domains.empty()) s.directory.domains = o.domains;
    s.milter.log_to_stderr = o.log_to_stderr;
    validate(s, outcome.problems);
    if (outcome.problems.empty())
        outcome.settings = std::move(s);
    return outcome;
}

MilterSettingsOutcome reload_milter_settings(const MilterSettings& current) {
    std::vector<const char*> argv = {"segel-milter"};
    for (const auto& arg : current.command_line)
        argv.push_back(arg.c_str());
    return parse_milter_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string format_milter_settings(const MilterSettings& s) {
    std::ostringstream out;
    out << "# effective settings (from " << s.source << ")\n[milter]\nsocket = " << s.milter.socket << "\nuser = " << s.milter.user
        << "\ngroup = " << s.milter.group << "\ntemp_dir = " << s.milter.temp_dir << "\nmax_message_bytes = " << s.milter.max_message_bytes
        << "\nbody_chunk_bytes = " << s.milter.body_chunk_bytes << "\nsyslog_ident = " << s.milter.syslog_ident << "\n\n[directory]\n" << (sqlite_path_of(s.directory.database) == s.directory.database ? "database = " : "url = ") << s.directory.database
        << "\nmaster_key = " << s.directory.master_key_file << "\n";
    for (const auto& domain : s.directory.domains)
        out << "domain = " << domain << "\n";
    out << "pool_size = " << s.directory.pool_size << "\ntimeout_ms = " << s.directory.timeout_ms << "\n";
    out << "\n[signing]\nfooter = " << (s.signing.footer ? "on" : "off") << "\nfooter_text = " << s.signing.footer_text
        << "\nunsigned_header = " << s.signing.unsigned_header << "\n\n[policy]\n";
    FailurePolicy policy = s.policy;
    for (const char* key : k_policy_keys)
        out << "on_" << key << " = " << to_string(*policy_slot(policy, key)) << "\n";
    out << "\n[verify]\nenabled = " << (s.verify.enabled ? "on" : "off") << "\nanchors = " << s.verify.anchors
        << "\nauthserv_id = " << s.verify.authserv_id << "\nheader = " << s.verify.verdict_header << "\nlanguage = "
        << s.verify.verdict_language << "\non_fail = " << to_string(s.verify.on_fail)
        << "\non_temperror = " << to_string(s.verify.on_temperror) << "\n";
    for (const auto& crl : s.verify.crls)
        out << "crl = " << crl << "\n";
    out << "crl_max_age_hours = " << s.verify.crl_max_age_hours << "\nrequire_crl = " << (s.verify.require_crl ? "on" : "off")
        << "\nclock_skew_minutes = " << s.verify.clock_skew_minutes << "\neku_policy = " << s.verify.eku_policy << "\n";
    for (const auto& url : s.verify.crl_urls)
        out << "crl_url = " << url << "\n";
    out << "crl_issuers = " << s.verify.crl_issuers << "\ncrl_cache_dir = " << s.verify.crl_cache_dir << "\ncrl_refresh_minutes = " << s.verify.crl_refresh_minutes
        << "\ncrl_fetch_timeout_seconds = " << s.verify.crl_fetch_timeout_seconds
        << "\ncrl_max_kilobytes = " << s.verify.crl_max_kilobytes << "\nocsp_url = " << s.verify.ocsp_url
        << "\nocsp_nonce = " << (s.verify.ocsp_nonce ? "on" : "off") << "\nocsp_responder_cert = " << s.verify.ocsp_responder_cert
        << "\nocsp_timeout_seconds = " << s.verify.ocsp_timeout_seconds
        << "\nocsp_failure_backoff_seconds = " << s.verify.ocsp_failure_backoff_seconds << "\n";
    out << "\n[routing]\n";
    for (const auto& name : s.routing.outbound_services)
        out << "outbound_service = " << name << "\n";
    for (const auto& name : s.routing.inbound_services)
        out << "inbound_service = " << name << "\n";
    for (const auto& name : s.routing.untouched_services)
        out << "untouched_service = " << name << "\n";
    for (const auto& name : s.routing.encrypt_services)
        out << "encrypt_service = " << name << "\n";
    for (const auto& name : s.routing.decrypt_services)
        out << "decrypt_service = " << name << "\n";
    out << "\n[encryption]\nenabled = " << (s.encryption.enabled ? "on" : "off") << "\nanchors = " << s.encryption.anchors
        << "\nsingle_recipient_direct = " << (s.encryption.single_recipient_direct ? "on" : "off")
        << "\nreplies_to_decrypted = " << s.encryption.replies_to_decrypted << "\n";
    for (const auto& tag : s.encryption.subject_tags)
        out << "subject_tag = " << tag << "\n";
    out << "\n[decryption]\nenabled = " << (s.decryption.enabled ? "on" : "off") << "\nunprotected = " << s.decryption.unprotected
        << "\non_failure = " << to_string(s.decryption.on_failure)
        << "\nmax_failures_per_hour = " << s.decryption.max_failures_per_hour
        << "\nmax_recipient_infos = " << s.decryption.max_recipient_infos
        << "\nsingle_recipient_direct = " << (s.decryption.single_recipient_direct ? "on" : "off") << "\n";
    out << "\n[harvest]\nenabled = " << (s.harvest.enabled ? "on" : "off") << "\nreview_anchors = " << s.harvest.review_anchors
        << "\nreview = " << (s.harvest.review ? "on" : "off") << "\n";
    out << "\n[trace]\nenabled = " << (s.trace.enabled ? "on" : "off")
        << "\nretention_days = " << s.trace.retention_days << "\n";
    return out.str();
}

std::string example_milter_settings() {
    MilterSettings defaults;
    return "# segel-milter settings; every option with its default.\n" + format_milter_settings(defaults);
}

} // namespace segel::config
