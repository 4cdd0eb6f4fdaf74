#include "smime/signing_identity.hpp"

#include <fstream>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "openssl_error.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

Passphrase::~Passphrase() {
    if (!m_text.empty())
        OPENSSL_cleanse(m_text.data(), m_text.size());
}

Result<Passphrase> Passphrase::read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorKind::bad_credentials, "cannot read passphrase file " + path);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    Passphrase passphrase(line);
    OPENSSL_cleanse(line.data(), line.size());
    return passphrase;
}

SigningIdentity::SigningIdentity(Certificate certificate, std::shared_ptr<EVP_PKEY> key,
                                 std::vector<Certificate> chain)
    : m_certificate(std::move(certificate)), m_key(std::move(key)), m_chain(std::move(chain)) {}

Result<SigningIdentity> SigningIdentity::assemble(Certificate certificate, std::shared_ptr<EVP_PKEY> key,
                                                  std::vector<Certificate> chain) {
    ERR_clear_error();
    if (X509_check_private_key(certificate.handle(), key.get()) != 1)
        return make_error(ErrorKind::bad_credentials,
                          openssl_error_text("the private key does not belong to the certificate"));
    std::vector<Certificate> intermediates;
    for (auto& cert : chain) {
        // CH-12: the chain up to, but not including, the root; never the signer twice.
        if (cert.is_self_signed() || X509_cmp(cert.handle(), certificate.handle()) == 0)
            continue;
        intermediates.push_back(std::move(cert));
    }
    return SigningIdentity(std::move(certificate), std::move(key), std::move(intermediates));
}

Result<SigningIdentity> SigningIdentity::load_pem(const std::string& cert_path, const std::string& key_path,
                                                  const std::string& chain_path, const Passphrase& passphrase) {
    auto certs = Certificate::load_pem_file(cert_path);
    if (!certs)
        return certs.error();
    std::vector<Certificate> chain(certs->begin() + 1, certs->end());
    if (!chain_path.empty()) {
        auto extra = Certificate::load_pem_file(chain_path);
        if (!extra)
            return extra.error();
        chain.insert(chain.end(), extra->begin(), extra->end());
    }

    ERR_clear_error();
    ossl::BioPtr bio(BIO_new_file(key_path.c_str(), "r"));
    if (!bio)
        return make_error(ErrorKind::bad_credentials, "cannot open key file " + key_path);
    // An unencrypted key ignores the passphrase; an encrypted one needs it.
    std::string pass = passphrase.text();
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, pass.data());
    OPENSSL_cleanse(pass.data(), pass.size());
    if (key == nullptr)
        return make_error(ErrorKind::bad_credentials,
                          openssl_error_text("cannot read the private key in " + key_path +
                                             " (wrong or missing passphrase?)"));
    return assemble(certs->front(), std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free), std::move(chain));
}

Result<SigningIdentity> SigningIdentity::load_pkcs12(const std::string& path, const Passphrase& passphrase) {
    ERR_clear_error();
    ossl::BioPtr bio(BIO_new_file(path.c_str(), "rb"));
    if (!bio)
        return make_error(ErrorKind::bad_credentials, "cannot open PKCS#12 file " + path);
    ossl::Pkcs12Ptr p12(d2i_PKCS12_bio(bio.get(), nullptr));
    if (!p12)
        return make_error(ErrorKind::bad_credentials, openssl_error_text("cannot parse PKCS#12 file " + path));
    EVP_PKEY* raw_key = nullptr;
    X509* raw_cert = nullptr;
    STACK_OF(X509)* raw_chain = nullptr;
    if (PKCS12_parse(p12.get(), passphrase.text().c_str(), &raw_key, &raw_cert, &raw_chain) != 1)
        return make_error(ErrorKind::bad_credentials,
                          openssl_error_text("cannot open PKCS#12 file " + path + " (wrong passphrase?)"));
    std::shared_ptr<EVP_PKEY> key(raw_key, EVP_PKEY_free);
    ossl::CertStackPtr stack(raw_chain);
    if (raw_cert == nullptr)
        return make_error(ErrorKind::bad_credentials, "PKCS#12 file " + path + " holds no certificate");
    if (!key)
        return make_error(ErrorKind::bad_credentials, "PKCS#12 file " + path + " holds no private key");
    std::vector<Certificate> chain;
    while (stack && sk_X509_num(stack.get()) > 0)
        chain.push_back(Certificate::adopt(sk_X509_shift(stack.get())));
    return assemble(Certificate::adopt(raw_cert), std::move(key), std::move(chain));
}

} // namespace segel::smime
