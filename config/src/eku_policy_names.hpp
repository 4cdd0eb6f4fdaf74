// The EKU policy names the settings file and `segel msg verify` accept
// (CH-07, ID-07); smime::parse_eku_policy turns them into the verifier's enum.
#pragma once

#include <string_view>

namespace segel::config {

inline bool is_eku_policy_name(std::string_view name) {
    return name == "any-eku" || name == "absent-ok" || name == "email-protection";
}

} // namespace segel::config
