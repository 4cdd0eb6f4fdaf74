// The MIME side of verification: which entities are S/MIME signed, the exact
// received bytes a multipart/signed signature covers (RFC 2046 §5.1.1,
// RFC 8551 §3.1.1), and the walk that counts what a message may cost the
// verifier (SM-16). Internal to smime; reentrant.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <gmime/gmime.h>

#include "smime/message_spool.hpp"
#include "smime/verifier.hpp"

namespace segel::smime {

// Part 1 of a multipart/signed body as received: from after the first
// delimiter line to just before the line end that precedes the next one
// (that line end belongs to the delimiter); transport padding is allowed.
std::optional<std::string_view> raw_first_part(std::string_view body, std::string_view boundary);

// Canonical form as transmitted: bare LF becomes CRLF (RFC 8551 §3.1.1).
// Bytes already in that form (as they arrive over SMTP) are returned as
// they are; otherwise the canonical copy is made in `storage`.
std::string_view canonical_crlf(std::string_view bytes, std::string& storage);

// The body of a MIME entity given as bytes: what follows the blank line
// that ends its header fields (RFC 2045 §3).
std::string_view entity_body(std::string_view entity);

// A leaf's content, transfer-decoded; empty for a multipart.
std::string decoded_content(GMimeObject* object);

bool is_pkcs7_mime(GMimeObject* object); // application/(x-)pkcs7-mime (SM-08)
bool is_signed_entity(GMimeObject* object); // multipart/signed with an S/MIME protocol, or pkcs7-mime

// What one message may cost the verifier (SM-16, SEC-07). `which` names the
// first cap passed; empty while within all of them.
class Budget {
public:
    explicit Budget(const VerifyOptions& options) : m_options(options) {}
    const std::string& which() const { return m_exceeded; }

    bool spend_parts(std::size_t n) { return spend(m_parts, n, m_options.max_parts, "more MIME parts than allowed"); }
    bool spend_bytes(std::size_t n) {
        return spend(m_bytes, n, m_options.max_decoded_bytes, "more decoded signed content than allowed");
    }
    bool spend_certificates(std::size_t n) {
        return spend(m_certificates, n, m_options.max_certificates, "more certificates than allowed");
    }
    bool refuse(std::string why) {
        if (m_exceeded.empty())
            m_exceeded = std::move(why);
        return false;
    }

private:
    bool spend(std::size_t& used, std::size_t n, std::size_t cap, const char* why) {
        used += n;
        return used <= cap || refuse(why);
    }
    const VerifyOptions& m_options;
    std::size_t m_parts = 0;
    std::size_t m_bytes = 0;
    std::size_t m_certificates = 0;
    std::string m_exceeded;
};

// Walks the entities below `object`, counting them against the budget, and
// notes whether a signed entity sits anywhere below it, forwarded messages
// included (SEC-02). False when a cap is passed.
bool scan_below(GMimeObject* object, int depth, Budget& budget, const VerifyOptions& options, bool& nested_signature);

} // namespace segel::smime
