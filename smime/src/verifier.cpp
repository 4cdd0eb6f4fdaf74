#include "smime/verifier.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

#include <sys/mman.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "ascii.hpp"
#include "gmime_handles.hpp"
#include "mime_document.hpp"
#include "openssl_handles.hpp"
#include "smime/sender_address.hpp"

namespace segel::smime {

namespace {

// ---- the bytes that were signed ---------------------------------------------

// A read-only view of the spooled message.
class SpoolView {
public:
    explicit SpoolView(const SpooledMessage& message) : m_size(message.size()) {
        void* map = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, message.fd(), 0);
        if (map != MAP_FAILED)
            m_data = static_cast<const char*>(map);
    }
    ~SpoolView() {
        if (m_data != nullptr)
            ::munmap(const_cast<char*>(m_data), m_size);
    }
    SpoolView(const SpoolView&) = delete;
    SpoolView& operator=(const SpoolView&) = delete;
    bool ok() const { return m_data != nullptr; }
    std::string_view bytes() const { return {m_data, m_size}; }

private:
    std::size_t m_size;
    const char* m_data = nullptr;
};

// RFC 2046 §5.1.1: part 1 runs from after the first delimiter line to just
// before the line end that precedes the next delimiter (that line end
// belongs to the delimiter). Transport padding after the boundary is allowed.
std::optional<std::string_view> raw_first_part(std::string_view body, std::string_view boundary) {
    const std::string delimiter = "--" + std::string(boundary);
    std::optional<std::size_t> start;
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = body.find('\n', pos);
        const std::size_t next = end == std::string_view::npos ? body.size() : end + 1;
        std::string_view line = body.substr(pos, (end == std::string_view::npos ? body.size() : end) - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        const bool is_delimiter = line == delimiter || line == delimiter + "--";
        if (is_delimiter) {
            if (!start) {
                start = next;
            } else {
                std::size_t stop = pos;
                if (stop > *start && body[stop - 1] == '\n')
                    --stop;
                if (stop > *start && body[stop - 1] == '\r')
                    --stop;
                return body.substr(*start, stop - *start);
            }
        }
        pos = next;
    }
    return std::nullopt;
}

// Canonical form as transmitted: bare LF becomes CRLF (RFC 8551 §3.1.1).
std::string crlf(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 32);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))
            out += '\r';
        out += bytes[i];
    }
    return out;
}

std::string decoded_content(GMimeObject* object) {
    if (!GMIME_IS_PART(object))
        return {};
    GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
    if (content == nullptr)
        return {};
    gm::GPtr<GMimeStream> memory(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(content, memory.get());
    GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.get()));
    return std::string(reinterpret_cast<const char*>(array->data), array->len);
}

bool is_type(GMimeObject* object, const char* type, const char* subtype) {
    GMimeContentType* content_type = g_mime_object_get_content_type(object);
    return content_type != nullptr && g_mime_content_type_is_type(content_type, type, subtype);
}

bool is_smime_signature_protocol(GMimeObject* object) {
    const char* protocol = g_mime_content_type_get_parameter(g_mime_object_get_content_type(object), "protocol");
    return protocol != nullptr && (ascii::iequals(protocol, "application/pkcs7-signature") ||
                                   ascii::iequals(protocol, "application/x-pkcs7-signature"));
}

bool is_pkcs7_mime(GMimeObject* object) {
    return is_type(object, "application", "pkcs7-mime") || is_type(object, "application", "x-pkcs7-mime");
}

// The body of a MIME entity given as bytes: what follows the blank line
// that ends its header fields (RFC 2045 §3).
std::string_view entity_body(std::string_view entity) {
    if (entity.substr(0, 1) == "\n")
        return entity.substr(1);
    if (entity.substr(0, 2) == "\r\n")
        return entity.substr(2);
    const std::size_t lf = entity.find("\n\n");
    const std::size_t crlf_line = entity.find("\n\r\n");
    if (lf == std::string_view::npos && crlf_line == std::string_view::npos)
        return {};
    if (crlf_line == std::string_view::npos || (lf != std::string_view::npos && lf < crlf_line))
        return entity.substr(lf + 2);
    return entity.substr(crlf_line + 3);
}

bool is_signed_entity(GMimeObject* object) {
    return (is_type(object, "multipart", "signed") && is_smime_signature_protocol(object)) || is_pkcs7_mime(object);
}

// What one message may cost the verifier (SM-16, SEC-07). `exceeded` names
// the first cap passed; empty while within all of them.
class Budget {
public:
    explicit Budget(const VerifyOptions& options) : m_options(options) {}
    bool exceeded() const { return !m_exceeded.empty(); }
    const std::string& which() const { return m_exceeded; }

