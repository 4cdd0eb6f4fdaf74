// A header field as libmilter passes it (name, value; the value folded
// with bare LF, and without its leading space unless SMFIP_HDR_LEADSPC was
// negotiated) turned into the line the spool takes: "Name: value" with
// every line end CRLF (RFC 5322 §2.2.3). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace segel::milter {

std::string spool_header_line(std::string_view name, std::string_view value, bool leading_space_kept);

} // namespace segel::milter
