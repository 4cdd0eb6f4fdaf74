// A bounded least-recently-used cache of what is costly to rebuild per
// message under OpenSSL 3 (about 120 us per certificate parse and 400 us per
// RSA key decode): parsed certificates, their issuing chains and unsealed
// keys, by certificate fingerprint. The RA status is never cached: it is read
// from the database on every lookup. A cached key is used only while the
// sealed bytes in the database are the ones it came from. Not thread-safe:
// the owner's mutex guards it.
#pragma once

#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <openssl/types.h>

#include "smime/certificate.hpp"

namespace segel::directory {

struct ParsedCertificate {
    smime::Certificate certificate;
    std::string sealed_ciphertext;         // what `key` was unsealed from
    std::shared_ptr<EVP_PKEY> key;
};

class ParsedCache {
public:
    explicit ParsedCache(std::size_t capacity) : m_capacity(capacity) {}

    ParsedCertificate* find(const std::string& fingerprint) {
        auto found = m_index.find(fingerprint);
        if (found == m_index.end())
            return nullptr;
        m_order.splice(m_order.begin(), m_order, found->second);
        return &found->second->second;
    }

    ParsedCertificate& insert(const std::string& fingerprint, ParsedCertificate value) {
        if (auto* existing = find(fingerprint)) {
            *existing = std::move(value);
            return *existing;
        }
        m_order.emplace_front(fingerprint, std::move(value));
        m_index.emplace(fingerprint, m_order.begin());
        if (m_order.size() > m_capacity) {
            m_index.erase(m_order.back().first);
            m_order.pop_back();
        }
        return m_order.front().second;
    }

    void clear() {
        m_index.clear();
        m_order.clear();
    }

private:
    using Entry = std::pair<std::string, ParsedCertificate>;
    std::size_t m_capacity;
    std::list<Entry> m_order; // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> m_index;
};

} // namespace segel::directory
