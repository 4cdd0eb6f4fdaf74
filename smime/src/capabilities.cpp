#include "smime/capabilities.hpp"

#include <memory>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace segel::smime {

namespace {

struct FreeAlgors {
    void operator()(X509_ALGORS* algors) const noexcept { sk_X509_ALGOR_pop_free(algors, X509_ALGOR_free); }
};
struct FreeAlgor {
    void operator()(X509_ALGOR* algor) const noexcept { X509_ALGOR_free(algor); }
};
struct FreeOaep {
    void operator()(RSA_OAEP_PARAMS* params) const noexcept { RSA_OAEP_PARAMS_free(params); }
};

int nid_of(const X509_ALGOR* algorithm) {
    const ASN1_OBJECT* oid = nullptr;
    X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
    return OBJ_obj2nid(oid);
}

// The SEQUENCE parameter of an AlgorithmIdentifier, decoded as `item`.
template <class T>
T* sequence_parameter(const X509_ALGOR* algorithm, const ASN1_ITEM* item) {
    int type = 0;
    const void* value = nullptr;
    X509_ALGOR_get0(nullptr, &type, &value, algorithm);
    if (type != V_ASN1_SEQUENCE || value == nullptr)
        return nullptr;
    return static_cast<T*>(ASN1_item_unpack(static_cast<const ASN1_STRING*>(value), item));
}

// RSAES-OAEP-params with SHA-256 as the hash and as MGF1's hash (RFC 4055).
bool oaep_sha256(const X509_ALGOR* capability) {
    std::unique_ptr<RSA_OAEP_PARAMS, FreeOaep> params(
        sequence_parameter<RSA_OAEP_PARAMS>(capability, ASN1_ITEM_rptr(RSA_OAEP_PARAMS)));
    if (!params || params->hashFunc == nullptr || nid_of(params->hashFunc) != NID_sha256 ||
        params->maskGenFunc == nullptr || nid_of(params->maskGenFunc) != NID_mgf1)
        return false;
    std::unique_ptr<X509_ALGOR, FreeAlgor> mgf1_hash(
        sequence_parameter<X509_ALGOR>(params->maskGenFunc, ASN1_ITEM_rptr(X509_ALGOR)));
    return mgf1_hash && nid_of(mgf1_hash.get()) == NID_sha256;
}

} // namespace

AdvertisedAlgorithms parse_capabilities(std::string_view der) {
    AdvertisedAlgorithms advertised;
    const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<X509_ALGORS, FreeAlgors> list(d2i_X509_ALGORS(nullptr, &bytes, static_cast<long>(der.size())));
    if (list) {
        for (int i = 0; i < sk_X509_ALGOR_num(list.get()); ++i) {
            const X509_ALGOR* capability = sk_X509_ALGOR_value(list.get(), i);
            const int nid = nid_of(capability);
            advertised.aes256_gcm |= nid == NID_aes_256_gcm;
            advertised.rsa_oaep_sha256 |= nid == NID_rsaesOaep && oaep_sha256(capability);
        }
    }
    ERR_clear_error();
    return advertised;
}

AdvertisedAlgorithms certificate_capabilities(const Certificate& certificate) {
    const int index = X509_get_ext_by_NID(certificate.handle(), NID_SMIMECapabilities, -1);
    if (index < 0)
        return {};
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(certificate.handle(), index));
    if (value == nullptr)
        return {};
    return parse_capabilities(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                                               static_cast<std::size_t>(ASN1_STRING_length(value))));
}

} // namespace segel::smime
