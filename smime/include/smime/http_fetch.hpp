// Bounded HTTP downloads, for revocation data from URLs the operator
// configured (REV-05; never URLs found in certificates, CH-11): http and
// https only, no redirects, a total timeout and a size cap (SEC-07).
// Reentrant; one blocking transfer per call.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "smime/error.hpp"

namespace segel::smime {

struct FetchLimits {
    std::chrono::seconds timeout{15};  // connect and transfer together
    std::size_t max_bytes = 10u << 20; // a larger body is refused
};

// The body of a 200 answer to GET `url`; any other status, a transport
// error, the timeout or the cap gives io_failure naming the URL and what
// went wrong.
Result<std::string> http_get(const std::string& url, const FetchLimits& limits);

// The body of a 200 answer to POST `body` as `content_type` (OCSP, RFC 6960
// Appendix A.1), with the same limits.
Result<std::string> http_post(const std::string& url, const std::string& content_type, const std::string& body,
                              const FetchLimits& limits);

} // namespace segel::smime
