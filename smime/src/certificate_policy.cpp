#include "smime/certificate_policy.hpp"

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "ascii.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

Result<void> check_signing_certificate(const Certificate& cert, Certificate::TimePoint now) {
    if (now < cert.not_before())
        return make_error(ErrorKind::certificate_not_yet_valid,
                          "the certificate is not valid before " + format_utc(cert.not_before()));
    if (now > cert.not_after())
        return make_error(ErrorKind::certificate_expired,
                          "the certificate expired on " + format_utc(cert.not_after()));

    // RFC 8550 §4.4.2: an absent KeyUsage allows signing; a present one must
    // include digitalSignature or nonRepudiation.
    const uint32_t usage = X509_get_key_usage(cert.handle());
    if (usage != UINT32_MAX && (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
        return make_error(ErrorKind::certificate_key_usage,
                          "the certificate's key usage allows neither digitalSignature nor nonRepudiation");

    // RFC 8550 §4.4.4: a present EKU must allow email protection. We insist on
    // id-kp-emailProtection itself: OpenSSL verifiers reject an
    // anyExtendedKeyUsage-only certificate (OSSL-03), so it would not verify.
    int critical = 0;
    ossl::EkuPtr eku(static_cast<EXTENDED_KEY_USAGE*>(
        X509_get_ext_d2i(cert.handle(), NID_ext_key_usage, &critical, nullptr)));
    if (eku) {
        bool email_protection = false;
        for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
            email_protection |= OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), i)) == NID_email_protect;
        if (!email_protection)
            return make_error(ErrorKind::certificate_extended_key_usage,
                              "the certificate's extended key usage does not include emailProtection");
    } else if (critical != -1) {
        return make_error(ErrorKind::certificate_extended_key_usage,
                          "the certificate's extended key usage extension cannot be parsed");
    }
    return {};
}

Result<void> check_encryption_certificate(const Certificate& cert, Certificate::TimePoint now) {
    if (now < cert.not_before())
        return make_error(ErrorKind::certificate_not_yet_valid,
                          "the certificate is not valid before " + format_utc(cert.not_before()));
    if (now > cert.not_after())
        return make_error(ErrorKind::certificate_expired, "the certificate expired on " + format_utc(cert.not_after()));
    const uint32_t usage = X509_get_key_usage(cert.handle());
    if (usage == UINT32_MAX)
        return {};
    const EVP_PKEY* key = X509_get0_pubkey(cert.handle());
    const bool agreement = key != nullptr && (EVP_PKEY_is_a(key, "EC") || EVP_PKEY_is_a(key, "X25519") ||
                                              EVP_PKEY_is_a(key, "X448"));
    const uint32_t needed = agreement ? KU_KEY_AGREEMENT : KU_KEY_ENCIPHERMENT;
    if ((usage & needed) == 0)
        return make_error(ErrorKind::certificate_key_usage,
                          std::string("the certificate's key usage does not allow ") +
                              (agreement ? "keyAgreement" : "keyEncipherment") + ": it is not for encryption");
    return {};
}

Result<void> check_certificate_covers(const Certificate& cert, std::string_view addr_spec) {
    const auto emails = cert.email_addresses();
    for (const auto& email : emails)
        if (ascii::iequals(email, addr_spec))
            return {};
    std::string listed;
    for (const auto& email : emails)
        listed += (listed.empty() ? "" : ", ") + ascii::printable(email);
    return make_error(ErrorKind::certificate_address_mismatch,
                      "the From address " + ascii::printable(addr_spec) + " is not in the certificate (" +
                          (listed.empty() ? std::string("it has no email address") : "it has " + listed) + ")");
}

} // namespace segel::smime
