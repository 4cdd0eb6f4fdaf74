#include "canonical_check.hpp"

#include <cerrno>
#include <cstring>
#include <vector>

#include <unistd.h>

namespace segel::smime {

namespace {
constexpr std::size_t k_max_line_octets = 998;

Error not_canonical(std::uint64_t line, const std::string& what) {
    return make_error(ErrorKind::unsupported_message,
                      "line " + std::to_string(line) + " of the part to sign " + what +
                          ", where Segel cannot re-encode it (a header field inside the body, a multipart "
                          "preamble or epilogue, or an already signed or encrypted part)");
}
} // namespace

Result<void> check_canonical_7bit(int fd, std::string_view boundary) {
    if (::lseek(fd, 0, SEEK_SET) < 0)
        return make_error(ErrorKind::io_failure, std::string("cannot rewind the part to sign: ") + std::strerror(errno));
    const std::string delimiter = "--" + std::string(boundary);
    std::vector<char> buffer(1 << 16);
    std::string line_head; // the first bytes of the current line, to spot the delimiter
    std::uint64_t line = 1;
    std::size_t line_length = 0;
    bool after_cr = false;
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return make_error(ErrorKind::io_failure, std::string("cannot read the part to sign: ") + std::strerror(errno));
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; ++i) {
            const char c = buffer[static_cast<std::size_t>(i)];
            if (after_cr && c != '\n')
                return not_canonical(line, "has a CR without LF");
            if (c == '\n') {
                if (!after_cr)
                    return not_canonical(line, "ends in LF without CR");
                after_cr = false;
                ++line;
                line_length = 0;
                line_head.clear();
                continue;
            }
            if (c == '\r') {
                after_cr = true;
                continue;
            }
            if (c == '\0' || static_cast<unsigned char>(c) >= 0x80)
                return not_canonical(line, "has 8-bit data");
            if (++line_length > k_max_line_octets)
                return not_canonical(line, "is longer than 998 octets");
            if (line_head.size() < delimiter.size()) {
                line_head += c;
                if (line_head == delimiter)
                    return make_error(ErrorKind::internal, "the chosen MIME boundary occurs in the part to sign");
            }
        }
    }
    if (after_cr)
        return not_canonical(line, "ends in a CR without LF");
    return {};
}

} // namespace segel::smime
