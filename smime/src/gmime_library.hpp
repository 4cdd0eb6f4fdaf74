// GMime must be initialised once per process before any use.
#pragma once

namespace segel::smime {

// Calls g_mime_init() exactly once; safe to call from any thread, repeatedly.
void ensure_gmime_initialised();

} // namespace segel::smime
