#include "smime/certificate_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "openssl_handles.hpp"

namespace segel::smime {

namespace {

struct FreePkcs7 {
    void operator()(PKCS7* p7) const noexcept { PKCS7_free(p7); }
};
using Pkcs7Ptr = std::unique_ptr<PKCS7, FreePkcs7>;

bool has_extension(const std::string& path, std::initializer_list<const char*> extensions) {
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::any_of(extensions.begin(), extensions.end(), [&lower](const char* e) {
        const std::string ext(e);
        return lower.size() > ext.size() && lower.compare(lower.size() - ext.size(), ext.size(), ext) == 0;
    });
}

void adopt_all(STACK_OF(X509)* stack, std::vector<Certificate>& out) {
    for (int i = 0; stack != nullptr && i < sk_X509_num(stack); ++i) {
        X509* cert = sk_X509_value(stack, i);
        X509_up_ref(cert);
        out.push_back(Certificate::adopt(cert));
    }
}

// PKCS#7 certs-only, DER or PEM.
std::vector<Certificate> from_pkcs7(const std::string& bytes) {
    std::vector<Certificate> certs;
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    Pkcs7Ptr p7(d2i_PKCS7(nullptr, &data, static_cast<long>(bytes.size())));
    if (!p7) {
        ossl::BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
        p7.reset(PEM_read_bio_PKCS7(bio.get(), nullptr, nullptr, nullptr));
    }
    if (p7 && PKCS7_type_is_signed(p7.get()) && p7->d.sign != nullptr)
        adopt_all(p7->d.sign->cert, certs);
    return certs;
}

std::vector<Certificate> from_pem_or_der(const std::string& bytes) {
    std::vector<Certificate> certs;
    ossl::BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        certs.push_back(Certificate::adopt(cert));
    if (certs.empty())
        if (auto der = Certificate::from_der(bytes))
            certs.push_back(std::move(der).value());
    return certs;
}

Result<std::vector<Certificate>> from_pkcs12(const std::string& bytes, const std::string& path,
                                             const Passphrase* passphrase) {
    if (passphrase == nullptr)
        return make_error(ErrorKind::bad_credentials, path + " is PKCS#12: it needs its passphrase");
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    ossl::Pkcs12Ptr p12(d2i_PKCS12(nullptr, &data, static_cast<long>(bytes.size())));
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* others = nullptr;
    if (!p12 || PKCS12_parse(p12.get(), passphrase->text().c_str(), &key, &cert, &others) != 1)
        return make_error(ErrorKind::bad_credentials, path + " cannot be read as PKCS#12 with that passphrase");
    ossl::PkeyPtr discarded(key); // never kept: correspondents' keys are not ours
    ossl::CertStackPtr rest(others);
    std::vector<Certificate> certs;
    if (cert != nullptr)
        certs.push_back(Certificate::adopt(cert));
    adopt_all(rest.get(), certs);
    return certs;
}

} // namespace

Result<std::vector<Certificate>> load_end_entity_certificates(const std::string& path,
                                                              const Passphrase* pkcs12_passphrase) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorKind::io_failure, "cannot read " + path);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ERR_clear_error();
    std::vector<Certificate> certs;
    if (has_extension(path, {".p12", ".pfx"})) {
        auto loaded = from_pkcs12(bytes, path, pkcs12_passphrase);
        if (!loaded)
            return loaded.error();
        certs = std::move(loaded).value();
    } else {
        certs = from_pkcs7(bytes);
        if (certs.empty())
            certs = from_pem_or_der(bytes);
    }
    ERR_clear_error();
    certs.erase(std::remove_if(certs.begin(), certs.end(), [](const Certificate& c) { return X509_check_ca(c.handle()) != 0; }),
                certs.end());
    if (certs.empty())
        return make_error(ErrorKind::malformed_message, path + " holds no end-entity certificate (PEM, DER, PKCS#7 or PKCS#12)");
    return certs;
}

} // namespace segel::smime
