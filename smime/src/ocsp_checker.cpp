#include "smime/ocsp_checker.hpp"

#include <memory>

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "concurrency_limit.hpp"
#include "ocsp_response.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

namespace {
using CertIdPtr = std::unique_ptr<OCSP_CERTID, ossl::CFree<OCSP_CERTID_free>>;
using RequestPtr = std::unique_ptr<OCSP_REQUEST, ossl::CFree<OCSP_REQUEST_free>>;
} // namespace

OcspChecker::OcspChecker(OcspOptions options, TrustStore anchors)
    : m_options(std::move(options)), m_anchors(std::move(anchors)),
      m_in_flight(std::make_unique<ConcurrencyLimit>(m_options.max_in_flight)) {}

OcspChecker::~OcspChecker() = default;

std::optional<RevocationAnswer> OcspChecker::remembered(const std::string& key, Certificate::TimePoint now) const {
    std::lock_guard lock(m_mutex);
    if (std::chrono::steady_clock::now() < m_unreachable_until)
        return ocsp_unknown(m_unreachable_reason + " (not asked again for a while)");
    if (auto found = m_cache.find(key); found != m_cache.end() && found->second.until > now)
        return found->second.answer;
    return std::nullopt;
}

void OcspChecker::remember(const std::string& key, const Asked& asked, Certificate::TimePoint now) const {
    std::lock_guard lock(m_mutex);
    if (asked.unreachable) {
        m_unreachable_until = std::chrono::steady_clock::now() + m_options.failure_backoff;
        m_unreachable_reason = asked.answer.detail.substr(0, 300);
    }
    if (m_cache.size() > 10000)
        m_cache.clear(); // a bound, not an eviction policy: answers are cheap to ask again
    const bool counts = asked.answer.status != RevocationAnswer::Status::unknown && asked.valid_until;
    m_cache[key] = {asked.answer, counts ? *asked.valid_until : now + m_options.failure_backoff};
}

RevocationAnswer OcspChecker::check(const Certificate& signer, const Certificate& issuer,
                                    Certificate::TimePoint now) const {
    const std::string key = issuer.subject() + "\n" + signer.serial_hex();
    if (auto known = remembered(key, now))
        return *known;
    const auto slot = m_in_flight->acquire(m_options.limits.timeout);
    if (!slot)
        return ocsp_unknown("too many requests in flight to " + m_options.url);
    if (auto known = remembered(key, now)) // answered, or found unreachable, while we waited
        return *known;
    const Asked asked = ask(signer, issuer, now);
    remember(key, asked, now);
    return asked.answer;
}

OcspChecker::Asked OcspChecker::ask(const Certificate& signer, const Certificate& issuer,
                                    Certificate::TimePoint now) const {
    ERR_clear_error();
    // RFC 6960 §4.1.1: the certID hashes the issuer's name and key (SHA-1, as responders expect).
    CertIdPtr id(OCSP_cert_to_id(EVP_sha1(), signer.handle(), issuer.handle()));
    RequestPtr request(OCSP_REQUEST_new());
    if (!id || !request)
        return Asked{ocsp_unknown("cannot build a request"), std::nullopt, false};
    OCSP_CERTID* request_id = OCSP_CERTID_dup(id.get());
    if (request_id == nullptr || OCSP_request_add0_id(request.get(), request_id) == nullptr) {
        OCSP_CERTID_free(request_id);
        return Asked{ocsp_unknown("cannot build a request"), std::nullopt, false};
    }
    if (m_options.nonce && OCSP_request_add1_nonce(request.get(), nullptr, -1) != 1)
        return Asked{ocsp_unknown("cannot add a nonce"), std::nullopt, false};
    unsigned char* der = nullptr;
    const int der_length = i2d_OCSP_REQUEST(request.get(), &der);
    if (der_length <= 0)
        return Asked{ocsp_unknown("cannot encode the request"), std::nullopt, false};
    const std::string body(reinterpret_cast<const char*>(der), static_cast<std::size_t>(der_length));
    OPENSSL_free(der);

    auto reply = http_post(m_options.url, "application/ocsp-request", body, m_options.limits);
    if (!reply)
        return Asked{ocsp_unknown(reply.error().detail), std::nullopt, true};
    Asked asked;
    asked.answer = read_ocsp_response(*reply, request.get(), id.get(), issuer, now, m_options, m_anchors, asked.valid_until);
    return asked;
}

} // namespace segel::smime
