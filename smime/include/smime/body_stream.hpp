// BodyStream: a message body as an ordered list of pieces (text held in
// memory, a temp file it owns, or a byte range of a file someone else owns)
// that is handed on in chunks and never loaded whole, so a 50 MB body costs
// one chunk of memory. Reading uses pread(2): streaming twice, or from
// several readers, gives the same bytes. Not thread-safe per object; a
// borrowed range's owner must outlive the stream (or be kept by `keep`).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smime/error.hpp"
#include "smime/temp_file.hpp"

namespace segel::smime {

class BodyStream {
public:
    using Sink = std::function<bool(std::string_view)>;

    BodyStream& append(std::string text);
    BodyStream& append(TempFile file); // the whole file, as long as the stream lives
    // `length` bytes of `fd` from `offset`; `keep` (may be null) owns the fd.
    BodyStream& append_range(int fd, std::uint64_t offset, std::uint64_t length,
                             std::shared_ptr<const void> keep = nullptr);

    Result<std::uint64_t> size() const;
    // Hands the body to `sink` in pieces of at most chunk_bytes, in order;
    // an io_failure when a file cannot be read or the sink returns false.
    Result<void> stream(std::size_t chunk_bytes, const Sink& sink) const;

private:
    struct Piece {
        std::string text;
        std::shared_ptr<const void> keep; // owns `fd` when set
        int fd = -1;                      // -1: the piece is `text`
        std::uint64_t offset = 0;
        std::uint64_t length = 0;         // UINT64_MAX: to the end of the file
    };
    Result<std::uint64_t> length_of(const Piece& piece) const;
    std::vector<Piece> m_pieces;
};

} // namespace segel::smime
