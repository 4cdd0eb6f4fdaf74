#include "sessions.hpp"

#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "smime/digest.hpp"

namespace segel::web {

std::string random_token() {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("no random bytes for a session token");
    return smime::to_hex(bytes, sizeof bytes);
}

bool same_token(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string SessionStore::open(const std::string& login, const std::set<directory::admin::Role>& roles,
                               Clock::time_point now) {
    std::string token = random_token();
    std::lock_guard lock(m_mutex);
    for (auto it = m_sessions.begin(); it != m_sessions.end();)
        it = now - it->second.last_seen > m_idle_limit ? m_sessions.erase(it) : std::next(it);
    m_sessions[token] = Session{login, roles, random_token(), now};
    return token;
}

std::optional<Session> SessionStore::use(const std::string& token, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    auto it = m_sessions.find(token);
    if (it == m_sessions.end())
        return std::nullopt;
    if (now - it->second.last_seen > m_idle_limit) {
        m_sessions.erase(it);
        return std::nullopt;
    }
    it->second.last_seen = now;
    return it->second;
}

void SessionStore::close(const std::string& token) {
    std::lock_guard lock(m_mutex);
    m_sessions.erase(token);
}

void SessionStore::close_login(const std::string& login) {
    std::lock_guard lock(m_mutex);
    for (auto it = m_sessions.begin(); it != m_sessions.end();)
        it = it->second.login == login ? m_sessions.erase(it) : std::next(it);
}

} // namespace segel::web
