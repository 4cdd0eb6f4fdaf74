#include "gmime_library.hpp"

#include <mutex>

#include <gmime/gmime.h>

namespace segel::smime {

void ensure_gmime_initialised() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

} // namespace segel::smime
