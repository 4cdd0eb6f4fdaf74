// An anonymous temporary file: created 0600 in a given directory and unlinked
// at once, so it disappears with its descriptor even after a crash; or, for
// small contents, an anonymous memory file (memfd_create), which costs no
// file-system work per message. Owns the descriptor; movable, not copyable.
// Not thread-safe per object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "smime/error.hpp"

namespace segel::smime {

class TempFile {
public:
    // Contents up to this size are kept in memory when the size is known.
    static constexpr std::uint64_t k_in_memory_bytes = 1 << 20;

    static Result<TempFile> create(const std::filesystem::path& directory);
    // In memory when expected_bytes <= k_in_memory_bytes, else on disk.
    static Result<TempFile> create(const std::filesystem::path& directory, std::uint64_t expected_bytes);
    static Result<TempFile> create_in_memory();

    bool in_memory() const noexcept { return m_in_memory; }
    // Moves an in-memory file's contents to a file in `directory`, keeping
    // the position at the end. No-op for a file already on disk.
    Result<void> move_to_disk(const std::filesystem::path& directory);

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
    TempFile(int fd, bool in_memory) noexcept : m_fd(fd), m_in_memory(in_memory) {}
    int m_fd = -1;
    bool m_in_memory = false;
};

// Writes all of data to fd, retrying short writes and EINTR.
Result<void> write_fd(int fd, std::string_view data);

// Copies everything from in_fd's current position to its end onto out_fd.
Result<void> copy_fd(int in_fd, int out_fd);

} // namespace segel::smime
