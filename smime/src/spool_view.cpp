#include "spool_view.hpp"

#include <sys/mman.h>

namespace segel::smime {

SpoolView::SpoolView(const SpooledMessage& message) : m_size(message.size()) {
    void* map = m_size > 0 ? ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, message.fd(), 0) : MAP_FAILED;
    if (map != MAP_FAILED) {
        ::madvise(map, m_size, MADV_SEQUENTIAL);
        m_data = static_cast<const char*>(map);
    }
}

SpoolView::~SpoolView() {
    if (m_data != nullptr)
        ::munmap(const_cast<char*>(m_data), m_size);
}

} // namespace segel::smime
