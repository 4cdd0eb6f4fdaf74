#include "smime/ocsp_checker.hpp"

#include <memory>

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "asn1_time.hpp"
#include "concurrency_limit.hpp"
#include "openssl_handles.hpp"
#include "smime/crl.hpp"

namespace segel::smime {

namespace {
using CertIdPtr = std::unique_ptr<OCSP_CERTID, ossl::CFree<OCSP_CERTID_free>>;
using RequestPtr = std::unique_ptr<OCSP_REQUEST, ossl::CFree<OCSP_REQUEST_free>>;
using ResponsePtr = std::unique_ptr<OCSP_RESPONSE, ossl::CFree<OCSP_RESPONSE_free>>;
using BasicPtr = std::unique_ptr<OCSP_BASICRESP, ossl::CFree<OCSP_BASICRESP_free>>;

RevocationAnswer unknown(std::string why) {
    ERR_clear_error();
    return {RevocationAnswer::Status::unknown, "OCSP: " + std::move(why)};
}
} // namespace

OcspChecker::OcspChecker(OcspOptions options, TrustStore anchors)
    : m_options(std::move(options)), m_anchors(std::move(anchors)),
      m_in_flight(std::make_unique<ConcurrencyLimit>(m_options.max_in_flight)) {}

OcspChecker::~OcspChecker() = default;

namespace {

// The response to `request` about `id`, checked (REV-02); a counting answer
// sets `valid_until`.
RevocationAnswer read_response(const std::string& reply, OCSP_REQUEST* request, OCSP_CERTID* id,
                               const Certificate& issuer, Certificate::TimePoint now, const OcspOptions& options,
                               const TrustStore& anchors, std::optional<Certificate::TimePoint>& valid_until) {
    const auto* p = reinterpret_cast<const unsigned char*>(reply.data());
    ResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(reply.size())));
    if (!response)
        return unknown("the answer from " + options.url + " is not an OCSP response");
    const int response_status = OCSP_response_status(response.get());
    if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return unknown(std::string("the responder answered ") + OCSP_response_status_str(response_status));
    BasicPtr basic(OCSP_response_get1_basic(response.get()));
    if (!basic)
        return unknown("the response has no basic response");
    // RFC 6960 §4.4.1: an echoed nonce must be ours; a responder may not echo one.
    if (options.nonce && OCSP_check_nonce(request, basic.get()) == 0)
        return unknown("the response's nonce is not ours (a replay?)");

    // REV-02: signed by the issuer, or by its delegate with id-kp-OCSPSigning;
    // with a pinned responder, by that certificate alone.
    ossl::BorrowedCertStackPtr certs(sk_X509_new_null());
    unsigned long flags = 0;
    if (options.pinned_responder) {
        sk_X509_push(certs.get(), options.pinned_responder->handle());
        flags = OCSP_NOINTERN | OCSP_TRUSTOTHER;
    } else {
        sk_X509_push(certs.get(), issuer.handle());
    }
    if (OCSP_basic_verify(basic.get(), certs.get(), anchors.handle(), flags) != 1)
        return unknown("the response is not signed by the issuer or its responder");

    int status = -1;
    int reason = -1;
    ASN1_GENERALIZEDTIME* revoked_at = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    if (OCSP_resp_find_status(basic.get(), id, &status, &reason, &revoked_at, &this_update, &next_update) != 1)
        return unknown("the response does not name the signer's certificate");
    // RFC 6960 §3.2: current, within the skew; without nextUpdate, not older than max_age.
    if (OCSP_check_validity(this_update, next_update, static_cast<long>(options.clock_skew.count()),
                            next_update != nullptr ? -1L : static_cast<long>(options.max_age.count())) != 1)
        return unknown("the response is not current");
    valid_until = next_update != nullptr ? to_time_point(next_update) : now + std::chrono::minutes(5);
    ERR_clear_error();
    switch (status) {
    case V_OCSP_CERTSTATUS_GOOD: return {RevocationAnswer::Status::good, "OCSP: good"};
    case V_OCSP_CERTSTATUS_REVOKED:
        return {RevocationAnswer::Status::revoked, std::string("OCSP: ") + revocation_reason_name(reason < 0 ? 0 : reason)};
    default: return unknown("the responder does not know the certificate");
    }
}

} // namespace


std::optional<RevocationAnswer> OcspChecker::remembered(const std::string& key, Certificate::TimePoint now) const {
    std::lock_guard lock(m_mutex);
    if (std::chrono::steady_clock::now() < m_unreachable_until)
        return unknown(m_unreachable_reason + " (not asked again for a while)");
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
        return unknown("too many requests in flight to " + m_options.url);
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
        return Asked{unknown("cannot build a request"), std::nullopt, false};
    OCSP_CERTID* request_id = OCSP_CERTID_dup(id.get());
    if (request_id == nullptr || OCSP_request_add0_id(request.get(), request_id) == nullptr) {
        OCSP_CERTID_free(request_id);
        return Asked{unknown("cannot build a request"), std::nullopt, false};
    }
    if (m_options.nonce && OCSP_request_add1_nonce(request.get(), nullptr, -1) != 1)
        return Asked{unknown("cannot add a nonce"), std::nullopt, false};
    unsigned char* der = nullptr;
    const int der_length = i2d_OCSP_REQUEST(request.get(), &der);
    if (der_length <= 0)
        return Asked{unknown("cannot encode the request"), std::nullopt, false};
    const std::string body(reinterpret_cast<const char*>(der), static_cast<std::size_t>(der_length));
    OPENSSL_free(der);

    auto reply = http_post(m_options.url, "application/ocsp-request", body, m_options.limits);
    if (!reply)
        return Asked{unknown(reply.error().detail), std::nullopt, true};
    Asked asked;
    asked.answer = read_response(*reply, request.get(), id.get(), issuer, now, m_options, m_anchors, asked.valid_until);
    return asked;
}

} // namespace segel::smime
