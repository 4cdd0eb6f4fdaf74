#include "ocsp_response.hpp"

#include <openssl/err.h>

#include "asn1_time.hpp"
#include "openssl_handles.hpp"
#include "smime/crl.hpp"

namespace segel::smime {

namespace {
using ResponsePtr = std::unique_ptr<OCSP_RESPONSE, ossl::CFree<OCSP_RESPONSE_free>>;
using BasicPtr = std::unique_ptr<OCSP_BASICRESP, ossl::CFree<OCSP_BASICRESP_free>>;
} // namespace

RevocationAnswer ocsp_unknown(std::string why) {
    ERR_clear_error();
    return {RevocationAnswer::Status::unknown, "OCSP: " + std::move(why)};
}

RevocationAnswer read_ocsp_response(std::string_view reply, OCSP_REQUEST* request, OCSP_CERTID* id,
                                    const Certificate& issuer, Certificate::TimePoint now, const OcspOptions& options,
                                    const TrustStore& anchors, std::optional<Certificate::TimePoint>& valid_until) {
    const auto* p = reinterpret_cast<const unsigned char*>(reply.data());
    ResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(reply.size())));
    if (!response)
        return ocsp_unknown("the answer from " + options.url + " is not an OCSP response");
    const int response_status = OCSP_response_status(response.get());
    if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return ocsp_unknown(std::string("the responder answered ") + OCSP_response_status_str(response_status));
    BasicPtr basic(OCSP_response_get1_basic(response.get()));
    if (!basic)
        return ocsp_unknown("the response has no basic response");
    // RFC 6960 §4.4.1: an echoed nonce must be ours; a responder may not echo one.
    if (options.nonce && OCSP_check_nonce(request, basic.get()) == 0)
        return ocsp_unknown("the response's nonce is not ours (a replay?)");

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
        return ocsp_unknown("the response is not signed by the issuer or its responder");

    int status = -1;
    int reason = -1;
    ASN1_GENERALIZEDTIME* revoked_at = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    if (OCSP_resp_find_status(basic.get(), id, &status, &reason, &revoked_at, &this_update, &next_update) != 1)
        return ocsp_unknown("the response does not name the signer's certificate");
    // RFC 6960 §3.2: current, within the skew; without nextUpdate, not older than max_age.
    if (OCSP_check_validity(this_update, next_update, static_cast<long>(options.clock_skew.count()),
                            next_update != nullptr ? -1L : static_cast<long>(options.max_age.count())) != 1)
        return ocsp_unknown("the response is not current");
    valid_until = next_update != nullptr ? to_time_point(next_update) : now + std::chrono::minutes(5);
    ERR_clear_error();
    switch (status) {
    case V_OCSP_CERTSTATUS_GOOD: return {RevocationAnswer::Status::good, "OCSP: good"};
    case V_OCSP_CERTSTATUS_REVOKED:
        return {RevocationAnswer::Status::revoked, std::string("OCSP: ") + revocation_reason_name(reason < 0 ? 0 : reason)};
    default: return ocsp_unknown("the responder does not know the certificate");
    }
}

} // namespace segel::smime
