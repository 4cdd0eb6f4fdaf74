#include "smime/verifier.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>

#include "ascii.hpp"
#include "gmime_handles.hpp"
#include "mime_document.hpp"
#include "openssl_handles.hpp"
#include "signed_entity.hpp"
#include "spool_view.hpp"
#include "signer_checks.hpp"
#include "smime/sender_address.hpp"

namespace segel::smime {

namespace {

void decide(VerificationReport& report, Verdict verdict, Finding finding, std::string reason) {
    report.verdict = verdict;
    report.finding = finding;
    report.reason = std::move(reason);
}

// How bad a verdict is, for combining signers and layers: the worse one stands.
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

struct Judgement {
    Verdict verdict;
    Finding finding;
    std::string reason;
};

// One SignerInfo on its own: pass only if it validates fully and is bound to From.
Judgement judge_signer(const SignerReport& s, const std::string& from) {
    if (!s.certificate)
        return {Verdict::permerror, Finding::certificate_missing, "the signer's certificate is not in the message"};
    if (s.key_too_large)
        return {Verdict::permerror, Finding::over_limit, "the signer's key is larger than allowed"};
    if (!s.digest_matches)
        return {Verdict::fail, Finding::content_changed, "the content was changed after it was signed"};
    if (!s.signature_valid || !s.attributes_valid)
        return {Verdict::fail, Finding::signature_invalid, "the signature does not verify"};
    if (!s.chain_valid)
        return {Verdict::policy, Finding::untrusted, "the signer's certificate is not trusted: " + s.chain_error};
    // RFC 7281 §3.1's example stamps a revoked certificate "fail".
    if (s.revocation.status == RevocationAnswer::Status::revoked)
        return {Verdict::fail, Finding::revoked, "the signer's certificate was revoked (" + s.revocation.detail + ")"};
    if (s.revocation.status == RevocationAnswer::Status::unknown)
        return {Verdict::temperror, Finding::revocation_unknown, "revocation cannot be checked now: " + s.revocation.detail};
    if (s.weak)
        return {Verdict::policy, Finding::weak_algorithm, "the signature uses a weak algorithm (" + s.digest + " or a short key)"};
    if (!s.signing_time_problem.empty())
        return {Verdict::policy, Finding::implausible_signing_time, s.signing_time_problem};
    if (from.empty())
        return {Verdict::policy, Finding::no_single_from, "the message has no single From mailbox"};
    if (!s.bound_to_from)
        return {Verdict::policy, Finding::not_the_sender, "the signer is not the sender " + from};
    return {Verdict::pass, Finding::signed_by_sender, "signed by " + from};
}

// CMS-04 (decided): every SignerInfo must hold. The worst signer decides
// (the first of equals), so a forged or broken signer beside a valid one is
// never hidden behind "pass"; with several, the reason names each with its
// own verdict.
void conclude(VerificationReport& report) {
    if (report.signers.empty()) {
        decide(report, Verdict::fail, Finding::no_signer, "the signature has no signer (CMS certs-only)");
        return;
    }
    std::vector<Judgement> judged;
    std::size_t worst = 0;
    std::string list;
    for (const auto& signer : report.signers) {
        judged.push_back(judge_signer(signer, report.from));
        if (severity(judged.back().verdict) > severity(judged[worst].verdict))
            worst = judged.size() - 1;
        list += (list.empty() ? "" : ", ") + signer_name(signer) + " " + std::string(to_string(judged.back().verdict));
    }
    Judgement& decided = judged[worst];
    if (judged.size() > 1)
        decided.reason += " (signer " + std::to_string(worst + 1) + " of " + std::to_string(judged.size()) +
                          "; signers: " + list + ")";
    decide(report, decided.verdict, decided.finding, std::move(decided.reason));
    report.deciding_signer = worst;
}

void over_limit(VerificationReport& report, const Budget& budget) {
    decide(report, Verdict::permerror, Finding::over_limit, "the message is beyond the verifier's limits: " + budget.which());
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
        return over_limit(report, budget);
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

// RFC 8551 §3.6: certs-only objects (SignedData without SignerInfos) inside
// content a passing signature covers; their certificates, within the caps.
void collect_certs_only(GMimeObject* object, int depth, const VerifyOptions& options, std::vector<Certificate>& out) {
    if (depth > options.max_mime_depth || out.size() >= options.max_certificates)
        return;
    if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage* forwarded = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (GMimeObject* body = forwarded != nullptr ? g_mime_message_get_mime_part(forwarded) : nullptr)
            collect_certs_only(body, depth + 1, options, out);
        return;
    }
    if (GMIME_IS_MULTIPART(object)) {
        for (int i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(object)); ++i)
            collect_certs_only(g_mime_multipart_get_part(GMIME_MULTIPART(object), i), depth + 1, options, out);
        return;
    }
    if (!is_pkcs7_mime(object))
        return;
    const std::string der = decoded_content(object);
    if (der.size() > options.max_decoded_bytes)
        return;
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    ERR_clear_error();
    if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed ||
        sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms.get())) > 0)
        return;
    ossl::CertStackPtr certs(CMS_get1_certs(cms.get()));
    for (int i = 0; certs && i < sk_X509_num(certs.get()) && out.size() < options.max_certificates; ++i) {
        X509* cert = sk_X509_value(certs.get(), i);
        X509_up_ref(cert);
        out.push_back(Certificate::adopt(cert));
    }
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
        if (report.verdict == Verdict::pass) {
            check_protected_from(content, report);
            collect_certs_only(content, 1, options, report.carried_certificates);
        }
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
    const std::size_t outer_signers = report.signers.size();
    for (auto& signer : inner.signers)
        report.signers.push_back(std::move(signer));
    for (auto& carried : inner.carried_certificates)
        report.carried_certificates.push_back(std::move(carried));
    if (inner.finding == Finding::encrypted) {
        if (report.verdict == Verdict::pass)
            decide(report, Verdict::policy, Finding::signed_ciphertext,
                   "the signature covers encrypted content, which the signer may not have seen");
    } else if (severity(inner.verdict) > severity(report.verdict)) {
        decide(report, inner.verdict, inner.finding, "inner signed layer: " + inner.reason);
        report.deciding_signer = outer_signers + inner.deciding_signer;
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
    std::string canonical_copy;
    const std::string_view signed_bytes = canonical_crlf(*part1, canonical_copy);
    const std::string der = decoded_content(g_mime_multipart_get_part(multipart, 1));
    if (!budget.spend_bytes(der.size()) || !budget.spend_parts(2))
        return over_limit(report, budget);
    verify_cms(der, signed_bytes, anchors, options, budget, report, nullptr);
    report.layers = 1;
    if (signature_intact(report))
        verify_signed_content(g_mime_multipart_get_part(multipart, 0), entity_body(*part1), layer, anchors, options,
                              budget, report);
}

