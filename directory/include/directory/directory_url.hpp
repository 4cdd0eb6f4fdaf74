// The grammar of a directory URL, as open_directory() reads it:
// "sqlite:PATH" or a plain PATH (the older [directory] database setting)
// name an SQLite file; "sqlite::memory:" a private in-memory store (tests);
// "postgresql://..." (or "postgres://...") a PostgreSQL database, in
// libpq's URI form: postgresql://USER@HOST:PORT/DB?sslmode=verify-full&...,
// or postgresql:///DB?host=/run/postgresql for a unix socket. A password
// never goes into the URL (it would show in settings, ps and logs): use
// peer authentication or a password file (~/.pgpass or passfile=PATH).
#pragma once

#include <string>

#include "directory/model.hpp"

namespace segel::directory {

// The SQLite file a URL names (":memory:" for the in-memory store), or empty
// when it names another backend.
std::string sqlite_file_of(const std::string& url);

bool is_postgres_url(const std::string& url);

// The libpq connection string for a PostgreSQL URL: the URL with
// connect_timeout (5 s) and application_name (segel) added when absent.
// invalid_input when it carries a password or is not a PostgreSQL URL.
Result<std::string> postgres_conninfo(const std::string& url);

} // namespace segel::directory
