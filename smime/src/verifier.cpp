#include "smime/verifier.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

#include <sys/mman.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

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

// A signed entity anywhere below the top (SEC-02).
bool has_nested_signature(GMimeObject* object) {
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
            GMimeObject* child = g_mime_multipart_get_part(multipart, i);
            if ((is_type(child, "multipart", "signed") && is_smime_signature_protocol(child)) || is_pkcs7_mime(child) ||
                has_nested_signature(child))
                return true;
        }
    }
    return false;
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
    if (CMS_signed_get_attr_count(si) > 0 && md != nullptr) {
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
        report.signature_valid = CMS_SignerInfo_verify(si) == 1;
        ERR_clear_error();
        const auto now = std::chrono::system_clock::to_time_t(options.at.value_or(std::chrono::system_clock::now()));
        report.signing_time_problem = signing_time_problem(si, signer, now, options.clock_skew);
    }

    std::unique_ptr<X509_STORE_CTX, ossl::CFree<X509_STORE_CTX_free>> context(X509_STORE_CTX_new());
    if (context && X509_STORE_CTX_init(context.get(), anchors.handle(), signer, certs) == 1) {
        X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SMIME_SIGN);
        if (options.at)
            X509_STORE_CTX_set_time(context.get(), 0, std::chrono::system_clock::to_time_t(*options.at));
        report.chain_valid = X509_verify_cert(context.get()) == 1;
        if (!report.chain_valid)
            report.chain_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get()));
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

void verify_cms(const std::string& der, std::optional<std::string_view> detached_content, const TrustStore& anchors,
                const VerifyOptions& options, VerificationReport& report) {
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
    if (certs && static_cast<std::size_t>(sk_X509_num(certs.get())) > options.max_certificates) {
        decide(report, Verdict::permerror, Finding::too_many_certificates, "too many certificates in the signature");
        return;
    }
    CMS_set1_signers_certs(cms.get(), certs.get(), 0);
    ERR_clear_error();
    STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
    for (int i = 0; i < sk_CMS_SignerInfo_num(signers); ++i)
        report.signers.push_back(check_signer(cms.get(), sk_CMS_SignerInfo_value(signers, i), content, certs.get(),
                                              anchors, options, report.from));
    conclude(report);
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
    if (is_type(top, "multipart", "signed") && is_smime_signature_protocol(top) &&
        g_mime_multipart_get_count(GMIME_MULTIPART(top)) == 2) {
        report.form = "multipart/signed";
        const char* boundary = g_mime_multipart_get_boundary(GMIME_MULTIPART(top));
        SpoolView view(message);
        if (boundary == nullptr || !view.ok()) {
            decide(report, Verdict::neutral, Finding::unreadable_message, "the multipart/signed cannot be read");
            return report;
        }
        const auto part1 = raw_first_part(view.bytes().substr(message.body_offset()), boundary);
        if (!part1) {
            decide(report, Verdict::neutral, Finding::unreadable_message, "the multipart/signed has no first part");
            return report;
        }
        const std::string signed_bytes = crlf(*part1);
        const std::string der = decoded_content(g_mime_multipart_get_part(GMIME_MULTIPART(top), 1));
        verify_cms(der, std::string_view(signed_bytes), anchors, options, report);
        return report;
    }
    if (is_pkcs7_mime(top)) {
        report.form = "application/pkcs7-mime";
        verify_cms(decoded_content(top), std::nullopt, anchors, options, report);
        return report;
    }
    if (has_nested_signature(top)) {
        decide(report, Verdict::policy, Finding::partly_signed, "only a part of the message is signed");
        return report;
    }
    decide(report, Verdict::none, Finding::not_signed, "the message is not signed");
    return report;
}

} // namespace segel::smime