    bool spend_parts(std::size_t n) { return spend(m_parts, n, m_options.max_parts, "more MIME parts than allowed"); }
    bool spend_bytes(std::size_t n) {
        return spend(m_bytes, n, m_options.max_decoded_bytes, "more decoded signed content than allowed");
    }
    bool spend_certificates(std::size_t n) {
        return spend(m_certificates, n, m_options.max_certificates, "more certificates than allowed");
    }
    bool refuse(std::string why) {
        if (m_exceeded.empty())
            m_exceeded = std::move(why);
        return false;
    }

private:
    bool spend(std::size_t& used, std::size_t n, std::size_t cap, const char* why) {
        used += n;
        return used <= cap || refuse(why);
    }
    const VerifyOptions& m_options;
    std::size_t m_parts = 0;
    std::size_t m_bytes = 0;
    std::size_t m_certificates = 0;
    std::string m_exceeded;
};

// Walks the entities below `object`, counting them against the budget, and
// notes whether a signed entity sits anywhere below it, forwarded messages
// included (SEC-02). False when a cap is passed.
bool scan_below(GMimeObject* object, int depth, Budget& budget, const VerifyOptions& options, bool& nested_signature) {
    if (depth > options.max_mime_depth)
        return budget.refuse("MIME entities nested too deeply");
    if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage* forwarded = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        GMimeObject* body = forwarded != nullptr ? g_mime_message_get_mime_part(forwarded) : nullptr;
        if (body == nullptr)
            return true;
        if (!budget.spend_parts(1))
            return false;
        nested_signature |= is_signed_entity(body);
        return scan_below(body, depth + 1, budget, options, nested_signature);
    }
    if (!GMIME_IS_MULTIPART(object))
        return true;
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    const int count = g_mime_multipart_get_count(multipart);
    if (!budget.spend_parts(static_cast<std::size_t>(count)))
        return false;
    for (int i = 0; i < count; ++i) {
        GMimeObject* child = g_mime_multipart_get_part(multipart, i);
        nested_signature |= is_signed_entity(child);
        if (!scan_below(child, depth + 1, budget, options, nested_signature))
            return false;
    }
    return true;
}

// ---- CMS ----------------------------------------------------------------------

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
std::string signing_time_problem(CMS_SignerInfo* si, X509* signer, std::time_t now, std::chrono::seconds skew) {
    const int index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (index < 0)
        return {};
    if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, index) >= 0)
        return "the signature carries two signing times";
    X509_ATTRIBUTE* attribute = CMS_signed_get_attr(si, index);
    const ASN1_TYPE* value = X509_ATTRIBUTE_count(attribute) == 1 ? X509_ATTRIBUTE_get0_type(attribute, 0) : nullptr;
    const int type = value != nullptr ? ASN1_TYPE_get(value) : -1;
    const auto signed_at = type == V_ASN1_UTCTIME || type == V_ASN1_GENERALIZEDTIME
                               ? to_time_t(value->value.asn1_string)
                               : std::nullopt;
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
        report.attributes_valid = content_type != nullptr && OBJ_obj2nid(content_type) == NID_pkcs7_data &&
                                  OBJ_obj2nid(CMS_get0_eContentType(cms)) == NID_pkcs7_data &&
                                  (first_caps < 0 || CMS_signed_get_attr_by_NID(si, NID_SMIMECapabilities, first_caps) < 0);
        ERR_clear_error();
        report.signature_valid = !report.key_too_large && CMS_SignerInfo_verify(si) == 1;
        ERR_clear_error();
        const auto now = std::chrono::system_clock::to_time_t(options.at.value_or(std::chrono::system_clock::now()));
        report.signing_time_problem = signing_time_problem(si, signer, now, options.clock_skew);
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

void decide(VerificationReport& report, Verdict verdict, Finding finding, std::string reason) {
    report.verdict = verdict;
    report.finding = finding;
    report.reason = std::move(reason);
}

