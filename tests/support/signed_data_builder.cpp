#include "signed_data_builder.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace segel::test {

namespace {
template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
void free_cert_stack(STACK_OF(X509) * certs) { sk_X509_pop_free(certs, X509_free); }
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME, ASN1_TIME_free>>;
using CertStackPtr = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), free_cert_stack>>;

BioPtr open_file(const std::string& path) {
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio)
        throw std::runtime_error("cannot open " + path);
    return bio;
}
} // namespace

std::string opaque_signed_at(const std::string& content, const std::string& cert_pem, const std::string& key_pem,
                             const std::string& chain_pem, std::chrono::system_clock::time_point signed_at) {
    AttributeTweaks tweaks;
    tweaks.signed_at = signed_at;
    return opaque_signed_with(content, cert_pem, key_pem, chain_pem, tweaks);
}

namespace {

X509Ptr read_cert(const std::string& path) {
    X509Ptr cert(PEM_read_bio_X509(open_file(path).get(), nullptr, nullptr, nullptr));
    if (!cert)
        throw std::runtime_error("cannot read the certificate " + path);
    return cert;
}

CmsPtr build(const std::string& content, const std::string& cert_pem, const std::string& key_pem,
             const std::string& chain_pem, const AttributeTweaks& tweaks) {
    X509Ptr cert = read_cert(cert_pem);
    PkeyPtr key(PEM_read_bio_PrivateKey(open_file(key_pem).get(), nullptr, nullptr, nullptr));
    CertStackPtr chain(sk_X509_new_null());
    if (!chain_pem.empty()) {
        BioPtr chain_file = open_file(chain_pem);
        while (X509* extra = PEM_read_bio_X509(chain_file.get(), nullptr, nullptr, nullptr))
            sk_X509_push(chain.get(), extra);
        ERR_clear_error(); // the read that ended the loop
    }
    if (!key)
        throw std::runtime_error("cannot read the signer's key");

    const unsigned flags = CMS_BINARY | CMS_PARTIAL;
    CmsPtr cms(CMS_sign(nullptr, nullptr, chain.get(), nullptr, flags));
    CMS_SignerInfo* signer = cms ? CMS_add1_signer(cms.get(), cert.get(), key.get(), EVP_sha256(), flags) : nullptr;
    // With the attribute already there, OpenSSL does not add its own clock's.
    TimePtr time(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(tweaks.signed_at)));
    if (signer == nullptr || !time ||
        CMS_signed_add1_attr_by_NID(signer, NID_pkcs9_signingTime, ASN1_STRING_type(time.get()), time.get(), -1) != 1)
        throw std::runtime_error("cannot add the signer");
    // The contentType attribute copies the eContentType at signing; the
    // eContentType itself is not signed, so it is set back afterwards.
    if (tweaks.content_type_nid != 0 && CMS_set1_eContentType(cms.get(), OBJ_nid2obj(tweaks.content_type_nid)) != 1)
        throw std::runtime_error("cannot set the eContentType");
    if (tweaks.second_capabilities) {
        STACK_OF(X509_ALGOR)* capabilities = sk_X509_ALGOR_new_null();
        const bool added = capabilities != nullptr && CMS_add_simple_smimecap(&capabilities, NID_aes_128_cbc, -1) == 1 &&
                           CMS_add_smimecap(signer, capabilities) == 1;
        sk_X509_ALGOR_pop_free(capabilities, X509_ALGOR_free);
        if (!added)
            throw std::runtime_error("cannot add a second SMIMECapabilities");
    }
    BioPtr in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    if (CMS_final(cms.get(), in.get(), nullptr, CMS_BINARY) != 1)
        throw std::runtime_error(std::string("cannot sign: ") + ERR_error_string(ERR_peek_last_error(), nullptr));
    if (tweaks.content_type_nid != 0 && CMS_set1_eContentType(cms.get(), OBJ_nid2obj(NID_pkcs7_data)) != 1)
        throw std::runtime_error("cannot set the eContentType back");
    return cms;
}

std::string as_smime(CMS_ContentInfo* cms) {
    BioPtr out(BIO_new(BIO_s_mem()));
    if (SMIME_write_CMS(out.get(), cms, nullptr, CMS_BINARY) != 1)
        throw std::runtime_error("cannot write the signed-data");
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

} // namespace

std::string opaque_signed_with(const std::string& content, const std::string& cert_pem, const std::string& key_pem,
                               const std::string& chain_pem, const AttributeTweaks& tweaks) {
    return as_smime(build(content, cert_pem, key_pem, chain_pem, tweaks).get());
}

std::string opaque_with_second_signer(const std::string& content, const std::string& cert_pem,
                                      const std::string& key_pem, const SecondSigner& second) {
    CmsPtr cms = build(content, cert_pem, key_pem, second.chain_pem, {});
    CmsPtr other = build(second.signed_content, second.cert_pem, second.key_pem, "", {});
    STACK_OF(CMS_SignerInfo)* moved_from = CMS_get0_SignerInfos(other.get());
    CMS_SignerInfo* signer = sk_CMS_SignerInfo_delete(moved_from, 0);
    if (signer == nullptr || sk_CMS_SignerInfo_insert(CMS_get0_SignerInfos(cms.get()), signer, second.first ? 0 : -1) == 0)
        throw std::runtime_error("cannot move the second SignerInfo");
    if (CMS_add1_cert(cms.get(), read_cert(second.cert_pem).get()) != 1)
        ERR_clear_error(); // the same signer twice: its certificate is there already
    return as_smime(cms.get());
}

} // namespace segel::test
