// The RA's cases as the web page offers them (Tangerang art. 16-18, 22-23),
// each with the revocation reason it records (README: "RA words and
// revocation reasons") and its Indonesian and English names.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "directory/model.hpp"

namespace segel::web {

struct RaCase {
    std::string key;          // mutasi_rotasi, pensiun_berhenti, ...
    std::string indonesian, english;
    directory::RevocationReason reason;
};

const std::vector<RaCase>& ra_cases();
std::optional<RaCase> find_ra_case(const std::string& key);

} // namespace segel::web
