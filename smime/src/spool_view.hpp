// A read-only map of a whole spooled message, unmapped when the view ends.
// Its pages are the file's (page cache), not the daemon's own memory.
#pragma once

#include <string_view>

#include "smime/message_spool.hpp"

namespace segel::smime {

class SpoolView {
public:
    explicit SpoolView(const SpooledMessage& message);
    ~SpoolView();
    SpoolView(const SpoolView&) = delete;
    SpoolView& operator=(const SpoolView&) = delete;
    bool ok() const { return m_data != nullptr; }
    std::string_view bytes() const { return {m_data, m_size}; }
    // Drops the pages wholly before `offset` from this process's resident
    // set (they stay in the page cache and read back if touched again), so a
    // scan through a large spool does not grow the daemon's RSS by its size.
    void release_before(std::size_t offset) const;

private:
    std::size_t m_size;
    const char* m_data = nullptr;
};

} // namespace segel::smime
