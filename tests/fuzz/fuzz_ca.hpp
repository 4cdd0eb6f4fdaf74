// Throw-away certificates for the fuzz targets, made once in memory (no key
// on disk): a certificate with an EC P-256 key, self-signed or issued by
// another, with the extensions given in openssl's configuration syntax.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "smime/certificate.hpp"

namespace segel::fuzz {

struct MadeCertificate {
    smime::Certificate certificate;
    std::shared_ptr<EVP_PKEY> key;
};

// `issuer` empty: self-signed. `extensions`: {NID, value} pairs.
inline MadeCertificate make_certificate(const std::string& common_name, long serial,
                                        const std::vector<std::pair<int, std::string>>& extensions,
                                        const MadeCertificate* issuer = nullptr) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer->certificate.handle()) : name);
    X509_set_pubkey(cert, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer->certificate.handle() : cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] : extensions) {
        X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        X509_add_ext(cert, extension, -1);
        X509_EXTENSION_free(extension);
    }
    X509_sign(cert, issuer != nullptr ? issuer->key.get() : key, EVP_sha256());
    return {smime::Certificate::adopt(cert), std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free)};
}

} // namespace segel::fuzz
