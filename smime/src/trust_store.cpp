#include "smime/trust_store.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "openssl_error.hpp"

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

} // namespace segel::smime
