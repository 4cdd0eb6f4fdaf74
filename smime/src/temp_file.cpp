#include "smime/temp_file.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace segel::smime {

namespace {
Error io_error(const std::string& what) {
    return make_error(ErrorKind::io_failure, what + ": " + std::strerror(errno));
}
} // namespace

Result<TempFile> TempFile::create(const std::filesystem::path& directory) {
    std::string pattern = (directory / "segel-XXXXXX").string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    // mkstemp opens with O_EXCL and mode 0600.
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0)
        return io_error("cannot create a temporary file in " + directory.string());
    ::unlink(name.data());
    return TempFile(fd, false);
}

Result<TempFile> TempFile::create(const std::filesystem::path& directory, std::uint64_t expected_bytes) {
    if (expected_bytes <= k_in_memory_bytes)
        return create_in_memory();
    return create(directory);
}

Result<TempFile> TempFile::create_in_memory() {
    const int fd = ::memfd_create("segel", MFD_CLOEXEC);
    if (fd < 0)
        return io_error("cannot create an in-memory file");
    return TempFile(fd, true);
}

Result<void> TempFile::move_to_disk(const std::filesystem::path& directory) {
    if (!m_in_memory)
        return {};
    auto disk = create(directory);
    if (!disk)
        return disk.error();
    if (::lseek(m_fd, 0, SEEK_SET) < 0)
        return io_error("cannot rewind an in-memory file");
    if (auto copied = copy_fd(m_fd, disk->m_fd); !copied)
        return copied;
    *this = std::move(disk).value();
    return {};
}

TempFile::TempFile(TempFile&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_in_memory(other.m_in_memory) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_in_memory = other.m_in_memory;
    }
    return *this;
}

TempFile::~TempFile() {
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<void> TempFile::write_all(std::string_view data) { return write_fd(m_fd, data); }

Result<void> TempFile::rewind() {
    if (::lseek(m_fd, 0, SEEK_SET) < 0)
        return io_error("cannot rewind a temporary file");
    return {};
}

Result<std::uint64_t> TempFile::size() const {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
        return io_error("cannot stat a temporary file");
    return static_cast<std::uint64_t>(st.st_size);
}

Result<void> write_fd(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error("write failed");
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Result<void> copy_fd(int in_fd, int out_fd) {
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const ssize_t n = ::read(in_fd, buffer.data(), buffer.size());
        if (n == 0)
            return {};
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return io_error("read failed");
        }
        auto written = write_fd(out_fd, std::string_view(buffer.data(), static_cast<std::size_t>(n)));
        if (!written)
            return written;
    }
}

} // namespace segel::smime
