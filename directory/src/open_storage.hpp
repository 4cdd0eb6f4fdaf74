// The storage backend a directory URL names (directory_url.hpp), opened
// with the options' timeouts: the one place that knows every backend.
#pragma once

#include <memory>
#include <string>

#include "directory/directory_service.hpp"
#include "directory/storage.hpp"

namespace segel::directory {

Result<std::unique_ptr<DirectoryStorage>> open_storage(const std::string& url, const DirectoryOptions& options);

} // namespace segel::directory
