#include "signer_checks.hpp"

#include <chrono>
#include <cstring>
#include <ctime>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "ascii.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

namespace {

const ASN1_OCTET_STRING* signed_attribute_octets(CMS_SignerInfo* si, int nid) {
    return static_cast<const ASN1_OCTET_STRING*>(
        CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(nid), -3, V_ASN1_OCTET_STRING));
}

std::optional<std::time_t> to_time_t(const ASN1_TIME* time) {
    std::tm broken_down{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &broken_down) != 1)
        return std::nullopt;
    return timegm(&broken_down);
}

// CH-10 (RFC 8551 §6): signingTime is what the signer asserts, so it only
// counts against the signature: it may not lie ahead of the verification time
// beyond the skew, nor outside the signer certificate's validity. Empty when
// the attribute is absent (it is optional) or plausible.
// The one signingTime attribute's value; nullopt when absent, repeated or unreadable.
std::optional<std::time_t> signing_time_of(CMS_SignerInfo* si) {
    const int index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (index < 0 || CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, index) >= 0)
        return std::nullopt;
    X509_ATTRIBUTE* attribute = CMS_signed_get_attr(si, index);
    const ASN1_TYPE* value = X509_ATTRIBUTE_count(attribute) == 1 ? X509_ATTRIBUTE_get0_type(attribute, 0) : nullptr;
    const int type = value != nullptr ? ASN1_TYPE_get(value) : -1;
    return type == V_ASN1_UTCTIME || type == V_ASN1_GENERALIZEDTIME ? to_time_t(value->value.asn1_string)
                                                                     : std::nullopt;
}

std::string signing_time_problem(CMS_SignerInfo* si, X509* signer, std::time_t now, std::chrono::seconds skew) {
    const int index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (index < 0)
        return {};
    if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, index) >= 0)
        return "the signature carries two signing times";
    const auto signed_at = signing_time_of(si);
    if (!signed_at)
        return "the signing time cannot be read";
    const auto not_before = to_time_t(X509_get0_notBefore(signer));
    const auto not_after = to_time_t(X509_get0_notAfter(signer));
    const std::time_t tolerance = skew.count();
    if (*signed_at > now + tolerance)
        return "the signing time lies in the future";
    if ((not_before && *signed_at < *not_before - tolerance) || (not_after && *signed_at > *not_after + tolerance))
        return "the signing time lies outside the certificate's validity";
    return {};
}

// RFC 8551 §2.5.3: the certificate SMIMEEncryptionKeyPreference names by
// issuerAndSerialNumber ([0] IMPLICIT), when the signature carries it.
std::optional<Certificate> encryption_key_preference(CMS_SignerInfo* si, STACK_OF(X509) * certs) {
    const int index = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_encrypKeyPref, -1);
    if (index < 0 || certs == nullptr)
        return std::nullopt;
    X509_ATTRIBUTE* attribute = CMS_signed_get_attr(si, index);
    ASN1_TYPE* value = X509_ATTRIBUTE_count(attribute) == 1 ? X509_ATTRIBUTE_get0_type(attribute, 0) : nullptr;
    unsigned char* der = nullptr;
    const int length = value != nullptr ? i2d_ASN1_TYPE(value, &der) : 0;
    ossl::OpensslBytesPtr owner(der);
    if (length < 2 || der[0] != 0xA0)
        return std::nullopt;
    for (int i = 0; i < sk_X509_num(certs); ++i) {
        X509* candidate = sk_X509_value(certs, i);
        unsigned char* issuer = nullptr;
        unsigned char* serial = nullptr;
        const int issuer_length = i2d_X509_NAME(X509_get_issuer_name(candidate), &issuer);
        const int serial_length = i2d_ASN1_INTEGER(X509_get_serialNumber(candidate), &serial);
        ossl::OpensslBytesPtr issuer_owner(issuer), serial_owner(serial);
        if (issuer_length <= 0 || serial_length <= 0)
            continue;
        const std::string wanted = std::string(reinterpret_cast<char*>(issuer), static_cast<std::size_t>(issuer_length)) +
                                   std::string(reinterpret_cast<char*>(serial), static_cast<std::size_t>(serial_length));
        const std::string_view whole(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
        if (whole.size() > wanted.size() && whole.substr(whole.size() - wanted.size()) == wanted &&
            whole.size() - wanted.size() <= 6) { // A0, then the length octets
            X509_up_ref(candidate);
            return Certificate::adopt(candidate);
        }
    }
    return std::nullopt;
}

