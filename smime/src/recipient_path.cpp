#include "smime/recipient_path.hpp"

#include <chrono>
#include <memory>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "openssl_handles.hpp"

namespace segel::smime {

namespace {

bool email_use_allowed(X509* certificate) {
    if ((X509_get_extension_flags(certificate) & EXFLAG_XKUSAGE) == 0)
        return true;
    return (X509_get_extended_key_usage(certificate) & (XKU_SMIME | XKU_ANYEKU)) != 0;
}

RecipientPathCheck refused(std::string why, bool transient = false) {
    return RecipientPathCheck{false, transient, false, std::move(why)};
}

} // namespace

RecipientPathCheck check_recipient_path(const Certificate& recipient, const TrustStore& anchors,
                                        Certificate::TimePoint at, const RevocationCheck& revocation) {
    if (!email_use_allowed(recipient.handle()))
        return refused("its extended key usage does not allow email protection");
    ERR_clear_error();
    std::unique_ptr<X509_STORE_CTX, ossl::CFree<X509_STORE_CTX_free>> context(X509_STORE_CTX_new());
    if (!context || X509_STORE_CTX_init(context.get(), anchors.handle(), recipient.handle(), nullptr) != 1)
        return refused("its chain cannot be checked (out of memory)", true);
    // RFC 5280 §6.1 with policies processed, as for signers.
    X509_STORE_CTX_set_flags(context.get(), X509_V_FLAG_POLICY_CHECK);
    X509_STORE_CTX_set_time(context.get(), 0, std::chrono::system_clock::to_time_t(at));
    if (X509_verify_cert(context.get()) != 1) {
        const int error = X509_STORE_CTX_get_error(context.get());
        ERR_clear_error();
        return refused(std::string("it does not chain to a trust anchor: ") + X509_verify_cert_error_string(error));
    }
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(context.get());
    if (chain == nullptr || sk_X509_num(chain) < 2)
        return refused("it is self-signed, not issued by a trusted CA");
    X509* issuer_handle = sk_X509_value(chain, 1);
    X509_up_ref(issuer_handle);
    const Certificate issuer = Certificate::adopt(issuer_handle);
    const RevocationAnswer answer =
        revocation ? revocation(recipient, issuer) : RevocationAnswer{RevocationAnswer::Status::good, ""};
    ERR_clear_error();
    switch (answer.status) {
    case RevocationAnswer::Status::good: return RecipientPathCheck{true, false, false, ""};
    case RevocationAnswer::Status::revoked: {
        RecipientPathCheck check = refused("it is revoked (" + answer.detail + ")");
        check.revoked = true;
        return check;
    }
    case RevocationAnswer::Status::unknown: break;
    }
    return refused("its revocation status cannot be told now (" + answer.detail + ")", true);
}

} // namespace segel::smime
