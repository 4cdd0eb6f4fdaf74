#include "smime/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "openssl_error.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

Result<TrustStore> TrustStore::from_certificates(const std::vector<Certificate>& anchors) {
    if (anchors.empty())
        return make_error(ErrorKind::bad_credentials, "no trust anchor given");
    ERR_clear_error();
    std::shared_ptr<X509_STORE> store(X509_STORE_new(), X509_STORE_free);
    if (!store)
        return make_error(ErrorKind::internal, "cannot create a certificate store");
    for (const auto& anchor : anchors)
        if (X509_STORE_add_cert(store.get(), anchor.handle()) != 1)
            return make_error(ErrorKind::bad_credentials, openssl_error_text("cannot add a trust anchor"));
    return TrustStore(std::move(store), anchors.size());
}

Result<TrustStore> TrustStore::load_pem_file(const std::string& path) {
    auto anchors = Certificate::load_pem_file(path);
    if (!anchors)
        return anchors.error();
    return from_certificates(*anchors);
}

Result<void> TrustStore::check_ca(const Certificate& ca, const std::vector<Certificate>& intermediates) const {
    ERR_clear_error();
    if (X509_check_ca(ca.handle()) == 0)
        return make_error(ErrorKind::bad_credentials, ca.subject() + " is not a CA certificate");
    ossl::BorrowedCertStackPtr untrusted(sk_X509_new_null());
    std::unique_ptr<X509_STORE_CTX, ossl::CFree<X509_STORE_CTX_free>> context(X509_STORE_CTX_new());
    if (!untrusted || !context)
        return make_error(ErrorKind::internal, "out of memory");
    for (const auto& certificate : intermediates)
        if (sk_X509_push(untrusted.get(), certificate.handle()) <= 0)
            return make_error(ErrorKind::internal, "out of memory");
    if (X509_STORE_CTX_init(context.get(), m_store.get(), ca.handle(), untrusted.get()) != 1)
        return make_error(ErrorKind::internal, openssl_error_text("cannot check a certificate chain"));
    if (X509_verify_cert(context.get()) != 1)
        return make_error(ErrorKind::bad_credentials,
                          ca.subject() + " does not chain to a trust anchor: " +
                              X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get())));
    return {};
}

} // namespace segel::smime
