#include "config_file.hpp"
#include "tool_settings_parser.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace segel::config {

namespace {

constexpr const char* k_default_file = "/etc/segel/segel.conf";

po::options_description file_options() {
    po::options_description options;
    add_directory_options(options);
    options.add_options()
        ("crl.issuer", po::value<std::string>())
        ("crl.max_age_hours", po::value<long>())
        ("remind.days", po::value<std::string>())
        ("remind.admin", po::value<std::string>())
        ("remind.from", po::value<std::string>())
        ("remind.sendmail", po::value<std::string>())
        ("remind.language", po::value<std::string>())
        ("web.listen", po::value<std::string>())
        ("web.certificate", po::value<std::string>())
        ("web.key", po::value<std::string>())
        ("web.accounts", po::value<std::string>())
        ("web.session_minutes", po::value<int>())
        ("web.login_attempts", po::value<int>())
        ("web.language", po::value<std::string>());
    return options;
}



void read_web_settings(const po::variables_map& vm, WebSettings& web, std::vector<std::string>& problems,
                       const std::string& where) {
    if (vm.count("web.listen") && !set_listen(web, vm["web.listen"].as<std::string>()))
        problems.push_back(where + "web.listen: \"" + vm["web.listen"].as<std::string>() +
                           "\" is not ADDRESS:PORT (for example 127.0.0.1:8443)");
    for (auto [name, field] : {std::pair{"web.certificate", &web.certificate}, std::pair{"web.key", &web.key},
                               std::pair{"web.accounts", &web.accounts}, std::pair{"web.language", &web.language}})
        if (vm.count(name))
            *field = vm[name].as<std::string>();
    if (vm.count("web.session_minutes"))
        web.session_minutes = vm["web.session_minutes"].as<int>();
    if (vm.count("web.login_attempts"))
        web.login_attempts = vm["web.login_attempts"].as<int>();
    if (web.certificate.empty() != web.key.empty())
        problems.push_back(where + "web.certificate and web.key: give both (HTTPS) or neither");
    if (web.session_minutes < 1 || web.session_minutes > 24 * 60)
        problems.push_back(where + "web.session_minutes: must be from 1 to 1440");
    if (web.login_attempts < 1 || web.login_attempts > 100)
        problems.push_back(where + "web.login_attempts: must be from 1 to 100");
    if (web.language != "id" && web.language != "en")
        problems.push_back(where + "web.language: must be id or en");
    if (web.accounts.empty())
        problems.push_back(where + "web.accounts: is empty");
}

std::vector<int> parse_days(const std::string& text, std::vector<std::string>& problems, const std::string& where) {
    std::vector<int> days;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
        char* end = nullptr;
        const long value = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || value < 1 || value > 3650) {
            problems.push_back(where + "remind.days: \"" + item + "\" is not a whole number of days from 1 to 3650");
            continue;
        }
        days.push_back(static_cast<int>(value));
    }
    std::sort(days.rbegin(), days.rend());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    return days;
}

} // namespace

bool set_listen(WebSettings& web, const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return false;
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    const long port = std::strtol(text.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port < 1 || port > 65535 || host.find_first_of(" /") != std::string::npos)
        return false;
    web.listen_address = host;
    web.listen_port = static_cast<int>(port);
    return true;
}

