#include "milter/decryption_failures.hpp"

namespace segel::milter {

namespace {
constexpr auto k_window = std::chrono::hours(1);
}

bool DecryptionFailures::allowed(const std::vector<std::string>& names, Clock::time_point now) const {
    if (m_max_per_hour <= 0)
        return true;
    std::lock_guard lock(m_mutex);
    for (const auto& name : names) {
        const auto found = m_windows.find(name);
        if (found != m_windows.end() && now - found->second.start < k_window &&
            found->second.failures >= m_max_per_hour)
            return false;
    }
    return true;
}

void DecryptionFailures::record(const std::vector<std::string>& names, Clock::time_point now) {
    if (m_max_per_hour <= 0)
        return;
    std::lock_guard lock(m_mutex);
    if (m_windows.size() + names.size() > m_max_tracked)
        forget_expired(now);
    for (const auto& name : names) {
        if (m_windows.size() >= m_max_tracked && m_windows.find(name) == m_windows.end())
            continue; // full of live windows: the names already counted keep their limits
        Window& window = m_windows[name];
        if (window.failures == 0 || now - window.start >= k_window)
            window = Window{now, 0};
        ++window.failures;
    }
}

void DecryptionFailures::forget_expired(Clock::time_point now) {
    for (auto it = m_windows.begin(); it != m_windows.end();)
        it = now - it->second.start >= k_window ? m_windows.erase(it) : std::next(it);
}

} // namespace segel::milter
