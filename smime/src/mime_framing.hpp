// What frames the content inside part 1: the header fields of body parts and
// the preambles and epilogues of multiparts. Before signing they must be
// 7-bit CRLF text like everything else in part 1 (RFC 8551 §3.1.1), yet real
// clients write raw 8-bit there (Eudora's and Netscape's unencoded file
// names, Outlook Express's preamble in the user's language) and GMime keeps a
// preamble's line ends as LF. These helpers make the framing canonical
// without changing what a reader sees.
#pragma once

#include <string>
#include <string_view>

#include <gmime/gmime.h>

#include "smime/error.hpp"

namespace segel::smime {

// Header fields of `object` whose raw value holds 8-bit bytes or a line over
// 998 octets are set again from their decoded value (raw bytes read as UTF-8,
// else as the parser's fallback charset), so GMime writes them RFC 2047/2231
// encoded and folded: a file name or description decodes to the same text as
// before. A field GMime cannot format safely (a parameter name over 64
// octets) is refused as unsupported_message.
Result<void> encode_header_fields(GMimeObject* object);

// A multipart preamble or epilogue as it may appear in part 1: CRLF line
// ends, no white space at a line's end. Nobody reads these (RFC 2046 §5.1.1),
// so text that cannot be 7-bit (8-bit bytes, NUL, lines over 998 octets) is
// dropped: the result is then empty.
std::string canonical_filler(std::string_view text);

} // namespace segel::smime
