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

// True when any byte is >= 0x80, NUL or CR. A plain loop the compiler
// vectorises: this runs over every byte of every signed message.
bool has_forbidden_byte(const unsigned char* p, std::size_t n) {
    unsigned char high = 0, zero_or_cr = 0;
    for (std::size_t i = 0; i < n; ++i) {
        high |= p[i];
        zero_or_cr |= static_cast<unsigned char>((p[i] == 0) | (p[i] == '\r'));
    }
    return (high & 0x80) != 0 || zero_or_cr != 0;
}
} // namespace

Result<void> check_canonical_7bit(int fd, std::string_view boundary) {
    if (::lseek(fd, 0, SEEK_SET) < 0)
        return make_error(ErrorKind::io_failure, std::string("cannot rewind the part to sign: ") + std::strerror(errno));
    const std::string delimiter = "--" + std::string(boundary);
    // The current line so far (only what a check needs: its length, whether it
    // may still become the delimiter, and whether it ended in CR).
    std::vector<unsigned char> buffer(1 << 16);
    std::string head;            // up to delimiter.size() first bytes of the line
    std::size_t line_length = 0; // octets before the line end, CR excluded
    bool pending_cr = false;     // the previous buffer ended in CR
    std::uint64_t line = 1;
    for (;;) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return make_error(ErrorKind::io_failure, std::string("cannot read the part to sign: ") + std::strerror(errno));
        }
        if (got == 0)
            break;
        const unsigned char* p = buffer.data();
        std::size_t n = static_cast<std::size_t>(got);
        if (pending_cr) {
            if (p[0] != '\n')
                return not_canonical(line, "has a CR without LF");
            pending_cr = false;
            ++p;
            --n;
            ++line;
            line_length = 0;
            head.clear();
        }
        while (n > 0) {
            const auto* newline = static_cast<const unsigned char*>(std::memchr(p, '\n', n));
            std::size_t segment = newline != nullptr ? static_cast<std::size_t>(newline - p) : n;
            bool ends_line = newline != nullptr;
            bool crlf = false;
            if (ends_line) {
                if (segment == 0 || p[segment - 1] != '\r')
                    return not_canonical(line, "ends in LF without CR");
                crlf = true;
                --segment; // the CR
            } else if (segment > 0 && p[segment - 1] == '\r') {
                pending_cr = true; // CR at the end of the buffer: LF must follow
                --segment;
            }
            if (has_forbidden_byte(p, segment)) {
                for (std::size_t i = 0; i < segment; ++i)
                    if (p[i] == '\r')
                        return not_canonical(line, "has a CR without LF");
                return not_canonical(line, "has 8-bit data");
            }
            line_length += segment;
            if (line_length > k_max_line_octets)
                return not_canonical(line, "is longer than 998 octets");
            if (head.size() < delimiter.size()) {
                head.append(reinterpret_cast<const char*>(p), std::min(segment, delimiter.size() - head.size()));
                if (head == delimiter)
                    return make_error(ErrorKind::internal, "the chosen MIME boundary occurs in the part to sign");
            }
            const std::size_t consumed = segment + (crlf ? 2 : 0) + (pending_cr ? 1 : 0);
            p += consumed;
            n -= consumed;
            if (crlf) {
                ++line;
                line_length = 0;
                head.clear();
            }
        }
    }
    if (pending_cr)
        return not_canonical(line, "ends in a CR without LF");
    return {};
}

} // namespace segel::smime
