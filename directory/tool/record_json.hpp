// A certificate record as JSON, as `segel directory list --json` and the
// web page's API give it (never the private key).
#pragma once

#include <string>

#include "directory/model.hpp"

namespace segel::tool {

std::string record_json(const directory::CertificateRecord& r, directory::TimePoint now);

} // namespace segel::tool
