#include "directory_session.hpp"

#include "config/directory_location.hpp"

#include <filesystem>
#include <iostream>

#include <pwd.h>
#include <sysexits.h>
#include <unistd.h>

namespace segel::tool {

int report_error(const directory::Error& error, const std::string& what) {
    std::cerr << "segel: " << what << " (" << directory::to_string(error.kind) << "): " << error.detail << "\n";
    switch (error.kind) {
    case directory::ErrorKind::invalid_input:
    case directory::ErrorKind::not_found:
    case directory::ErrorKind::conflict:
        return EX_DATAERR;
    case directory::ErrorKind::unavailable:
        return EX_UNAVAILABLE;
    case directory::ErrorKind::key_unavailable:
        return EX_NOPERM;
    case directory::ErrorKind::internal:
        return EX_SOFTWARE;
    }
    return EX_SOFTWARE;
}

directory::Actor current_actor() {
    if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user != nullptr && *sudo_user != '\0')
        return {std::string("admin:") + sudo_user};
    if (const struct passwd* pw = ::getpwuid(::getuid()))
        return {std::string("admin:") + pw->pw_name};
    return {"admin:uid" + std::to_string(::getuid())};
}

std::optional<Session> open_session(const config::ToolSettings& settings, KeyNeed key, Access access, int& exit_code) {
    if (const std::string path = config::sqlite_path_of(settings.database); access == Access::write && !path.empty()) {
        // SQLite writes the database and creates -wal/-shm beside it: say so
        // now rather than half-way through a change.
        const auto folder = std::filesystem::path(path).parent_path();
        const std::string dir = folder.empty() ? "." : folder.string();
        if (::access(path.c_str(), F_OK) == 0 &&
            (::access(path.c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0)) {
            std::cerr << "segel: cannot write the directory database " << path
                      << " (or its folder); run as the daemon's user or a member of its admin group\n";
            exit_code = EX_NOPERM;
            return std::nullopt;
        }
    }
    directory::DirectoryOptions options;
    options.domains = settings.domains;
    if (key == KeyNeed::required) {
        auto master = directory::load_master_key_file(settings.master_key_file);
        if (!master) {
            exit_code = report_error(master.error(), "cannot load the master key");
            return std::nullopt;
        }
        options.master_key = *master;
    }
    auto opened = directory::open_directory(settings.database, options);
    if (!opened) {
        exit_code = report_error(opened.error(), "cannot open the directory");
        return std::nullopt;
    }
    return Session{std::move(opened).value(), current_actor()};
}

} // namespace segel::tool