// A SignerInfo without signed attributes: its signature over the content.
bool signature_over_content(CMS_SignerInfo* si, EVP_PKEY* key, const EVP_MD* md, std::string_view content) {
    const ASN1_OCTET_STRING* signature = CMS_SignerInfo_get0_signature(si);
    std::unique_ptr<EVP_MD_CTX, ossl::CFree<EVP_MD_CTX_free>> context(EVP_MD_CTX_new());
    return signature != nullptr && context && EVP_DigestVerifyInit(context.get(), nullptr, md, nullptr, key) == 1 &&
           EVP_DigestVerify(context.get(), ASN1_STRING_get0_data(signature), static_cast<std::size_t>(ASN1_STRING_length(signature)),
                            reinterpret_cast<const unsigned char*>(content.data()), content.size()) == 1;
}

// RFC 8550 §4.4.4 accepts anyExtendedKeyUsage where OpenSSL's smimesign
// purpose does not (OSSL-03): at the signer (depth 0) only, and only when its
// key usage still allows signing (CH-06), the purpose error is forgiven.
int forgive_any_extended_key_usage(int ok, X509_STORE_CTX* context) {
    if (ok != 0 || X509_STORE_CTX_get_error(context) != X509_V_ERR_INVALID_PURPOSE ||
        X509_STORE_CTX_get_error_depth(context) != 0)
        return ok;
    X509* certificate = X509_STORE_CTX_get_current_cert(context);
    const bool any_eku = (X509_get_extension_flags(certificate) & EXFLAG_XKUSAGE) != 0 &&
                         (X509_get_extended_key_usage(certificate) & XKU_ANYEKU) != 0;
    const bool may_sign = (X509_get_key_usage(certificate) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
    if (!any_eku || !may_sign)
        return ok;
    X509_STORE_CTX_set_error(context, X509_V_OK);
    return 1;
}

bool lists_email_protection(X509* certificate) {
    return (X509_get_extension_flags(certificate) & EXFLAG_XKUSAGE) != 0 &&
           (X509_get_extended_key_usage(certificate) & XKU_SMIME) != 0;
}

} // namespace

