// Logins of the web page: a random session token (the cookie) per login,
// with the account's roles, a CSRF token that every change must carry, and
// an idle timeout. In memory: restarting segel-admin logs everyone out.
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "directory/admin/operator.hpp"

namespace segel::web {

using Clock = std::chrono::steady_clock;

struct Session {
    std::string login;
    std::set<directory::admin::Role> roles;
    std::string csrf;          // sent back with every change (header or form field)
    Clock::time_point last_seen;
};

class SessionStore {
public:
    explicit SessionStore(std::chrono::minutes idle_limit) : m_idle_limit(idle_limit) {}

    // A new session; returns its token (64 hex digits).
    std::string open(const std::string& login, const std::set<directory::admin::Role>& roles, Clock::time_point now);
    // The session of `token` if it exists and was used within the idle
    // limit; marks it used. An expired session is forgotten.
    std::optional<Session> use(const std::string& token, Clock::time_point now);
    void close(const std::string& token);
    // Ends every session of a login (its account was removed or changed).
    void close_login(const std::string& login);

private:
    std::chrono::minutes m_idle_limit;
    std::mutex m_mutex;
    std::map<std::string, Session> m_sessions;
};

// 32 random bytes as 64 lower-case hex digits (OpenSSL's RAND_bytes).
std::string random_token();
// Equality that takes the same time wherever the first difference is.
bool same_token(const std::string& a, const std::string& b);

} // namespace segel::web
