#include "smime/crl.hpp"

#include <cstring>
#include <ctime>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ascii.hpp"
#include "openssl_error.hpp"
#include "asn1_time.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

const char* revocation_reason_name(int code) noexcept {
    switch (code) {
    case 1: return "key compromise";
    case 2: return "CA compromise";
    case 3: return "affiliation changed";
    case 4: return "superseded";
    case 5: return "cessation of operation";
    case 6: return "certificate hold";
    case 9: return "privilege withdrawn";
    case 10: return "AA compromise";
    default: return "unspecified";
    }
}

Result<std::vector<Crl>> Crl::load_all(const std::string& path) {
    ERR_clear_error();
    ossl::BioPtr bio(BIO_new_file(path.c_str(), "rb"));
    if (!bio)
        return make_error(ErrorKind::bad_credentials, "cannot open CRL file " + path);
    return read_all(bio.get(), path);
}

Result<std::vector<Crl>> Crl::parse_all(std::string_view data, const std::string& name) {
    ERR_clear_error();
    ossl::BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio)
        return make_error(ErrorKind::internal, "cannot read " + name);
    return read_all(bio.get(), name);
}

namespace {

// One PEM block: its type and DER bytes.
struct PemBlock {
    ossl::OpensslStringPtr type, header;
    ossl::OpensslBytesPtr der;
    long length = 0;
};

// Reads the next block; false at the clean end of the input.
Result<bool> next_pem_block(BIO* bio, PemBlock& block, const std::string& name, int number) {
    char* type = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    if (PEM_read_bio(bio, &type, &header, &der, &block.length) == 1) {
        block.type.reset(type);
        block.header.reset(header);
        block.der.reset(der);
        return true;
    }
    const unsigned long error = ERR_peek_last_error();
    if (ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
        return false;
    }
    return make_error(ErrorKind::bad_credentials,
                      openssl_error_text(name + ": PEM block " + std::to_string(number) + " cannot be read"));
}

} // namespace

Result<std::vector<Crl>> Crl::read_all(BIO* bio, const std::string& name) {
    std::vector<Crl> crls;
    for (int number = 1;; ++number) {
        PemBlock block;
        auto found = next_pem_block(bio, block, name, number);
        if (!found)
            return found.error();
        if (!*found)
            break;
        if (std::strcmp(block.type.get(), PEM_STRING_X509_CRL) != 0)
            return make_error(ErrorKind::bad_credentials, name + ": PEM block " + std::to_string(number) + " is a " +
                                                              ascii::printable(block.type.get()) + ", not a CRL");
        const unsigned char* p = block.der.get();
        X509_CRL* crl = d2i_X509_CRL(nullptr, &p, block.length);
        if (crl == nullptr)
            return make_error(ErrorKind::bad_credentials, openssl_error_text(name + ": PEM block " +
                                                                             std::to_string(number) + " is not a valid CRL"));
        crls.push_back(Crl(std::shared_ptr<X509_CRL>(crl, X509_CRL_free)));
    }
    if (!crls.empty())
        return crls;
    // No PEM at all: one DER CRL.
    BIO_reset(bio);
    X509_CRL* crl = d2i_X509_CRL_bio(bio, nullptr);
    if (crl == nullptr)
        return make_error(ErrorKind::bad_credentials, openssl_error_text(name + " is not a CRL in PEM or DER"));
    crls.push_back(Crl(std::shared_ptr<X509_CRL>(crl, X509_CRL_free)));
    return crls;
}

std::string Crl::issuer() const {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), X509_CRL_get_issuer(m_crl.get()), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

Crl::TimePoint Crl::this_update() const { return to_time_point(X509_CRL_get0_lastUpdate(m_crl.get())); }

std::optional<Crl::TimePoint> Crl::next_update() const {
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(m_crl.get());
    if (next == nullptr)
        return std::nullopt;
    return to_time_point(next);
}

std::vector<CrlEntry> Crl::entries() const {
    std::vector<CrlEntry> entries;
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(m_crl.get());
    const int count = sk_X509_REVOKED_num(revoked);
    entries.reserve(static_cast<std::size_t>(std::max(count, 0)));
    for (int i = 0; i < count; ++i) {
        const X509_REVOKED* item = sk_X509_REVOKED_value(revoked, i);
        CrlEntry entry;
        entry.serial_hex = serial_to_hex(X509_REVOKED_get0_serialNumber(item));
        entry.revoked_at = to_time_point(X509_REVOKED_get0_revocationDate(item));
        int critical = 0;
        if (auto* reason = static_cast<ASN1_ENUMERATED*>(
                X509_REVOKED_get_ext_d2i(item, NID_crl_reason, &critical, nullptr))) {
            entry.reason_code = static_cast<int>(ASN1_ENUMERATED_get(reason));
            ASN1_ENUMERATED_free(reason);
        }
        if (auto* invalidity = static_cast<ASN1_GENERALIZEDTIME*>(
                X509_REVOKED_get_ext_d2i(item, NID_invalidity_date, &critical, nullptr))) {
            entry.invalidity_date = to_time_point(invalidity);
            ASN1_GENERALIZEDTIME_free(invalidity);
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::optional<int> Crl::compare_number(const Crl& other) const {
    using NumberPtr = std::unique_ptr<ASN1_INTEGER, ossl::CFree<ASN1_INTEGER_free>>;
    NumberPtr mine(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(m_crl.get(), NID_crl_number, nullptr, nullptr)));
    NumberPtr theirs(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(other.m_crl.get(), NID_crl_number, nullptr, nullptr)));
    if (!mine || !theirs)
        return std::nullopt;
    return ASN1_INTEGER_cmp(mine.get(), theirs.get());
}

Result<void> Crl::check_signed_by(const Certificate& issuer_cert) const {
    ERR_clear_error();
    if (X509_NAME_cmp(X509_CRL_get_issuer(m_crl.get()), X509_get_subject_name(issuer_cert.handle())) != 0)
        return make_error(ErrorKind::bad_credentials,
                          "the CRL is issued by \"" + issuer() + "\", not by \"" + issuer_cert.subject() + "\"");
    const uint32_t usage = X509_get_key_usage(issuer_cert.handle());
    if (usage != UINT32_MAX && (usage & KU_CRL_SIGN) == 0)
        return make_error(ErrorKind::bad_credentials, "the issuer certificate does not allow cRLSign");
    EVP_PKEY* key = X509_get0_pubkey(issuer_cert.handle());
    if (key == nullptr || X509_CRL_verify(m_crl.get(), key) != 1)
        return make_error(ErrorKind::bad_credentials, openssl_error_text("the CRL's signature does not verify"));
    return {};
}

} // namespace segel::smime
