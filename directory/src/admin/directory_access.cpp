#include "directory/admin/directory_access.hpp"

#include <filesystem>

#include <unistd.h>

#include "directory/directory_url.hpp"

namespace segel::directory::admin {

namespace {

// SQLite writes the database and creates -wal/-shm beside it: say so now
// rather than half-way through a change.
bool sqlite_file_unwritable(const std::string& path) {
    const auto folder = std::filesystem::path(path).parent_path();
    const std::string dir = folder.empty() ? "." : folder.string();
    return ::access(path.c_str(), F_OK) == 0 && (::access(path.c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0);
}

} // namespace

DirectoryOptions options_for(const DirectoryLocation& location) {
    DirectoryOptions options;
    options.domains = location.domains;
    options.pool_size = location.pool_size;
    options.busy_timeout = location.timeout;
    options.statement_timeout = location.timeout;
    return options;
}

OperationResult<std::unique_ptr<DirectoryService>> open_for(const DirectoryLocation& location, KeyNeed key,
                                                            Access access) {
    if (const std::string path = sqlite_file_of(location.url);
        access == Access::write && !path.empty() && sqlite_file_unwritable(path))
        return Failure{FailureKind::not_permitted,
                       "cannot write the directory database " + path +
                           " (or its folder); run as the daemon's user or a member of its admin group"};
    DirectoryOptions options = options_for(location);
    if (key == KeyNeed::required) {
        auto master = load_master_key_file(location.master_key_file);
        if (!master)
            return directory_failure(master.error(), "cannot load the master key");
        options.master_key = *master;
    }
    auto opened = open_directory(location.url, options);
    if (!opened)
        return directory_failure(opened.error(), "cannot open the directory");
    return std::move(opened).value();
}

} // namespace segel::directory::admin
