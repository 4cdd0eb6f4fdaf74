#include "crl_builder.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace segel::test {

namespace {
template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME, ASN1_TIME_free>>;

std::unique_ptr<FILE, int (*)(FILE*)> open_file(const std::string& path, const char* mode) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), mode), &std::fclose);
    if (!f)
        throw std::runtime_error("cannot open " + path);
    return f;
}

TimePtr to_asn1(std::chrono::system_clock::time_point t) {
    return TimePtr(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
}
} // namespace

void write_crl(const CrlSpec& spec, const std::string& path) {
    X509Ptr issuer(PEM_read_X509(open_file(spec.issuer_cert_pem, "r").get(), nullptr, nullptr, nullptr));
    PkeyPtr key(PEM_read_PrivateKey(open_file(spec.signer_key_pem, "r").get(), nullptr, nullptr, nullptr));
    if (!issuer || !key)
        throw std::runtime_error("cannot read the CRL issuer or key");
    CrlPtr crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get()));
    X509_CRL_set1_lastUpdate(crl.get(), to_asn1(spec.this_update).get());
    if (spec.next_update)
        X509_CRL_set1_nextUpdate(crl.get(), to_asn1(*spec.next_update).get());
    for (const auto& entry : spec.revoked) {
        X509_REVOKED* revoked = X509_REVOKED_new();
        BIGNUM* number = nullptr;
        BN_hex2bn(&number, entry.serial_hex.c_str());
        ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(number, nullptr);
        X509_REVOKED_set_serialNumber(revoked, serial);
        X509_REVOKED_set_revocationDate(revoked, to_asn1(spec.this_update).get());
        if (entry.reason_code >= 0) {
            ASN1_ENUMERATED* reason = ASN1_ENUMERATED_new();
            ASN1_ENUMERATED_set(reason, entry.reason_code);
            X509_REVOKED_add1_ext_i2d(revoked, NID_crl_reason, reason, 0, 0);
            ASN1_ENUMERATED_free(reason);
        }
        X509_CRL_add0_revoked(crl.get(), revoked);
        ASN1_INTEGER_free(serial);
        BN_free(number);
    }
    if (spec.crl_number) {
        ASN1_INTEGER* number = ASN1_INTEGER_new();
        ASN1_INTEGER_set(number, *spec.crl_number);
        X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number, 0, 0);
        ASN1_INTEGER_free(number);
    }
    X509_CRL_sort(crl.get());
    if (X509_CRL_sign(crl.get(), key.get(), EVP_sha256()) <= 0)
        throw std::runtime_error("cannot sign the CRL");
    if (PEM_write_X509_CRL(open_file(path, "w").get(), crl.get()) != 1)
        throw std::runtime_error("cannot write " + path);
}

} // namespace segel::test
