// The last guard before signing: the bytes of part 1 must already be in the
// form RFC 8551 requires (SM-01, SM-02), because we sign and send them as-is.
#pragma once

#include <string>
#include <string_view>

#include "smime/error.hpp"

namespace segel::smime {

// Reads fd from the start to its end and checks: every line ends in CRLF, no
// bare CR or LF, no NUL, no byte above 0x7F, no line over 998 octets, and no
// line that starts with "--" + boundary. Leaves the position at the end.
Result<void> check_canonical_7bit(int fd, std::string_view boundary);

} // namespace segel::smime
