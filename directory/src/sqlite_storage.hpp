// The SQLite backend of DirectoryStorage: one file (WAL, foreign keys,
// schema versioned with migrations, a newer schema refused). One connection
// per object, guarded by a mutex (a session holds it); open one object per
// process. Readers in other processes proceed while a writer commits (WAL).
// A file created here is mode 0640. Each session first compares the path's
// device and inode with the file opened: a file renamed over it (a restore)
// is reopened, after checkpointing our WAL into the old file, and a file
// moved away makes the session fail as unavailable.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "directory/storage.hpp"

namespace segel::directory {

struct SqliteStorageOptions {
    bool create = false; // create the file when missing
    std::chrono::milliseconds busy_timeout{5000};
    // Called (under the lock) when the file was found replaced and was
    // reopened, with a sentence for the log; may be empty.
    std::function<void(const std::string&)> on_reopen;
};

// path ":memory:" gives a private in-memory database (tests).
Result<std::unique_ptr<DirectoryStorage>> open_sqlite_storage(const std::string& path, SqliteStorageOptions options);

} // namespace segel::directory
