// What the DirectoryService keeps between calls: parsed certificates and
// their unsealed keys (parsed_cache.hpp), issuing chains by issuer DN, and
// the master key in use (rotation swaps it). Guarded by its own mutex,
// always taken after a storage session, never before.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "directory/directory_service.hpp"
#include "parsed_cache.hpp"

namespace segel::directory {

struct DirectoryService::Caches {
    std::mutex mutex;
    ParsedCache parsed{4096}; // about 4096 x 5 KB at most
    std::unordered_map<std::string, std::vector<smime::Certificate>> chains; // by issuer DN; cleared on import
    std::shared_ptr<const smime::MasterKey> master_key;

    void clear() {
        parsed.clear();
        chains.clear();
    }
};

} // namespace segel::directory