SignerReport check_signer(CMS_ContentInfo* cms, CMS_SignerInfo* si, std::string_view content,
                          STACK_OF(X509) * certs, const TrustStore& anchors, const VerifyOptions& options,
                          const std::string& from) {
    SignerReport report;
    EVP_PKEY* key = nullptr;
    X509* signer = nullptr;
    X509_ALGOR* digest_algorithm = nullptr;
    X509_ALGOR* signature_algorithm = nullptr;
    CMS_SignerInfo_get0_algs(si, &key, &signer, &digest_algorithm, &signature_algorithm);
    if (signer == nullptr)
        return report; // no certificate for this SignerInfo (CH-03)
    X509_up_ref(signer);
    report.certificate = Certificate::adopt(signer);

    const int digest_nid = OBJ_obj2nid(digest_algorithm->algorithm);
    report.digest = OBJ_nid2sn(digest_nid);
    const EVP_MD* md = EVP_get_digestbynid(digest_nid);
    report.key_too_large = key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
                           EVP_PKEY_get_bits(key) > options.max_rsa_bits;
    if (CMS_signed_get_attr_count(si) <= 0 && md != nullptr && key != nullptr) {
        // RFC 5652 §5.4: without signed attributes the signature is over the
        // content itself (so a changed content reads as a bad signature).
        report.attributes_valid = OBJ_obj2nid(CMS_get0_eContentType(cms)) == NID_pkcs7_data;
        report.signature_valid = !report.key_too_large && signature_over_content(si, key, md, content);
        report.digest_matches = report.signature_valid;
        ERR_clear_error();
    } else if (md != nullptr) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_Digest(content.data(), content.size(), digest, &length, md, nullptr);
        const ASN1_OCTET_STRING* claimed = signed_attribute_octets(si, NID_pkcs9_messageDigest);
        report.digest_matches = claimed != nullptr && static_cast<unsigned int>(ASN1_STRING_length(claimed)) == length &&
                                std::memcmp(ASN1_STRING_get0_data(claimed), digest, length) == 0;
        // CMS-02: contentType attribute = eContentType = id-data; SM-10: one SMIMECapabilities.
        const auto* content_type = static_cast<const ASN1_OBJECT*>(
            CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT));
        const int first_caps = CMS_signed_get_attr_by_NID(si, NID_SMIMECapabilities, -1);
        if (const auto* caps = static_cast<const ASN1_STRING*>(
                CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_SMIMECapabilities), -3, V_ASN1_SEQUENCE)))
            report.capabilities = parse_capabilities(std::string_view(
                reinterpret_cast<const char*>(ASN1_STRING_get0_data(caps)), static_cast<std::size_t>(ASN1_STRING_length(caps))));
        report.attributes_valid = content_type != nullptr && OBJ_obj2nid(content_type) == NID_pkcs7_data &&
                                  OBJ_obj2nid(CMS_get0_eContentType(cms)) == NID_pkcs7_data &&
                                  (first_caps < 0 || CMS_signed_get_attr_by_NID(si, NID_SMIMECapabilities, first_caps) < 0);
        ERR_clear_error();
        report.signature_valid = !report.key_too_large && CMS_SignerInfo_verify(si) == 1;
        ERR_clear_error();
        const auto now = std::chrono::system_clock::to_time_t(options.at.value_or(std::chrono::system_clock::now()));
        report.signing_time_problem = signing_time_problem(si, signer, now, options.clock_skew);
        if (const auto signed_at = signing_time_of(si))
            report.signing_time = std::chrono::system_clock::from_time_t(*signed_at);
        report.encryption_certificate = encryption_key_preference(si, certs);
    }

    std::unique_ptr<X509_STORE_CTX, ossl::CFree<X509_STORE_CTX_free>> context(X509_STORE_CTX_new());
    if (context && X509_STORE_CTX_init(context.get(), anchors.handle(), signer, certs) == 1) {
        X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SMIME_SIGN);
        // RFC 5280 §6.1: process certificate policies, so that invalid
        // mappings (to or from anyPolicy) break the path.
        X509_STORE_CTX_set_flags(context.get(), X509_V_FLAG_POLICY_CHECK);
        if (options.eku_policy == EkuPolicy::any_eku)
            X509_STORE_CTX_set_verify_cb(context.get(), forgive_any_extended_key_usage);
        if (options.at)
            X509_STORE_CTX_set_time(context.get(), 0, std::chrono::system_clock::to_time_t(*options.at));
        report.chain_valid = X509_verify_cert(context.get()) == 1;
        if (report.chain_valid) {
            STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(context.get());
            if (X509* top = chain != nullptr && sk_X509_num(chain) > 0 ? sk_X509_value(chain, sk_X509_num(chain) - 1)
                                                                      : nullptr) {
                X509_up_ref(top);
                report.anchor = Certificate::adopt(top);
            }
        }
        if (!report.chain_valid) {
            report.chain_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get()));
        } else if (options.eku_policy == EkuPolicy::email_protection && !lists_email_protection(signer)) {
            report.chain_valid = false;
            report.chain_error = "no emailProtection extended key usage (required by the EKU policy)";
        }
        report.revocation.status = RevocationAnswer::Status::good;
        if (report.chain_valid && options.revocation) {
            // The issuer is the validated chain's second certificate.
            STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(context.get());
            if (chain != nullptr && sk_X509_num(chain) >= 2) {
                X509* issuer = sk_X509_value(chain, 1);
                X509_up_ref(issuer);
                report.revocation = options.revocation(*report.certificate, Certificate::adopt(issuer));
            } else {
                report.revocation = {RevocationAnswer::Status::unknown, "the signer's issuer is not known"};
            }
        }
    }
    ERR_clear_error();

    const bool weak_digest = digest_nid == NID_sha1 || digest_nid == NID_md5 || digest_nid == NID_md4;
    report.weak = (weak_digest && !options.allow_sha1) ||
                  (key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) < 2048);
    if (!from.empty())
        for (const auto& email : report.certificate->email_addresses())
            report.bound_to_from |= ascii::iequals(email, from);
    return report;
}

} // namespace segel::smime
