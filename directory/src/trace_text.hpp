// How both backends store a trace record's recipients (one column, one
// address per line) and the query they share.
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "directory/model.hpp"
#include "stored_time.hpp"

namespace segel::directory::trace_text {

inline constexpr const char* k_columns =
    "at, queue_id, message_id, direction, decision, action, login, sender, recipients, serial, reason";

inline std::optional<std::int64_t> seconds(const std::optional<TimePoint>& t) {
    return t ? std::optional<std::int64_t>(to_seconds(*t)) : std::nullopt;
}

inline std::string join(const std::vector<std::string>& recipients) {
    std::string text;
    for (const auto& r : recipients)
        text += (text.empty() ? "" : "\n") + r;
    return text;
}

inline std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

} // namespace segel::directory::trace_text
