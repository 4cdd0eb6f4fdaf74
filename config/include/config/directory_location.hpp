// Where the directory is: [directory] url (sqlite:PATH; other backends
// later) or, as before, [directory] database (a plain SQLite path). Both
// settings land in one location string, which open_directory() reads.
// The settings check reads it with the same grammar as the directory
// module's directory/directory_url.hpp (config depends on no other module).
#pragma once

#include <string>
#include <vector>

namespace segel::config {

// [directory], in the daemon's settings and the tool's alike.
struct DirectorySettings {
    // [directory] url, or the older [directory] database (a path): one
    // location string, read by the grammar below.
    std::string database = "/var/lib/segel/directory.sqlite";
    std::string master_key_file = "/etc/segel/master.key";
    std::vector<std::string> domains = {"tangerangkota.go.id"}; // internal (signing) domains
    // A shared (PostgreSQL) directory: connections per process at most, and
    // how long one statement, a free connection or a lock is waited for
    // (the SQLite file's lock wait too).
    int pool_size = 8;
    long timeout_ms = 5000;
};

// Whether a location names a PostgreSQL database (postgresql:// or
// postgres://, any case).
inline bool is_postgres_location(const std::string& location) {
    std::string scheme = location.substr(0, location.find("://"));
    for (auto& c : scheme)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return location.find("://") != std::string::npos && (scheme == "postgresql" || scheme == "postgres");
}

// The SQLite file a location names (sqlite:PATH or a plain path), or empty
// when it names another backend.
inline std::string sqlite_path_of(const std::string& location) {
    constexpr const char* k_prefix = "sqlite:";
    if (location.rfind(k_prefix, 0) == 0)
        return location.substr(7);
    return location.find("://") == std::string::npos ? location : std::string();
}

} // namespace segel::config
