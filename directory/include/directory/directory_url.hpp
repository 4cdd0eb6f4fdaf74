// The grammar of a directory URL, as open_directory() reads it:
// "sqlite:PATH" or a plain PATH (the older [directory] database setting)
// name an SQLite file; "sqlite::memory:" a private in-memory store (tests);
// anything with "://" another backend.
#pragma once

#include <string>

namespace segel::directory {

// The SQLite file a URL names (":memory:" for the in-memory store), or empty
// when it names another backend.
std::string sqlite_file_of(const std::string& url);

} // namespace segel::directory
