// Opening the directory for one admin operation: where it is (the URL, the
// master key file, the internal domains), whether the operation needs the
// master key, and whether it writes. A write to an SQLite file this process
// cannot write fails here, before any change, naming the file.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "directory/admin/operation_error.hpp"
#include "directory/directory_service.hpp"

namespace segel::directory::admin {

struct DirectoryLocation {
    std::string url;                  // as open_directory() reads it
    std::string master_key_file;
    std::vector<std::string> domains; // internal domains (art. 15 c)
    std::size_t pool_size = 8;        // PostgreSQL connections at most
    std::chrono::milliseconds timeout{5000}; // statement, connection and lock waits
};

// The options open_directory() takes for a location (without a master key).
DirectoryOptions options_for(const DirectoryLocation& location);

enum class KeyNeed { none, required };
enum class Access { read, write };

OperationResult<std::unique_ptr<DirectoryService>> open_for(const DirectoryLocation& location, KeyNeed key,
                                                            Access access);

} // namespace segel::directory::admin
