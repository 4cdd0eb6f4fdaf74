#include "smime/certificate.hpp"

#include <cstdio>
#include <ctime>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "openssl_error.hpp"
#include "smime/digest.hpp"
#include "asn1_time.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

std::string name_to_string(const X509_NAME* name) {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

std::string serial_to_hex(const ASN1_INTEGER* serial) {
    ossl::BignumPtr number(ASN1_INTEGER_to_BN(serial, nullptr));
    ossl::OpensslStringPtr hex(BN_bn2hex(number.get()));
    std::string text = hex ? std::string(hex.get()) : std::string();
    // BN_bn2hex pads to whole bytes ("03E8"); people write "3E8".
    const auto first = text.find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : text.substr(first);
}

Certificate Certificate::adopt(X509* cert) { return Certificate(std::shared_ptr<X509>(cert, X509_free)); }

Result<Certificate> Certificate::from_der(std::string_view der) {
    ERR_clear_error();
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (cert == nullptr)
        return make_error(ErrorKind::bad_credentials, openssl_error_text("cannot parse DER certificate"));
    return adopt(cert);
}

Result<std::vector<Certificate>> Certificate::load_pem_file(const std::string& path) {
    ERR_clear_error();
    ossl::BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio)
        return make_error(ErrorKind::bad_credentials, "cannot open certificate file " + path);
    std::vector<Certificate> certs;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        certs.push_back(adopt(cert));
    // The loop ends with a "no start line" error at end of file; that is normal.
    ERR_clear_error();
    if (certs.empty())
        return make_error(ErrorKind::bad_credentials, "no PEM certificate in " + path);
    return certs;
}

std::vector<std::string> Certificate::email_addresses() const {
    std::vector<std::string> emails;
    ossl::GeneralNamesPtr names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(handle(), NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type == GEN_EMAIL) {
            const ASN1_IA5STRING* email = name->d.rfc822Name;
            emails.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(email)),
                                static_cast<std::size_t>(ASN1_STRING_length(email)));
        }
    }
    const X509_NAME* subject = X509_get_subject_name(handle());
    for (int index = -1; (index = X509_NAME_get_index_by_NID(subject, NID_pkcs9_emailAddress, index)) >= 0;) {
        const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
        emails.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                            static_cast<std::size_t>(ASN1_STRING_length(value)));
    }
    return emails;
}

Certificate::TimePoint Certificate::not_before() const { return to_time_point(X509_get0_notBefore(handle())); }
Certificate::TimePoint Certificate::not_after() const { return to_time_point(X509_get0_notAfter(handle())); }
std::string Certificate::subject() const { return name_to_string(X509_get_subject_name(handle())); }
std::string Certificate::issuer() const { return name_to_string(X509_get_issuer_name(handle())); }

std::string Certificate::serial_hex() const {
    return serial_to_hex(X509_get0_serialNumber(handle()));
}

std::string Certificate::sha256_fingerprint_hex() const { return sha256_hex(der()); }

std::string Certificate::subject_key_identifier_hex() const {
    const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(m_cert.get());
    std::string hex;
    if (id == nullptr)
        return hex;
    static constexpr char k_digits[] = "0123456789abcdef";
    const unsigned char* bytes = ASN1_STRING_get0_data(id);
    for (int i = 0; i < ASN1_STRING_length(id); ++i) {
        hex += k_digits[bytes[i] >> 4];
        hex += k_digits[bytes[i] & 0xf];
    }
    return hex;
}

std::string Certificate::der() const {
    unsigned char* buffer = nullptr;
    const int length = i2d_X509(handle(), &buffer);
    if (length <= 0)
        return {};
    ossl::OpensslStringPtr owner(reinterpret_cast<char*>(buffer));
    return std::string(owner.get(), static_cast<std::size_t>(length));
}

bool Certificate::is_self_signed() const { return X509_self_signed(handle(), 0) == 1; }

std::string format_utc(Certificate::TimePoint when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    struct tm parts {};
    gmtime_r(&seconds, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
    return text;
}

} // namespace segel::smime
