#include "smime/key_sealing.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "smime/digest.hpp"
#include "openssl_error.hpp"
#include "openssl_handles.hpp"

namespace segel::smime {

namespace {
constexpr int k_nonce_bytes = 12;
constexpr int k_tag_bytes = 16;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, ossl::CFree<EVP_CIPHER_CTX_free>>;

// The sealed plaintext starts with a key-type tag, so unsealing can call
// d2i_PrivateKey with the type: about 4x faster under OpenSSL 3 than
// d2i_AutoPrivateKey's decoder search, and unsealing is on the signing path.
constexpr char k_tag_other = 0, k_tag_rsa = 1, k_tag_ec = 2;

// Holds plaintext key bytes and wipes them on every path out.
struct WipedBuffer {
    std::string bytes;
    ~WipedBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};
} // namespace

MasterKey::MasterKey(MasterKey&& other) noexcept : m_key(other.m_key), m_id(std::move(other.m_id)) {
    OPENSSL_cleanse(other.m_key.data(), other.m_key.size());
}

MasterKey& MasterKey::operator=(MasterKey&& other) noexcept {
    m_key = other.m_key;
    m_id = std::move(other.m_id);
    OPENSSL_cleanse(other.m_key.data(), other.m_key.size());
    return *this;
}

MasterKey::~MasterKey() { OPENSSL_cleanse(m_key.data(), m_key.size()); }

void MasterKey::derive_id() {
    m_id = sha256_hex(std::string_view(reinterpret_cast<const char*>(m_key.data()), m_key.size())).substr(0, 16);
}

Result<MasterKey> MasterKey::generate() {
    MasterKey key;
    if (RAND_priv_bytes(key.m_key.data(), static_cast<int>(key.m_key.size())) != 1)
        return make_error(ErrorKind::crypto_failure, "no random bytes for a master key");
    key.derive_id();
    return key;
}

Result<MasterKey> MasterKey::from_hex(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.remove_suffix(1);
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    if (text.size() != 2 * k_bytes)
        return make_error(ErrorKind::bad_credentials, "a master key is 64 hexadecimal digits");
    MasterKey key;
    for (std::size_t i = 0; i < k_bytes; ++i) {
        const auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9')
                return c - '0';
            if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
            if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
            return -1;
        };
        const int high = nibble(text[2 * i]), low = nibble(text[2 * i + 1]);
        if (high < 0 || low < 0)
            return make_error(ErrorKind::bad_credentials, "a master key is 64 hexadecimal digits");
        key.m_key[i] = static_cast<unsigned char>(high << 4 | low);
    }
    key.derive_id();
    return key;
}

std::string MasterKey::to_hex() const { return smime::to_hex(m_key.data(), m_key.size()); }

Result<SealedKey> MasterKey::seal(EVP_PKEY* key, const std::string& aad) const {
    ERR_clear_error();
    WipedBuffer plain;
    {
        unsigned char* der = nullptr;
        const int length = i2d_PrivateKey(key, &der);
        if (length <= 0)
            return make_error(ErrorKind::crypto_failure, openssl_error_text("cannot encode the private key"));
        const int type = EVP_PKEY_get_base_id(key);
        plain.bytes.assign(1, type == EVP_PKEY_RSA ? k_tag_rsa : type == EVP_PKEY_EC ? k_tag_ec : k_tag_other);
        plain.bytes.append(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
        OPENSSL_clear_free(der, static_cast<std::size_t>(length));
    }
    SealedKey sealed{m_id, std::string(k_nonce_bytes, '\0'), {}};
    if (RAND_bytes(reinterpret_cast<unsigned char*>(sealed.nonce.data()), k_nonce_bytes) != 1)
        return make_error(ErrorKind::crypto_failure, "no random bytes for a nonce");
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    sealed.ciphertext.resize(plain.bytes.size() + k_tag_bytes);
    auto* out = reinterpret_cast<unsigned char*>(sealed.ciphertext.data());
    int n = 0, total = 0;
    const bool ok =
        ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, m_key.data(),
                                  reinterpret_cast<const unsigned char*>(sealed.nonce.data())) == 1 &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) == 1 &&
        EVP_EncryptUpdate(ctx.get(), out, &n, reinterpret_cast<const unsigned char*>(plain.bytes.data()),
                          static_cast<int>(plain.bytes.size())) == 1 &&
        (total = n, EVP_EncryptFinal_ex(ctx.get(), out + total, &n) == 1) &&
        (total += n, EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, k_tag_bytes, out + total) == 1);
    if (!ok)
        return make_error(ErrorKind::crypto_failure, openssl_error_text("cannot encrypt the private key"));
    sealed.ciphertext.resize(static_cast<std::size_t>(total) + k_tag_bytes);
    return sealed;
}

Result<std::shared_ptr<EVP_PKEY>> MasterKey::unseal(const SealedKey& sealed, const std::string& aad) const {
    if (sealed.master_key_id != m_id)
        return make_error(ErrorKind::bad_credentials, "the key was sealed under master key " + sealed.master_key_id +
                                                          ", not under the loaded one (" + m_id + ")");
    if (sealed.nonce.size() != static_cast<std::size_t>(k_nonce_bytes) ||
        sealed.ciphertext.size() < static_cast<std::size_t>(k_tag_bytes))
        return make_error(ErrorKind::bad_credentials, "the sealed key is truncated");
    ERR_clear_error();
    const std::size_t body = sealed.ciphertext.size() - k_tag_bytes;
    WipedBuffer plain;
    plain.bytes.resize(body);
    std::string tag = sealed.ciphertext.substr(body);
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int n = 0;
    const bool ok =
        ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, m_key.data(),
                                  reinterpret_cast<const unsigned char*>(sealed.nonce.data())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                          static_cast<int>(aad.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.bytes.data()), &n,
                          reinterpret_cast<const unsigned char*>(sealed.ciphertext.data()), static_cast<int>(body)) ==
            1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, k_tag_bytes, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.bytes.data()) + n, &n) == 1;
    if (!ok)
        return make_error(ErrorKind::bad_credentials,
                          "the sealed key does not decrypt: altered, or sealed for another certificate");
    if (plain.bytes.empty())
        return make_error(ErrorKind::bad_credentials, "the sealed key is empty");
    const char type_tag = plain.bytes.front();
    const auto* p = reinterpret_cast<const unsigned char*>(plain.bytes.data()) + 1;
    const long length = static_cast<long>(plain.bytes.size() - 1);
    EVP_PKEY* key = type_tag == k_tag_rsa  ? d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, length)
                    : type_tag == k_tag_ec ? d2i_PrivateKey(EVP_PKEY_EC, nullptr, &p, length)
                                      : d2i_AutoPrivateKey(nullptr, &p, length);
    if (key == nullptr)
        return make_error(ErrorKind::bad_credentials, openssl_error_text("the unsealed key cannot be parsed"));
    return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

} // namespace segel::smime
