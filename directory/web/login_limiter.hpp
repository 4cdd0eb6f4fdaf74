// Failed logins, counted per account and per client address: after
// `attempts` failures within 15 minutes, that key may not try again for a
// pause that doubles with each further failure (30 s, 60 s, ... at most 15
// minutes). A successful login clears its account's count. Checked before
// a password is hashed, so a blocked key costs no Argon2 work. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "sessions.hpp"

namespace segel::web {

class LoginLimiter {
public:
    explicit LoginLimiter(int attempts) : m_attempts(attempts) {}

    // Seconds until `key` may try again; 0: now.
    long wait_seconds(const std::string& key, Clock::time_point now);
    void failed(const std::string& key, Clock::time_point now);
    void succeeded(const std::string& key);

private:
    struct Record {
        int failures = 0;
        Clock::time_point first, blocked_until;
    };
    int m_attempts;
    std::mutex m_mutex;
    std::map<std::string, Record> m_records;
};

} // namespace segel::web