void conclude(VerificationReport& report) {
    if (report.signers.empty()) {
        decide(report, Verdict::fail, Finding::no_signer, "the signature has no signer (CMS certs-only)");
        return;
    }
    for (const auto& s : report.signers)
        if (s.certificate && s.digest_matches && s.signature_valid && s.attributes_valid && s.chain_valid &&
            !s.weak && s.signing_time_problem.empty() && s.bound_to_from &&
            s.revocation.status == RevocationAnswer::Status::good) {
            decide(report, Verdict::pass, Finding::signed_by_sender, "signed by " + (report.from.empty() ? std::string("the sender") : report.from));
            return;
        }
    const SignerReport& first = report.signers.front();
    if (!first.certificate) {
        decide(report, Verdict::permerror, Finding::certificate_missing, "the signer's certificate is not in the message");
    } else if (first.key_too_large) {
        decide(report, Verdict::permerror, Finding::over_limit, "the signer's key is larger than allowed");
    } else if (!first.digest_matches) {
        decide(report, Verdict::fail, Finding::content_changed, "the content was changed after it was signed");
    } else if (!first.signature_valid || !first.attributes_valid) {
        decide(report, Verdict::fail, Finding::signature_invalid, "the signature does not verify");
    } else if (!first.chain_valid) {
        decide(report, Verdict::policy, Finding::untrusted, "the signer's certificate is not trusted: " + first.chain_error);
    } else if (first.revocation.status == RevocationAnswer::Status::revoked) {
        // RFC 7281 §3.1's example stamps a revoked certificate "fail".
        decide(report, Verdict::fail, Finding::revoked, "the signer's certificate was revoked (" + first.revocation.detail + ")");
    } else if (first.revocation.status == RevocationAnswer::Status::unknown) {
        decide(report, Verdict::temperror, Finding::revocation_unknown, "revocation cannot be checked now: " + first.revocation.detail);
    } else if (first.weak) {
        decide(report, Verdict::policy, Finding::weak_algorithm, "the signature uses a weak algorithm (" + first.digest + " or a short key)");
    } else if (!first.signing_time_problem.empty()) {
        decide(report, Verdict::policy, Finding::implausible_signing_time, first.signing_time_problem);
    } else {
        if (report.from.empty())
            decide(report, Verdict::policy, Finding::no_single_from, "the message has no single From mailbox");
        else
            decide(report, Verdict::policy, Finding::not_the_sender, "the signer is not the sender " + report.from);
    }
}

// Verifies one SignedData layer into `report`. For opaque signed-data the
// encapsulated content is copied to `econtent_out`, for the next layer.
void verify_cms(const std::string& der, std::optional<std::string_view> detached_content, const TrustStore& anchors,
                const VerifyOptions& options, Budget& budget, VerificationReport& report, std::string* econtent_out) {
    ERR_clear_error();
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms) {
        decide(report, Verdict::neutral, Finding::unreadable_signature, "the signature cannot be parsed");
        ERR_clear_error();
        return;
    }
    const int type = OBJ_obj2nid(CMS_get0_type(cms.get()));
    if (type == NID_pkcs7_enveloped || type == NID_id_smime_ct_authEnvelopedData) {
        decide(report, Verdict::none, Finding::encrypted, "encrypted: check the signature in your mail client");
        return;
    }
    if (type != NID_pkcs7_signed) {
        decide(report, Verdict::neutral, Finding::unreadable_signature, "not a SignedData");
        return;
    }
    std::string_view content;
    if (detached_content) {
        if (CMS_is_detached(cms.get()) != 1) {
            // SEC-03 c1: a multipart/signed whose SignedData carries other content.
            decide(report, Verdict::fail, Finding::econtent_confusion, "the signature carries content of its own (eContent confusion)");
            return;
        }
        content = *detached_content;
    } else {
        ASN1_OCTET_STRING** econtent = CMS_get0_content(cms.get());
        if (econtent == nullptr || *econtent == nullptr) {
            decide(report, Verdict::permerror, Finding::unreadable_signature, "the signed-data has no content");
            return;
        }
        content = std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(*econtent)),
                                   static_cast<std::size_t>(ASN1_STRING_length(*econtent)));
    }
    ossl::CertStackPtr certs(CMS_get1_certs(cms.get()));
    if ((certs && !budget.spend_certificates(static_cast<std::size_t>(sk_X509_num(certs.get())))) ||
        (!detached_content && !budget.spend_bytes(content.size()))) {
        decide(report, Verdict::permerror, Finding::over_limit, "the message is beyond the verifier's limits: " + budget.which());
        return;
    }
    if (econtent_out != nullptr && !detached_content)
        econtent_out->assign(content);
    CMS_set1_signers_certs(cms.get(), certs.get(), 0);
    ERR_clear_error();
    STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
    for (int i = 0; i < sk_CMS_SignerInfo_num(signers); ++i)
        report.signers.push_back(check_signer(cms.get(), sk_CMS_SignerInfo_value(signers, i), content, certs.get(),
                                              anchors, options, report.from));
    conclude(report);
}

