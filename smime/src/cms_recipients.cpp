#include "cms_recipients.hpp"

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "openssl_handles.hpp"
#include "smime/certificate.hpp"

namespace segel::smime {

namespace {

ossl::CmsPtr parse_cms(std::string_view der) {
    ERR_set_mark();
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    ERR_pop_to_mark();
    return cms;
}

std::string hex_of(const ASN1_OCTET_STRING* id) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string hex;
    const unsigned char* bytes = ASN1_STRING_get0_data(id);
    for (int i = 0; i < ASN1_STRING_length(id); ++i)
        hex.append({k_digits[bytes[i] >> 4], k_digits[bytes[i] & 15]});
    return hex;
}

RecipientId recipient_id(ASN1_OCTET_STRING* key_id, X509_NAME* issuer, ASN1_INTEGER* serial) {
    RecipientId id;
    if (issuer != nullptr && serial != nullptr) {
        id.issuer = name_to_string(issuer);
        id.serial = serial_to_hex(serial);
    } else if (key_id != nullptr) {
        id.subject_key_id = hex_of(key_id);
    }
    return id;
}

// Every key-transport RecipientInfo and every recipient key of a
// key-agreement one; other kinds (KEK, password) name no certificate.
bool collect_recipients(CMS_ContentInfo* cms, std::size_t cap, std::vector<RecipientId>& out) {
    STACK_OF(CMS_RecipientInfo)* infos = CMS_get0_RecipientInfos(cms);
    for (int i = 0; i < sk_CMS_RecipientInfo_num(infos); ++i) {
        CMS_RecipientInfo* info = sk_CMS_RecipientInfo_value(infos, i);
        if (CMS_RecipientInfo_type(info) == CMS_RECIPINFO_TRANS) {
            ASN1_OCTET_STRING* key_id = nullptr;
            X509_NAME* issuer = nullptr;
            ASN1_INTEGER* serial = nullptr;
            if (CMS_RecipientInfo_ktri_get0_signer_id(info, &key_id, &issuer, &serial) == 1)
                out.push_back(recipient_id(key_id, issuer, serial));
        } else if (CMS_RecipientInfo_type(info) == CMS_RECIPINFO_AGREE) {
            STACK_OF(CMS_RecipientEncryptedKey)* keys = CMS_RecipientInfo_kari_get0_reks(info);
            for (int k = 0; k < sk_CMS_RecipientEncryptedKey_num(keys); ++k) {
                ASN1_OCTET_STRING* key_id = nullptr;
                X509_NAME* issuer = nullptr;
                ASN1_INTEGER* serial = nullptr;
                if (CMS_RecipientEncryptedKey_get0_id(sk_CMS_RecipientEncryptedKey_value(keys, k), &key_id, nullptr,
                                                      nullptr, &issuer, &serial) == 1)
                    out.push_back(recipient_id(key_id, issuer, serial));
                if (out.size() > cap)
                    return false;
            }
        }
        if (out.size() > cap || static_cast<std::size_t>(i) >= cap)
            return false;
    }
    return true;
}

// Reads one DER header; false when it does not fit in what is left.
bool next_object(const unsigned char*& p, long& left, int expected_tag, int expected_class, long& length) {
    int tag = 0;
    int klass = 0;
    const unsigned char* start = p;
    const int flags = ASN1_get_object(&p, &length, &tag, &klass, left);
    if ((flags & 0x80) != 0 || tag != expected_tag || klass != expected_class)
        return false;
    left -= static_cast<long>(p - start);
    return length <= left;
}

// ContentInfo { contentType, [0] { (Auth)EnvelopedData { version,
// [0] originatorInfo OPTIONAL, recipientInfos SET, (auth)EncryptedContentInfo
// { contentType, contentEncryptionAlgorithm { algorithm OID ... } } } } }.
std::string content_cipher(std::string_view der) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    long left = static_cast<long>(der.size());
    long length = 0;
    const auto skip = [&]() {
        p += length;
        left -= length;
    };
    if (!next_object(p, left, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, length) ||
        !next_object(p, left, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, length))
        return {};
    skip();
    if (!next_object(p, left, 0, V_ASN1_CONTEXT_SPECIFIC, length) ||
        !next_object(p, left, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, length) ||
        !next_object(p, left, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, length))
        return {};
    skip();
    const unsigned char* before = p;
    const long before_left = left;
    if (next_object(p, left, 0, V_ASN1_CONTEXT_SPECIFIC, length))
        skip();
    else {
        p = before;
        left = before_left;
    }
    if (!next_object(p, left, V_ASN1_SET, V_ASN1_UNIVERSAL, length))
        return {};
    skip();
    if (!next_object(p, left, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, length) ||
        !next_object(p, left, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, length))
        return {};
    skip();
    if (!next_object(p, left, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, length))
        return {};
    const unsigned char* oid_start = p;
    if (!next_object(p, left, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, length))
        return {};
    ossl::Asn1ObjectPtr oid(d2i_ASN1_OBJECT(nullptr, &oid_start, static_cast<long>(p - oid_start) + length));
    const int nid = oid ? OBJ_obj2nid(oid.get()) : NID_undef;
    return nid == NID_undef ? std::string() : std::string(OBJ_nid2sn(nid));
}

} // namespace

std::optional<CmsContentKind> cms_content_kind(std::string_view der) {
    ossl::CmsPtr cms = parse_cms(der);
    if (!cms)
        return std::nullopt;
    const int type = OBJ_obj2nid(CMS_get0_type(cms.get()));
    if (type == NID_pkcs7_enveloped || type == NID_id_smime_ct_authEnvelopedData)
        return CmsContentKind::encrypted;
    return type == NID_pkcs7_signed ? CmsContentKind::signed_data : CmsContentKind::other;
}

std::optional<std::string> signed_content(std::string_view der) {
    ossl::CmsPtr cms = parse_cms(der);
    if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
        return std::nullopt;
    ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
    if (content == nullptr || *content == nullptr)
        return std::nullopt;
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(*content)),
                       static_cast<std::size_t>(ASN1_STRING_length(*content)));
}

Result<EnvelopeDescription> describe_envelope(const std::string& der, std::size_t max_recipient_infos) {
    EnvelopeDescription description;
    ossl::CmsPtr cms = parse_cms(der);
    if (!cms)
        return description;
    const int type = OBJ_obj2nid(CMS_get0_type(cms.get()));
    if (type != NID_pkcs7_enveloped && type != NID_id_smime_ct_authEnvelopedData)
        return description;
    description.auth_enveloped = type == NID_id_smime_ct_authEnvelopedData;
    if (!collect_recipients(cms.get(), max_recipient_infos, description.recipients))
        return make_error(ErrorKind::message_too_large, "more RecipientInfos than allowed");
    description.readable = true;
    description.cipher = content_cipher(der);
    return description;
}

Result<bool> open_cms(const std::string& der, EVP_PKEY* key, int out_fd) {
    ossl::CmsPtr cms = parse_cms(der);
    if (!cms)
        return false;
    ossl::BioPtr out(BIO_new_fd(out_fd, BIO_NOCLOSE));
    if (!out)
        return make_error(ErrorKind::io_failure, "cannot write the decrypted content");
    ERR_set_mark();
    const int opened = CMS_decrypt(cms.get(), key, nullptr, nullptr, out.get(), CMS_BINARY);
    ERR_pop_to_mark();
    if (opened == 1 && BIO_flush(out.get()) != 1)
        return make_error(ErrorKind::io_failure, "cannot write the decrypted content");
    return opened == 1;
}

} // namespace segel::smime