std::string example_tool_settings() {
    return R"(# Segel operator tool settings (segel.conf). Every option is shown with its
# default. Command-line options override the file.

[directory]
# The SQLite directory database. Its folder should belong to the daemon's
# user and an admin group (mode 0750); files are created 0640. Or give
# url = sqlite:/var/lib/segel/directory.sqlite instead (not both).
# Several gateway nodes share one PostgreSQL directory instead:
#   url = postgresql://segel@db.example.go.id/segel?sslmode=verify-full&sslrootcert=/etc/segel/db-ca.pem
#   url = postgresql:///segel?host=/run/postgresql   (unix socket, peer authentication)
# Never a password in the URL: use peer authentication or a password file
# (~/.pgpass of the daemon's user, or passfile=PATH in the URL).
database = /var/lib/segel/directory.sqlite
# The master key that seals private keys (64 hex digits, mode 0600, owned by
# the daemon's user). Never store it next to copies of the database.
master_key = /etc/segel/master.key
# Internal mail domains (Tangerang art. 15 c); repeat the line for more.
domain = tangerangkota.go.id
# PostgreSQL: connections per process at most, and how long (ms) one
# statement, a free connection or a lock is waited for (SQLite: its lock).
pool_size = 8
timeout_ms = 5000

[crl]
# PEM certificate of the CA whose CRLs `segel sync crl` accepts.
#issuer = /etc/segel/bsre-ca-ds-g1.pem
# A CRL without nextUpdate older than this is stale.
max_age_hours = 168

[remind]
# Days before expiry at which owners are reminded, each once.
days = 30, 14, 3
# Also told about every reminder (empty: nobody).
#admin = ra-admin@tangerangkota.go.id
from = segel@tangerangkota.go.id
sendmail = /usr/sbin/sendmail
# id (Indonesian) or en.
language = id

[web]
# The admin web page, segel-admin: where it listens (loopback, or an
# intranet address behind a firewall).
listen = 127.0.0.1:8443
# HTTPS with this certificate (PEM, with its chain) and key (mode 0600);
# without them plain HTTP, for loopback or behind a reverse proxy that
# terminates HTTPS.
#certificate = /etc/segel/admin-cert.pem
#key = /etc/segel/admin-key.pem
# Accounts (LOGIN:ROLES:ARGON2ID-HASH, mode 0600), changed with `segel account`.
accounts = /etc/segel/admin-accounts
# A login ends after this many idle minutes.
session_minutes = 30
# Failed logins per account or per client address before a pause.
login_attempts = 5
# id (Indonesian) or en: the page's first language.
language = id
)";
}

SettingsOutcome load_tool_settings(const SettingsOverrides& overrides) {
    SettingsOutcome outcome;
    ToolSettings& settings = outcome.settings;
    std::string path = overrides.config_file;
    if (path.empty() && ::access(k_default_file, F_OK) == 0)
        path = k_default_file;
    std::vector<std::string>& problems = outcome.problems;
    if (!path.empty()) {
        settings.source = path;
        po::variables_map vm;
        if (!read_config_file(path, file_options(), vm, problems))
            return outcome;
        const std::string where = path + ": ";
        read_directory_settings(vm, settings.directory, problems, where);
        if (vm.count("crl.issuer"))
            settings.crl.issuer = vm["crl.issuer"].as<std::string>();
        if (vm.count("crl.max_age_hours")) {
            settings.crl.max_age_hours = vm["crl.max_age_hours"].as<long>();
            if (settings.crl.max_age_hours < 1 || settings.crl.max_age_hours > 24 * 366)
                problems.push_back(where + "crl.max_age_hours: must be from 1 to 8784");
        }
        if (vm.count("remind.days"))
            settings.remind.days = parse_days(vm["remind.days"].as<std::string>(), problems, where);
        if (vm.count("remind.admin"))
            settings.remind.admin = vm["remind.admin"].as<std::string>();
        if (vm.count("remind.from"))
            settings.remind.from = vm["remind.from"].as<std::string>();
        if (vm.count("remind.sendmail"))
            settings.remind.sendmail = vm["remind.sendmail"].as<std::string>();
        if (vm.count("remind.language"))
            settings.remind.language = vm["remind.language"].as<std::string>();
        read_web_settings(vm, settings.web, problems, where);
    }
    if (!overrides.database.empty())
        settings.directory.database = overrides.database;
    if (!overrides.master_key_file.empty())
        settings.directory.master_key_file = overrides.master_key_file;
    if (!overrides.domains.empty())
        settings.directory.domains = overrides.domains;

    const std::string where = (path.empty() ? std::string("command line") : path) + ": ";
    for (auto& domain : settings.directory.domains) {
        std::transform(domain.begin(), domain.end(), domain.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (!valid_domain(domain))
            problems.push_back(where + "directory.domain: \"" + domain + "\" is not a domain name");
    }
    if (settings.directory.domains.empty())
        problems.push_back(where + "directory.domain: at least one internal domain is needed");
    if (settings.directory.database.empty())
        problems.push_back(where + "directory.database: is empty");
    if (settings.directory.master_key_file.empty())
        problems.push_back(where + "directory.master_key: is empty");
    if (settings.remind.days.empty())
        problems.push_back(where + "remind.days: at least one threshold is needed");
    if (!settings.remind.admin.empty() && !valid_address(settings.remind.admin))
        problems.push_back(where + "remind.admin: \"" + settings.remind.admin + "\" is not an email address");
    if (!valid_address(settings.remind.from))
        problems.push_back(where + "remind.from: \"" + settings.remind.from + "\" is not an email address");
    if (settings.remind.language != "id" && settings.remind.language != "en")
        problems.push_back(where + "remind.language: \"" + settings.remind.language + "\" is neither id nor en");
    return outcome;
}

} // namespace segel::config
