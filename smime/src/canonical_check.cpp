#include "canonical_check.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include <unistd.h>

namespace segel::smime {

namespace {
constexpr std::size_t k_max_line_octets = 998;

Error not_canonical(std::uint64_t line, const std::string& what) {
    return make_error(ErrorKind::unsupported_message,
                      "line " + std::to_string(line) + " of the part to sign " + what +
                          ", where Segel cannot re-encode it (inside an already signed or encrypted part, "
                          "which must stay byte for byte)");
}

// Whole-buffer scans (memchr and word-wise tests run many bytes per step):
// this reads every byte of every signed message.
bool has_high_bit(const unsigned char* p, std::size_t n) {
    std::uint64_t any = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, p + i, 8);
        any |= word;
    }
    for (; i < n; ++i)
        any |= p[i];
    return (any & 0x8080808080808080ULL) != 0;
}

std::uint64_t line_of(std::uint64_t first_line, const unsigned char* p, std::size_t offset) {
    return first_line + static_cast<std::uint64_t>(std::count(p, p + offset, '\n'));
}
} // namespace

Result<void> check_canonical_7bit(int fd, std::string_view boundary) {
    if (::lseek(fd, 0, SEEK_SET) < 0)
        return make_error(ErrorKind::io_failure, std::string("cannot rewind the part to sign: ") + std::strerror(errno));
    const std::string delimiter = "--" + std::string(boundary);
    std::vector<unsigned char> buffer(1 << 16);
    std::uint64_t line = 1;        // the line the next byte belongs to
    std::size_t line_length = 0;   // octets of that line in earlier buffers (a trailing CR included)
    std::string head;              // its first bytes, up to the delimiter's length
    unsigned char previous = '\n'; // last byte of the previous buffer
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
        const auto n = static_cast<std::size_t>(got);
        if (previous == '\r' && p[0] != '\n')
            return not_canonical(line, "has a CR without LF");
        if (std::memchr(p, '\0', n) != nullptr || has_high_bit(p, n)) {
            for (std::size_t i = 0; i < n; ++i)
                if (p[i] == 0 || p[i] >= 0x80)
                    return not_canonical(line_of(line, p, i), "has 8-bit data");
        }
        // Every CR inside the buffer is followed by LF ...
        for (const void* cr = std::memchr(p, '\r', n); cr != nullptr;) {
            const auto at = static_cast<std::size_t>(static_cast<const unsigned char*>(cr) - p);
            if (at + 1 == n)
                break; // checked against the next buffer's first byte
            if (p[at + 1] != '\n')
                return not_canonical(line_of(line, p, at), "has a CR without LF");
            cr = std::memchr(p + at + 1, '\r', n - at - 1);
        }
        // ... every LF follows a CR, no line is too long or the delimiter.
        std::size_t start = 0;
        while (start < n) {
            const auto* newline = static_cast<const unsigned char*>(std::memchr(p + start, '\n', n - start));
            const std::size_t end = newline != nullptr ? static_cast<std::size_t>(newline - p) : n;
            const std::size_t segment = end - start;
            if (head.size() < delimiter.size()) {
                head.append(reinterpret_cast<const char*>(p + start), std::min(segment, delimiter.size() - head.size()));
                if (head.size() == delimiter.size() && head == delimiter)
                    return make_error(ErrorKind::internal, "the chosen MIME boundary occurs in the part to sign");
            }
            if (newline == nullptr) {
                line_length += segment;
                if (line_length - (p[n - 1] == '\r' ? 1 : 0) > k_max_line_octets)
                    return not_canonical(line, "is longer than 998 octets");
                break;
            }
            const unsigned char before = end > 0 ? p[end - 1] : previous;
            if (before != '\r')
                return not_canonical(line, "ends in LF without CR");
            if (line_length + segment - 1 > k_max_line_octets)
                return not_canonical(line, "is longer than 998 octets");
            ++line;
            line_length = 0;
            head.clear();
            start = end + 1;
        }
        previous = p[n - 1];
    }
    if (previous == '\r')
        return not_canonical(line, "ends in a CR without LF");
    return {};
}

} // namespace segel::smime
