#include "spool_view.hpp"

#include <algorithm>

#include <sys/mman.h>
#include <unistd.h>

namespace segel::smime {

SpoolView::SpoolView(const SpooledMessage& message) : m_size(message.size()) {
    void* map = m_size > 0 ? ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, message.fd(), 0) : MAP_FAILED;
    if (map != MAP_FAILED) {
        ::madvise(map, m_size, MADV_SEQUENTIAL);
        m_data = static_cast<const char*>(map);
    }
}

void SpoolView::release_before(std::size_t offset) const {
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t whole_pages = std::min(offset, m_size) / page * page;
    if (m_data != nullptr && whole_pages > 0)
        ::madvise(const_cast<char*>(m_data), whole_pages, MADV_DONTNEED);
}

SpoolView::~SpoolView() {
    if (m_data != nullptr)
        ::munmap(const_cast<char*>(m_data), m_size);
}

} // namespace segel::smime
