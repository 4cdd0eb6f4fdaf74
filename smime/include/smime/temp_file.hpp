// An anonymous temporary file: created 0600 in a given directory and unlinked
// at once, so it disappears with its descriptor even after a crash. Owns the
// descriptor; movable, not copyable. Not thread-safe per object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "smime/error.hpp"

namespace segel::smime {

class TempFile {
public:
    static Result<TempFile> create(const std::filesystem::path& directory);

    TempFile(TempFile&& other) noexcept;
    TempFile& operator=(TempFile&& other) noexcept;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile();

    int fd() const noexcept { return m_fd; }
    // Appends at the current position; retries short writes.
    Result<void> write_all(std::string_view data);
    // Moves the position back to the start (for reading what was written).
    Result<void> rewind();
    // Size in bytes as the file system reports it.
    Result<std::uint64_t> size() const;

private:
    explicit TempFile(int fd) noexcept : m_fd(fd) {}
    int m_fd = -1;
};

// Writes all of data to fd, retrying short writes and EINTR.
Result<void> write_fd(int fd, std::string_view data);

// Copies everything from in_fd's current position to its end onto out_fd.
Result<void> copy_fd(int in_fd, int out_fd);

} // namespace segel::smime
