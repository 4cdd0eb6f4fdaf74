// Settings of the operator tool `segel`, read from an INI-style file
// (default /etc/segel/segel.conf when it exists) and overridden on the
// command line. Validated in one pass; every problem names the file, the
// option and what is wrong. Immutable values; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace segel::config {

struct ToolSettings {
    // [directory]
    // [directory] url, or the older [directory] database (a path): see
    // config/directory_location.hpp.
    std::string database = "/var/lib/segel/directory.sqlite";
    std::string master_key_file = "/etc/segel/master.key";
    std::vector<std::string> domains = {"tangerangkota.go.id"};
    // [crl]
    std::string crl_issuer;            // PEM of the CA whose CRLs `segel sync crl` accepts
    long crl_max_age_hours = 24 * 7;   // for a CRL without nextUpdate
    // [remind]
    std::vector<int> remind_days = {30, 14, 3};
    std::string remind_admin;          // also told about every reminder; empty: nobody
    std::string remind_from = "segel@tangerangkota.go.id";
    std::string sendmail = "/usr/sbin/sendmail";
    std::string language = "id";       // id or en

    std::string source = "built-in defaults"; // the file the values came from
};

// The example configuration file, with every option and its default.
std::string example_tool_settings();

} // namespace segel::config
