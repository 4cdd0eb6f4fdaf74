#include "message_input.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sysexits.h>
#include <unistd.h>

namespace segel::tool {

std::filesystem::path temp_dir_for(const std::string& configured) {
    if (!configured.empty())
        return configured;
    if (const char* tmpdir = std::getenv("TMPDIR"); tmpdir != nullptr && *tmpdir != '\0')
        return tmpdir;
    return "/tmp";
}

smime::Result<smime::SpooledMessage> read_message(const std::string& input, const std::filesystem::path& temp_dir,
                                                  int& exit_code) {
    const int fd = input == "-" ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        exit_code = EX_NOINPUT;
        return smime::make_error(smime::ErrorKind::io_failure, "cannot open " + input + ": " + std::strerror(errno));
    }
    auto spool = smime::MessageSpool::create(temp_dir);
    if (!spool) {
        if (fd != STDIN_FILENO)
            ::close(fd);
        return spool.error();
    }
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const std::string reason = std::strerror(errno);
            if (fd != STDIN_FILENO)
                ::close(fd);
            return smime::make_error(smime::ErrorKind::io_failure, "cannot read " + input + ": " + reason);
        }
        if (n == 0)
            break;
        if (auto appended = spool->append(std::string_view(buffer, static_cast<std::size_t>(n))); !appended) {
            if (fd != STDIN_FILENO)
                ::close(fd);
            return appended.error();
        }
    }
    if (fd != STDIN_FILENO)
        ::close(fd);
    return std::move(spool).value().finish();
}

} // namespace segel::tool
