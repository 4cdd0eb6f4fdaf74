// Private keys encrypted at rest under a master key (AES-256-GCM, RFC 5116).
//
// A MasterKey is 32 random bytes, kept outside the database; its id (first 16
// hex digits of its SHA-256) is stored beside every sealed key, so a wrong key
// file is named as such instead of failing obscurely. seal() encodes the key
// as PKCS#8 and encrypts it with a fresh 96-bit nonce, authenticating `aad`
// (the certificate fingerprint), so a sealed key cannot be moved to another
// certificate's row. Key bytes in memory are wiped after use. Thread-safe.
#pragma once

#include <array>
#include <memory>
#include <string>

#include <openssl/types.h>

#include "smime/error.hpp"

namespace segel::smime {

struct SealedKey {
    std::string master_key_id;
    std::string nonce;      // 12 bytes
    std::string ciphertext; // PKCS#8 DER encrypted, followed by the 16-byte tag
};

class MasterKey {
public:
    static constexpr std::size_t k_bytes = 32;

    static Result<MasterKey> generate();
    // 64 hex digits, surrounding whitespace ignored.
    static Result<MasterKey> from_hex(std::string_view text);
    MasterKey(const MasterKey&) = delete;
    MasterKey& operator=(const MasterKey&) = delete;
    MasterKey(MasterKey&&) noexcept;
    MasterKey& operator=(MasterKey&&) noexcept;
    ~MasterKey();

    std::string to_hex() const;
    const std::string& id() const noexcept { return m_id; }

    Result<SealedKey> seal(EVP_PKEY* key, const std::string& aad) const;
    Result<std::shared_ptr<EVP_PKEY>> unseal(const SealedKey& sealed, const std::string& aad) const;

private:
    MasterKey() = default;
    void derive_id();
    std::array<unsigned char, k_bytes> m_key{};
    std::string m_id;
};

} // namespace segel::smime
