#include "smime/body_stream.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>

#include <sys/stat.h>
#include <unistd.h>

namespace segel::smime {

namespace {
constexpr std::uint64_t k_to_end = std::numeric_limits<std::uint64_t>::max();

Error refused() { return make_error(ErrorKind::io_failure, "the body could not be handed over"); }
} // namespace

BodyStream& BodyStream::append(std::string text) {
    if (!text.empty())
        m_pieces.push_back(Piece{std::move(text), nullptr, -1, 0, 0});
    return *this;
}

BodyStream& BodyStream::append(TempFile file) {
    auto owned = std::make_shared<TempFile>(std::move(file));
    const int fd = owned->fd();
    m_pieces.push_back(Piece{{}, std::move(owned), fd, 0, k_to_end});
    return *this;
}

BodyStream& BodyStream::append_range(int fd, std::uint64_t offset, std::uint64_t length,
                                     std::shared_ptr<const void> keep) {
    if (length > 0)
        m_pieces.push_back(Piece{{}, std::move(keep), fd, offset, length});
    return *this;
}

Result<std::uint64_t> BodyStream::length_of(const Piece& piece) const {
    if (piece.fd < 0)
        return static_cast<std::uint64_t>(piece.text.size());
    if (piece.length != k_to_end)
        return piece.length;
    struct stat status {};
    if (::fstat(piece.fd, &status) != 0)
        return make_error(ErrorKind::io_failure, "cannot measure a part of the body");
    return static_cast<std::uint64_t>(status.st_size) - std::min<std::uint64_t>(piece.offset, status.st_size);
}

Result<std::uint64_t> BodyStream::size() const {
    std::uint64_t total = 0;
    for (const auto& piece : m_pieces) {
        auto length = length_of(piece);
        if (!length)
            return length.error();
        total += *length;
    }
    return total;
}

Result<void> BodyStream::stream(std::size_t chunk_bytes, const Sink& sink) const {
    chunk_bytes = std::max<std::size_t>(chunk_bytes, 1);
    std::string buffer;
    for (const auto& piece : m_pieces) {
        if (piece.fd < 0) {
            for (std::string_view rest = piece.text; !rest.empty(); rest.remove_prefix(std::min(chunk_bytes, rest.size())))
                if (!sink(rest.substr(0, chunk_bytes)))
                    return refused();
            continue;
        }
        auto length = length_of(piece);
        if (!length)
            return length.error();
        buffer.resize(chunk_bytes);
        for (std::uint64_t done = 0; done < *length;) {
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_bytes, *length - done));
            const ssize_t n = ::pread(piece.fd, buffer.data(), want, static_cast<off_t>(piece.offset + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return make_error(ErrorKind::io_failure, "cannot read a part of the body");
            if (!sink(std::string_view(buffer.data(), static_cast<std::size_t>(n))))
                return refused();
            done += static_cast<std::uint64_t>(n);
        }
    }
    return {};
}

} // namespace segel::smime
