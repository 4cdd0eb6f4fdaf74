// How every storage backend stores a time: whole seconds since the epoch.
#pragma once

#include <chrono>
#include <cstdint>

#include "directory/model.hpp"

namespace segel::directory {

inline std::int64_t to_seconds(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline TimePoint from_seconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

} // namespace segel::directory
