// MimeEntity: a message as the S/MIME steps see it: header fields plus a
// streamed body (RFC 5322 §2.1, RFC 2045 §2.4). It starts as a spooled
// message, unchanged, and each step (sign, and later encrypt or decrypt)
// returns a new entity: some of the origin's fields removed by name, new
// fields appended, perhaps a new body. Because an entity keeps what changed
// relative to its origin, the milter can apply the final one to the MTA as
// one generic rewrite (fields removed, fields added, one body), and a step
// that needs a spool (verifying what a decryption produced) can write the
// entity out with `materialise`. Entities share their origin spool, which
// lives as long as the last of them. Copyable; not thread-safe per object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smime/body_stream.hpp"
#include "smime/error.hpp"
#include "smime/message_spool.hpp"

namespace segel::smime {

struct NewHeaderField {
    std::string name;
    std::string value; // unfolded, without the leading space
};

class MimeEntity {
public:
    explicit MimeEntity(std::shared_ptr<const SpooledMessage> origin);
    static MimeEntity of(SpooledMessage message);

    const SpooledMessage& origin() const noexcept { return *m_origin; }
    bool changed() const noexcept { return m_body_replaced || !m_removed.empty() || !m_added.empty(); }
    bool body_replaced() const noexcept { return m_body_replaced; }
    // Names of the origin's fields that are gone (every field of each name).
    const std::vector<std::string>& removed_fields() const noexcept { return m_removed; }
    // Fields appended after the origin's remaining ones, in order.
    const std::vector<NewHeaderField>& added_fields() const noexcept { return m_added; }
    const BodyStream& body() const noexcept { return m_body; }

    // This entity with every field named in `removed` gone (the origin's and
    // any added before), `added` appended, and `body`, when given, as the
    // new body.
    MimeEntity rewritten(const std::vector<std::string>& removed, std::vector<NewHeaderField> added,
                         std::optional<BodyStream> body = std::nullopt) const;

    // The header section as it would be written: kept origin fields with
    // CRLF line ends, added ones folded near 78 columns; no blank line.
    std::string header_text() const;
    // Header, blank line and body, in octets.
    Result<std::uint64_t> size() const;
    Result<void> write_to(int fd, std::size_t chunk_bytes = 1 << 16) const;
    // The whole entity spooled again, for a step that reads a spool.
    Result<SpooledMessage> materialise(const std::filesystem::path& temp_dir, SpoolLimits limits = {}) const;

private:
    bool kept(const HeaderField& field) const;

    std::shared_ptr<const SpooledMessage> m_origin;
    std::vector<std::string> m_removed;
    std::vector<NewHeaderField> m_added;
    BodyStream m_body;
    bool m_body_replaced = false;
};

} // namespace segel::smime
