// Settings of the operator tool `segel`, read from an INI-style file
// (default /etc/segel/segel.conf when it exists) and overridden on the
// command line. Validated in one pass; every problem names the file, the
// option and what is wrong. Immutable values; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "config/directory_location.hpp"

namespace segel::config {

// [crl]: what `segel sync crl` accepts.
struct CrlSyncSettings {
    std::string issuer;             // PEM of the CA whose CRLs `segel sync crl` accepts
    long max_age_hours = 24 * 7;    // for a CRL without nextUpdate
};

// [remind]: expiry reminders.
struct RemindSettings {
    std::vector<int> days = {30, 14, 3};
    std::string admin;              // also told about every reminder; empty: nobody
    std::string from = "segel@tangerangkota.go.id";
    std::string sendmail = "/usr/sbin/sendmail";
    std::string language = "id";    // id or en
};

// [web]: the admin web page (segel-admin) and its accounts.
struct WebSettings {
    std::string listen_address = "127.0.0.1"; // loopback or an intranet address
    int listen_port = 8443;
    std::string certificate;                 // PEM chain; with key: HTTPS
    std::string key;                         // PEM private key (mode 0600)
    std::string accounts = "/etc/segel/admin-accounts";
    int session_minutes = 30;                // idle time after which a login ends
    int login_attempts = 5;                  // failed logins per account or address before a pause
    std::string language = "id";             // id or en: the page's first language
};

// Sets web's address and port from "ADDRESS:PORT" ([IPv6]:PORT); false
// (web unchanged) when the text is not that.
bool set_listen(WebSettings& web, const std::string& text);

// One member per section of the file.
struct ToolSettings {
    DirectorySettings directory; // see directory_location.hpp
    CrlSyncSettings crl;
    RemindSettings remind;
    WebSettings web;

    std::string source = "built-in defaults"; // the file the values came from
};

// The example configuration file, with every option and its default.
std::string example_tool_settings();

} // namespace segel::config
