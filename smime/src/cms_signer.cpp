#include "cms_signer.hpp"

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include <openssl/err.h>

#include "openssl_error.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

namespace {
// RFC 8551 §2.5.2 (SM-10): our preference order; parameters absent.
constexpr int k_capabilities[] = {NID_aes_256_gcm, NID_aes_128_gcm, NID_aes_256_cbc, NID_aes_128_cbc};

Error crypto_error(const std::string& what) { return make_error(ErrorKind::crypto_failure, openssl_error_text(what)); }
} // namespace

Result<std::string> sign_detached(const SigningIdentity& identity, int content_fd) {
    ERR_clear_error();
    constexpr unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
    ossl::CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
    if (!cms)
        return crypto_error("cannot create CMS SignedData");
    CMS_SignerInfo* signer =
        CMS_add1_signer(cms.get(), identity.certificate().handle(), identity.private_key(), EVP_sha256(),
                        flags | CMS_NOSMIMECAP | CMS_CADES);
    if (signer == nullptr)
        return crypto_error("cannot add the signer");

    STACK_OF(X509_ALGOR)* raw_caps = nullptr;
    for (int nid : k_capabilities)
        if (CMS_add_simple_smimecap(&raw_caps, nid, -1) != 1) {
            ossl::AlgorStackPtr cleanup(raw_caps);
            return crypto_error("cannot build SMIMECapabilities");
        }
    ossl::AlgorStackPtr caps(raw_caps);
    if (CMS_add_smimecap(signer, caps.get()) != 1)
        return crypto_error("cannot add SMIMECapabilities");

    for (const auto& cert : identity.chain())
        if (CMS_add1_cert(cms.get(), cert.handle()) != 1)
            return crypto_error("cannot add a chain certificate");

    if (::lseek(content_fd, 0, SEEK_SET) < 0)
        return make_error(ErrorKind::io_failure, std::string("cannot rewind the part to sign: ") + std::strerror(errno));
    ossl::BioPtr content(BIO_new_fd(content_fd, BIO_NOCLOSE));
    if (!content || CMS_final(cms.get(), content.get(), nullptr, flags) != 1)
        return crypto_error("signing failed");
    if (CMS_is_detached(cms.get()) != 1)
        return make_error(ErrorKind::internal, "the SignedData carries its content; it must be detached");

    unsigned char* der = nullptr;
    const int length = i2d_CMS_ContentInfo(cms.get(), &der);
    if (length <= 0)
        return crypto_error("cannot encode the SignedData");
    ossl::OpensslStringPtr owner(reinterpret_cast<char*>(der));
    return std::string(owner.get(), static_cast<std::size_t>(length));
}

} // namespace segel::smime
