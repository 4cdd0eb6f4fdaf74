// RAII owners for the OpenSSL handles the smime module uses. A handle from a
// get1/new call is wrapped; get0 results are borrowed and never wrapped;
// set0/add0 take ownership, so release() only after such a call succeeds.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace segel::smime::ossl {

template <auto Fn>
struct CFree {
    template <class T>
    void operator()(T* p) const noexcept { Fn(p); }
};

inline void free_cert_stack(STACK_OF(X509)* s) noexcept { sk_X509_pop_free(s, X509_free); }
inline void free_borrowed_cert_stack(STACK_OF(X509)* s) noexcept { sk_X509_free(s); } // certificates not owned
inline void free_algor_stack(STACK_OF(X509_ALGOR)* s) noexcept { sk_X509_ALGOR_pop_free(s, X509_ALGOR_free); }
inline void free_general_names(GENERAL_NAMES* n) noexcept { GENERAL_NAMES_free(n); }
inline void free_openssl_string(char* p) noexcept { OPENSSL_free(p); }
inline void free_openssl_bytes(unsigned char* p) noexcept { OPENSSL_free(p); }
inline void free_eku(EXTENDED_KEY_USAGE* e) noexcept { sk_ASN1_OBJECT_pop_free(e, ASN1_OBJECT_free); }

using BignumPtr = std::unique_ptr<BIGNUM, CFree<BN_free>>;
using OpensslStringPtr = std::unique_ptr<char, CFree<free_openssl_string>>;
using OpensslBytesPtr = std::unique_ptr<unsigned char, CFree<free_openssl_bytes>>;
using X509Ptr = std::unique_ptr<X509, CFree<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, CFree<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, CFree<BIO_free_all>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, CFree<ASN1_OBJECT_free>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, CFree<CMS_ContentInfo_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, CFree<PKCS12_free>>;
using CertStackPtr = std::unique_ptr<STACK_OF(X509), CFree<free_cert_stack>>;
using BorrowedCertStackPtr = std::unique_ptr<STACK_OF(X509), CFree<free_borrowed_cert_stack>>;
using AlgorStackPtr = std::unique_ptr<STACK_OF(X509_ALGOR), CFree<free_algor_stack>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, CFree<free_general_names>>;
using EkuPtr = std::unique_ptr<EXTENDED_KEY_USAGE, CFree<free_eku>>;

} // namespace segel::smime::ossl
