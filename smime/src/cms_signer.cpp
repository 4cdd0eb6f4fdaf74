#include "cms_signer.hpp"

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "openssl_error.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

namespace {
// RFC 8551 §2.5.2 (SM-10): our preference order; parameters absent.
constexpr int k_capabilities[] = {NID_aes_256_gcm, NID_aes_128_gcm, NID_aes_256_cbc, NID_aes_128_cbc};

Error crypto_error(const std::string& what) { return make_error(ErrorKind::crypto_failure, openssl_error_text(what)); }

// RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 4055 §4.1, RFC 8551
// §2.5.2): the key transport we read besides PKCS#1 v1.5, with its
// parameters, since absent ones would mean SHA-1.
Result<void> add_oaep_capability(STACK_OF(X509_ALGOR)* caps) {
    struct FreeOaep {
        void operator()(RSA_OAEP_PARAMS* p) const noexcept { RSA_OAEP_PARAMS_free(p); }
    };
    struct FreeAlgor {
        void operator()(X509_ALGOR* a) const noexcept { X509_ALGOR_free(a); }
    };
    std::unique_ptr<RSA_OAEP_PARAMS, FreeOaep> params(RSA_OAEP_PARAMS_new());
    std::unique_ptr<X509_ALGOR, FreeAlgor> mgf1_digest(X509_ALGOR_new());
    std::unique_ptr<X509_ALGOR, FreeAlgor> capability(X509_ALGOR_new());
    if (!params || !mgf1_digest || !capability)
        return crypto_error("cannot build the RSA-OAEP capability");
    params->hashFunc = X509_ALGOR_new();
    params->maskGenFunc = X509_ALGOR_new();
    if (params->hashFunc == nullptr || params->maskGenFunc == nullptr)
        return crypto_error("cannot build the RSA-OAEP capability");
    X509_ALGOR_set_md(params->hashFunc, EVP_sha256());
    X509_ALGOR_set_md(mgf1_digest.get(), EVP_sha256());
    ASN1_STRING* mgf1_parameter = ASN1_item_pack(mgf1_digest.get(), ASN1_ITEM_rptr(X509_ALGOR), nullptr);
    if (mgf1_parameter == nullptr || X509_ALGOR_set0(params->maskGenFunc, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE,
                                                     mgf1_parameter) != 1) {
        ASN1_STRING_free(mgf1_parameter);
        return crypto_error("cannot build the RSA-OAEP capability");
    }
    ASN1_STRING* packed = ASN1_item_pack(params.get(), ASN1_ITEM_rptr(RSA_OAEP_PARAMS), nullptr);
    if (packed == nullptr || X509_ALGOR_set0(capability.get(), OBJ_nid2obj(NID_rsaesOaep), V_ASN1_SEQUENCE, packed) != 1) {
        ASN1_STRING_free(packed);
        return crypto_error("cannot build the RSA-OAEP capability");
    }
    if (sk_X509_ALGOR_push(caps, capability.get()) <= 0)
        return crypto_error("cannot build SMIMECapabilities");
    capability.release(); // the stack owns it
    return {};
}
// RFC 8551 §2.5.3: SMIMEEncryptionKeyPreference ::= CHOICE {
// issuerAndSerialNumber [0] IssuerAndSerialNumber, ... }, the [0] implicit
// on the SEQUENCE, so its tag becomes A0.
Result<void> add_encryption_key_preference(CMS_ContentInfo* cms, CMS_SignerInfo* signer, const Certificate& preferred) {
    unsigned char* issuer = nullptr;
    unsigned char* serial = nullptr;
    const int issuer_length = i2d_X509_NAME(X509_get_issuer_name(preferred.handle()), &issuer);
    const int serial_length = i2d_ASN1_INTEGER(X509_get_serialNumber(preferred.handle()), &serial);
    ossl::OpensslStringPtr issuer_owner(reinterpret_cast<char*>(issuer)), serial_owner(reinterpret_cast<char*>(serial));
    if (issuer_length <= 0 || serial_length <= 0)
        return crypto_error("cannot encode the encryption key preference");
    const std::string content = std::string(issuer_owner.get(), static_cast<std::size_t>(issuer_length)) +
                                std::string(serial_owner.get(), static_cast<std::size_t>(serial_length));
    std::string value(1, '\xA0');
    if (content.size() < 0x80) {
        value += static_cast<char>(content.size());
    } else {
        std::string length;
        for (std::size_t n = content.size(); n > 0; n >>= 8)
            length.insert(length.begin(), static_cast<char>(n & 0xFF));
        value += static_cast<char>(0x80 | length.size());
        value += length;
    }
    value += content;
    ASN1_OBJECT* oid = OBJ_txt2obj("1.2.840.113549.1.9.16.2.11", 1);
    const bool added = oid != nullptr &&
                       CMS_signed_add1_attr_by_OBJ(signer, oid, V_ASN1_SEQUENCE, value.data(),
                                                   static_cast<int>(value.size())) == 1;
    ASN1_OBJECT_free(oid);
    if (!added || CMS_add1_cert(cms, preferred.handle()) != 1)
        return crypto_error("cannot add the encryption key preference");
    return {};
}

} // namespace

Result<std::string> sign_detached(const SigningIdentity& identity, int content_fd,
                                  const Certificate* encryption_certificate) {
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
    if (auto oaep = add_oaep_capability(caps.get()); !oaep)
        return oaep.error();
    if (CMS_add_smimecap(signer, caps.get()) != 1)
        return crypto_error("cannot add SMIMECapabilities");

    for (const auto& cert : identity.chain())
        if (CMS_add1_cert(cms.get(), cert.handle()) != 1)
            return crypto_error("cannot add a chain certificate");
    if (encryption_certificate != nullptr)
        if (auto preferred = add_encryption_key_preference(cms.get(), signer, *encryption_certificate); !preferred)
            return preferred.error();

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
