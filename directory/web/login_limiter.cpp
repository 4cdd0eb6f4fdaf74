#include "login_limiter.hpp"

#include <algorithm>

namespace segel::web {
namespace {
constexpr auto k_window = std::chrono::minutes(15);
constexpr auto k_first_pause = std::chrono::seconds(30);
constexpr auto k_longest_pause = std::chrono::minutes(15);
} // namespace

long LoginLimiter::wait_seconds(const std::string& key, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    auto it = m_records.find(key);
    if (it == m_records.end() || it->second.blocked_until <= now)
        return 0;
    return std::chrono::ceil<std::chrono::seconds>(it->second.blocked_until - now).count();
}

void LoginLimiter::failed(const std::string& key, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    if (m_records.size() > 100000) // a flood of made-up keys: forget the old ones
        for (auto it = m_records.begin(); it != m_records.end();)
            it = now - it->second.first > k_window && it->second.blocked_until <= now ? m_records.erase(it)
                                                                                      : std::next(it);
    Record& record = m_records[key];
    if (record.failures == 0 || (now - record.first > k_window && record.blocked_until <= now))
        record = Record{0, now, {}};
    ++record.failures;
    const int excess = record.failures - m_attempts;
    if (excess < 0)
        return;
    const auto pause = std::min<Clock::duration>(k_first_pause * (1L << std::min(excess, 10)), k_longest_pause);
    record.blocked_until = now + pause;
}

void LoginLimiter::succeeded(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_records.erase(key);
}

} // namespace segel::web
