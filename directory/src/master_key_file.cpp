#include "directory/directory_service.hpp"

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

namespace segel::directory {

Result<std::shared_ptr<const smime::MasterKey>> load_master_key_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return make_error(ErrorKind::key_unavailable, "cannot read the master key file " + path + ": " + std::strerror(errno));
    if ((st.st_mode & 077) != 0)
        return make_error(ErrorKind::key_unavailable,
                          "the master key file " + path + " is readable by others; chmod 600 it (owner: the daemon's user)");
    // Read with one read() into a buffer we wipe (OPENSSL_cleanse, which the
    // compiler may not drop), never through a stream's own buffer.
    std::array<char, 256> text{};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const ssize_t length = fd < 0 ? -1 : ::read(fd, text.data(), text.size());
    if (fd >= 0)
        ::close(fd);
    if (length <= 0) {
        OPENSSL_cleanse(text.data(), text.size());
        return make_error(ErrorKind::key_unavailable, "cannot read the master key file " + path);
    }
    std::string_view line(text.data(), static_cast<std::size_t>(length));
    line = line.substr(0, line.find('\n'));
    auto key = smime::MasterKey::from_hex(line);
    OPENSSL_cleanse(text.data(), text.size());
    if (!key)
        return make_error(ErrorKind::key_unavailable, path + ": " + key.error().detail);
    return std::shared_ptr<const smime::MasterKey>(std::make_shared<smime::MasterKey>(std::move(key).value()));
}

Result<std::shared_ptr<const smime::MasterKey>> create_master_key_file(const std::string& path) {
    auto key = smime::MasterKey::generate();
    if (!key)
        return make_error(ErrorKind::internal, key.error().detail);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return make_error(ErrorKind::key_unavailable, "cannot create the master key file " + path + ": " + std::strerror(errno));
    std::string text = key->to_hex() + "\n";
    const bool written = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                         ::fsync(fd) == 0;
    OPENSSL_cleanse(text.data(), text.size());
    ::close(fd);
    if (!written) {
        ::unlink(path.c_str());
        return make_error(ErrorKind::key_unavailable, "cannot write the master key file " + path);
    }
    return std::shared_ptr<const smime::MasterKey>(std::make_shared<smime::MasterKey>(std::move(key).value()));
}

} // namespace segel::directory
