// Failed decryptions counted per sending address and per key (DEC-03): an
// attacker who sends one ciphertext after another to learn from how each
// fails is stopped after max_per_hour failures in an hour, for that sender
// and for that key; their messages are then delivered as they came without
// a try. Fixed one-hour windows; at most max_tracked names are kept (the
// expired ones go first). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace segel::milter {

class DecryptionFailures {
public:
    using Clock = std::chrono::steady_clock;

    // max_per_hour 0: no limit.
    explicit DecryptionFailures(long max_per_hour, std::size_t max_tracked = 100000)
        : m_max_per_hour(max_per_hour), m_max_tracked(max_tracked) {}

    // Whether a decryption may be tried: no name is over its limit.
    bool allowed(const std::vector<std::string>& names, Clock::time_point now = Clock::now()) const;
    // Counts one failure against each name.
    void record(const std::vector<std::string>& names, Clock::time_point now = Clock::now());

private:
    struct Window {
        Clock::time_point start;
        long failures = 0;
    };
    void forget_expired(Clock::time_point now);

    long m_max_per_hour;
    std::size_t m_max_tracked;
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, Window> m_windows;
};

} // namespace segel::milter