void verify_entity(GMimeObject* entity, std::string_view body, int layer, const TrustStore& anchors,
                   const VerifyOptions& options, Budget& budget, VerificationReport& report);

void over_limit(VerificationReport& report, const Budget& budget) {
    decide(report, Verdict::permerror, Finding::over_limit, "the message is beyond the verifier's limits: " + budget.which());
}

// RFC 9788 §2 (and draft-ietf-lamps-header-protection's protected-headers=
// "v1"): the signed content carries the header fields the signer meant. Its
// From must be one mailbox and the one outside, or the reader is shown an
// unsigned From.
void check_protected_from(GMimeObject* content, VerificationReport& report) {
    GMimeContentType* type = g_mime_object_get_content_type(content);
    if (type == nullptr || (g_mime_content_type_get_parameter(type, "hp") == nullptr &&
                            g_mime_content_type_get_parameter(type, "protected-headers") == nullptr))
        return;
    GMimeHeaderList* headers = g_mime_object_get_header_list(content);
    std::vector<std::string> from_fields;
    for (int i = 0; headers != nullptr && i < g_mime_header_list_get_count(headers); ++i) {
        GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
        if (ascii::iequals(g_mime_header_get_name(header), "From"))
            from_fields.emplace_back(g_mime_header_get_raw_value(header));
    }
    if (from_fields.empty())
        return; // the protected fields leave From out: the outer one stands, bound to the signer
    std::optional<std::string> signed_from;
    if (from_fields.size() == 1)
        if (auto mailbox = single_mailbox(from_fields.front()))
            signed_from = *mailbox;
    if (!signed_from || !ascii::iequals(*signed_from, report.from))
        decide(report, Verdict::policy, Finding::unprotected_from,
               "the From outside the signature is not the signed From" +
                   (signed_from ? " " + ascii::printable(*signed_from) : std::string()));
}

// How bad a verdict is, for combining layers: the worse one stands.
int severity(Verdict verdict) {
    switch (verdict) {
    case Verdict::pass: return 0;
    case Verdict::none: return 0;
    case Verdict::policy: return 1;
    case Verdict::neutral: return 2;
    case Verdict::temperror: return 3;
    case Verdict::permerror: return 4;
    case Verdict::fail: return 5;
    }
    return 5;
}

// Whether the layer's signature held, so that what it signed is worth a look.
bool signature_intact(const VerificationReport& layer) {
    return layer.verdict == Verdict::pass || layer.verdict == Verdict::policy;
}

// After a layer whose signature held: what it signed. Another signed layer
// is verified too (its signers are reported after this layer's) and the
// worse verdict stands, the outer one when equal; encrypted content under a
// signature is policy, as the signer may never have seen the plaintext.
void verify_signed_content(GMimeObject* content, std::string_view body, int layer, const TrustStore& anchors,
                           const VerifyOptions& options, Budget& budget, VerificationReport& report) {
    if (!budget.spend_parts(1))
        return over_limit(report, budget);
    if (!is_signed_entity(content)) {
        bool nested_signature = false; // covered by this layer's signature: content, not a layer
        if (!scan_below(content, 1, budget, options, nested_signature))
            return over_limit(report, budget);
        if (report.verdict == Verdict::pass)
            check_protected_from(content, report);
        return;
    }
    if (layer >= options.max_layers) {
        budget.refuse("more signed layers than allowed");
        return over_limit(report, budget);
    }
    VerificationReport inner;
    inner.from = report.from;
    verify_entity(content, body, layer + 1, anchors, options, budget, inner);
    report.layers += inner.layers;
    for (auto& signer : inner.signers)
        report.signers.push_back(std::move(signer));
    if (inner.finding == Finding::encrypted) {
        if (report.verdict == Verdict::pass)
            decide(report, Verdict::policy, Finding::signed_ciphertext,
                   "the signature covers encrypted content, which the signer may not have seen");
    } else if (severity(inner.verdict) > severity(report.verdict)) {
        decide(report, inner.verdict, inner.finding, "inner signed layer: " + inner.reason);
    }
}

