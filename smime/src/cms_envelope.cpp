#include "cms_envelope.hpp"

#include <cerrno>
#include <cstring>

#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "openssl_error.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

namespace {

Error crypto_error(const std::string& what) { return make_error(ErrorKind::crypto_failure, openssl_error_text(what)); }

const EVP_CIPHER* cipher_of(ContentCipher cipher) {
    return cipher == ContentCipher::aes256_gcm ? EVP_aes_256_gcm() : EVP_aes_256_cbc();
}

// The key-transport or key-agreement parameters of one RecipientInfo.
Result<void> set_key_parameters(CMS_RecipientInfo* info, const EncryptOptions& options) {
    EVP_PKEY_CTX* context = CMS_RecipientInfo_get0_pkey_ctx(info);
    if (context == nullptr)
        return crypto_error("the recipient's key has no parameters to set");
    if (CMS_RecipientInfo_type(info) == CMS_RECIPINFO_AGREE) {
        if (EVP_PKEY_CTX_set_ecdh_kdf_md(context, EVP_sha256()) <= 0)
            return crypto_error("cannot set the ECDH key derivation to SHA-256");
        return {};
    }
    if (options.rsa_transport != RsaKeyTransport::oaep_sha256)
        return {};
    if (EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(context, EVP_sha256()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(context, EVP_sha256()) <= 0)
        return crypto_error("cannot set RSA-OAEP with SHA-256");
    return {};
}

Result<void> add_recipients(CMS_ContentInfo* cms, const std::vector<Certificate>& recipients,
                            const EncryptOptions& options) {
    for (const auto& recipient : recipients) {
        CMS_RecipientInfo* info = CMS_add1_recipient_cert(cms, recipient.handle(), CMS_KEY_PARAM);
        if (info == nullptr)
            return crypto_error("cannot add a recipient (" + recipient.subject() + ")");
        if (auto set = set_key_parameters(info, options); !set)
            return set;
    }
    return {};
}

} // namespace

Result<void> envelope(int content_fd, const std::vector<Certificate>& recipients, const EncryptOptions& options,
                      int out_fd) {
    if (recipients.empty())
        return make_error(ErrorKind::internal, "encryption needs at least one recipient");
    ERR_clear_error();
    constexpr unsigned int flags = CMS_BINARY | CMS_PARTIAL | CMS_STREAM | CMS_KEY_PARAM;
    ossl::CmsPtr cms(CMS_encrypt_ex(nullptr, nullptr, cipher_of(options.cipher), flags, nullptr, nullptr));
    if (!cms)
        return crypto_error("cannot create the CMS envelope");
    if (auto added = add_recipients(cms.get(), recipients, options); !added)
        return added;
    if (::lseek(content_fd, 0, SEEK_SET) < 0)
        return make_error(ErrorKind::io_failure, std::string("cannot rewind the content to encrypt: ") + std::strerror(errno));
    ossl::BioPtr content(BIO_new_fd(content_fd, BIO_NOCLOSE));
    ossl::BioPtr out(BIO_new_fd(out_fd, BIO_NOCLOSE));
    if (!content || !out)
        return crypto_error("cannot open the content or the output");
    if (i2d_CMS_bio_stream(out.get(), cms.get(), content.get(), flags) != 1 || BIO_flush(out.get()) != 1)
        return crypto_error("encryption failed");
    return {};
}

} // namespace segel::smime