// What the reader is shown outside the signature must not undo a pass.
void check_sender_fields(const SpooledMessage& message, VerificationReport& report) {
    // SEC-04: one MIME-Version and one Content-Type, or readers may render differently.
    if (message.fields_named("MIME-Version").size() > 1 || message.fields_named("Content-Type").size() > 1) {
        decide(report, Verdict::policy, Finding::duplicate_fields, "the message has duplicate MIME header fields");
        return;
    }
    // CH-04 (decided): a display name showing another address.
    const auto from = message.fields_named("From");
    if (from.size() != 1)
        return;
    if (auto shown = other_address_in_from(from.front()->unfolded_value(), report.from)) {
        report.shown_address = ascii::printable(*shown, 80);
        decide(report, Verdict::policy, Finding::display_name_address,
               "the From display name shows another address: " + report.shown_address);
    }
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

std::string signer_name(const SignerReport& signer) {
    if (!signer.certificate)
        return "(no certificate)";
    const auto emails = signer.certificate->email_addresses();
    return ascii::printable(emails.empty() ? signer.certificate->subject() : emails.front(), 80);
}

const SignerReport* VerificationReport::deciding() const {
    return deciding_signer < signers.size() ? &signers[deciding_signer] : nullptr;
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
    if (auto from = single_from_address(message))
        report.from = ascii::to_lower(*from);
    auto document = MimeDocument::parse(message, options.max_parts);
    if (!document && document.error().kind == ErrorKind::message_too_large) {
        decide(report, Verdict::permerror, Finding::over_limit,
               "the message is beyond the verifier's limits: " + document.error().detail);
        return report;
    }
    if (!document) {
        decide(report, Verdict::neutral, Finding::unreadable_message, "the message cannot be processed: " + document.error().detail);
        return report;
    }

    GMimeObject* top = g_mime_message_get_mime_part(document->message());
    Budget budget(options);
    if (is_signed_entity(top)) {
        SpoolView view(message);
        if (!view.ok()) {
            decide(report, Verdict::temperror, Finding::unreadable_message, "the spooled message cannot be read");
            return report;
        }
        verify_entity(top, view.bytes().substr(message.body_offset()), 1, anchors, options, budget, report);
        if (report.verdict == Verdict::pass)
            check_sender_fields(message, report);
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

namespace segel::smime {

Result<VerificationReport> verify(const MimeEntity& entity, const TrustStore& anchors, const VerifyOptions& options) {
    if (!entity.changed())
        return verify_message(entity.origin(), anchors, options);
    auto spooled = entity.materialise(options.temp_dir);
    if (!spooled)
        return spooled.error();
    return verify_message(*spooled, anchors, options);
}

} // namespace segel::smime
