#include "open_storage.hpp"

#include "directory/directory_url.hpp"
#include "postgres_storage.hpp"
#include "sqlite_storage.hpp"

namespace segel::directory {

Result<std::unique_ptr<DirectoryStorage>> open_storage(const std::string& url, const DirectoryOptions& options) {
    if (is_postgres_url(url)) {
        auto conninfo = postgres_conninfo(url);
        if (!conninfo)
            return conninfo.error();
        PostgresStorageOptions postgres;
        postgres.pool.conninfo = std::move(conninfo).value();
        postgres.pool.size = std::max<std::size_t>(1, options.pool_size);
        postgres.pool.wait = options.busy_timeout;
        postgres.pool.statement_timeout = options.statement_timeout;
        postgres.create = options.create;
        return open_postgres_storage(std::move(postgres));
    }
    const std::string path = sqlite_file_of(url);
    if (path.empty() && url.find("://") != std::string::npos)
        return make_error(ErrorKind::invalid_input, "the directory URL " + url +
                                                        " names a backend Segel does not have "
                                                        "(sqlite:PATH or postgresql://...)");
    if (path.empty())
        return make_error(ErrorKind::invalid_input, "the directory URL " + url + " names no file");
    SqliteStorageOptions sqlite;
    sqlite.create = options.create;
    sqlite.busy_timeout = options.busy_timeout;
    sqlite.on_reopen = options.on_reopen;
    return open_sqlite_storage(path, std::move(sqlite));
}

Result<std::unique_ptr<DirectoryService>> open_directory(const std::string& url, DirectoryOptions options) {
    auto storage = open_storage(url, options);
    if (!storage)
        return storage.error();
    return std::make_unique<DirectoryService>(std::move(storage).value(), std::move(options));
}

} // namespace segel::directory