// One S/MIME entity: multipart/signed over the exact bytes of part 1, or
// opaque signed-data; `body` is the raw body of `entity`.
void verify_entity(GMimeObject* entity, std::string_view body, int layer, const TrustStore& anchors,
                   const VerifyOptions& options, Budget& budget, VerificationReport& report) {
    if (is_pkcs7_mime(entity)) {
        report.form = "application/pkcs7-mime";
        const std::string der = decoded_content(entity);
        if (!budget.spend_bytes(der.size()))
            return over_limit(report, budget);
        std::string econtent;
        verify_cms(der, std::nullopt, anchors, options, budget, report, &econtent);
        if (report.finding == Finding::encrypted)
            return;
        report.layers = 1;
        if (!signature_intact(report))
            return;
        // RFC 8551 §3.5.2: the encapsulated content is a MIME entity.
        gm::GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(econtent.data(), econtent.size()));
        gm::GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
        gm::GPtr<GMimeObject> content(g_mime_parser_construct_part(parser.get(), nullptr));
        if (content)
            verify_signed_content(content.get(), entity_body(econtent), layer, anchors, options, budget, report);
        return;
    }
    report.form = "multipart/signed";
    GMimeMultipart* multipart = GMIME_MULTIPART(entity);
    const char* boundary = g_mime_multipart_get_boundary(multipart);
    if (g_mime_multipart_get_count(multipart) != 2 || boundary == nullptr) {
        decide(report, Verdict::neutral, Finding::unreadable_message, "the multipart/signed does not have two parts");
        return;
    }
    const auto part1 = raw_first_part(body, boundary);
    if (!part1) {
        decide(report, Verdict::neutral, Finding::unreadable_message, "the multipart/signed has no first part");
        return;
    }
    const std::string signed_bytes = crlf(*part1);
    const std::string der = decoded_content(g_mime_multipart_get_part(multipart, 1));
    if (!budget.spend_bytes(der.size()) || !budget.spend_parts(2))
        return over_limit(report, budget);
    verify_cms(der, std::string_view(signed_bytes), anchors, options, budget, report, nullptr);
    report.layers = 1;
    if (signature_intact(report))
        verify_signed_content(g_mime_multipart_get_part(multipart, 0), entity_body(*part1), layer, anchors, options,
                              budget, report);
}

} // namespace

std::string_view to_string(Verdict verdict) noexcept {
    switch (verdict) {
    case Verdict::none: return "none";
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::policy: return "policy";
    case Verdict::neutral: return "neutral";
    case Verdict::temperror: return "temperror";
    case Verdict::permerror: return "permerror";
    }
    return "neutral";
}

std::optional<EkuPolicy> parse_eku_policy(std::string_view name) {
    for (EkuPolicy policy : {EkuPolicy::any_eku, EkuPolicy::absent_ok, EkuPolicy::email_protection})
        if (name == to_string(policy))
            return policy;
    return std::nullopt;
}

std::string_view to_string(EkuPolicy policy) noexcept {
    switch (policy) {
    case EkuPolicy::any_eku: return "any-eku";
    case EkuPolicy::absent_ok: return "absent-ok";
    case EkuPolicy::email_protection: return "email-protection";
    }
    return "any-eku";
}

const SignerReport* VerificationReport::passing_signer() const {
    if (verdict != Verdict::pass)
        return nullptr;
    for (const auto& s : signers)
        if (s.bound_to_from && s.chain_valid && s.signature_valid && s.signing_time_problem.empty() &&
            s.revocation.status == RevocationAnswer::Status::good)
            return &s;
    return nullptr;
}

Result<VerificationReport> verify_message(const SpooledMessage& message, const TrustStore& anchors,
                                          const VerifyOptions& options) {
    VerificationReport report;
    auto document = MimeDocument::parse(message);
    if (!document) {
        decide(report, Verdict::neutral, Finding::unreadable_message, "the message cannot be processed: " + document.error().detail);
        return report;
    }
    if (auto from = single_from_address(message))
        report.from = ascii::to_lower(*from);

    GMimeObject* top = g_mime_message_get_mime_part(document->message());
    Budget budget(options);
    if (is_signed_entity(top)) {
        SpoolView view(message);
        if (!view.ok()) {
            decide(report, Verdict::temperror, Finding::unreadable_message, "the spooled message cannot be read");
            return report;
        }
        verify_entity(top, view.bytes().substr(message.body_offset()), 1, anchors, options, budget, report);
        // SEC-04: one MIME-Version and one Content-Type, or readers may render differently.
        if (report.verdict == Verdict::pass &&
            (message.fields_named("MIME-Version").size() > 1 || message.fields_named("Content-Type").size() > 1))
            decide(report, Verdict::policy, Finding::duplicate_fields, "the message has duplicate MIME header fields");
        return report;
    }
    bool nested_signature = false;
    if (!scan_below(top, 1, budget, options, nested_signature))
        over_limit(report, budget);
    else if (nested_signature)
        decide(report, Verdict::policy, Finding::partly_signed, "only a part of the message is signed");
    else
        decide(report, Verdict::none, Finding::not_signed, "the message is not signed");
    return report;
}

} // namespace segel::smime
