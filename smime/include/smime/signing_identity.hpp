// SigningIdentity: a certificate, its private key and the issuing chain
// (without the root, CH-12), loaded from PEM files or a PKCS#12 file. Keys
// live only inside OpenSSL's EVP_PKEY; passphrase buffers are wiped after use
// and never logged. Immutable after loading; safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/types.h>

#include "smime/certificate.hpp"
#include "smime/error.hpp"

namespace segel::smime {

// A passphrase that wipes its memory when destroyed.
class Passphrase {
public:
    Passphrase() = default;
    explicit Passphrase(std::string text) : m_text(std::move(text)) {}
    Passphrase(Passphrase&&) noexcept = default;
    Passphrase& operator=(Passphrase&&) noexcept = default;
    Passphrase(const Passphrase&) = delete;
    Passphrase& operator=(const Passphrase&) = delete;
    ~Passphrase();

    const std::string& text() const noexcept { return m_text; }

    // Reads the first line of a file (without its line end).
    static Result<Passphrase> read_file(const std::string& path);

private:
    std::string m_text;
};

class SigningIdentity {
public:
    // cert_path may hold the chain after the certificate; chain_path is optional
    // (empty string: none). The key may be encrypted PEM (needs passphrase).
    static Result<SigningIdentity> load_pem(const std::string& cert_path, const std::string& key_path,
                                            const std::string& chain_path, const Passphrase& passphrase);
    static Result<SigningIdentity> load_pkcs12(const std::string& path, const Passphrase& passphrase);
    // From parts already in memory; checks that the key belongs to the certificate.
    static Result<SigningIdentity> assemble(Certificate certificate, std::shared_ptr<EVP_PKEY> key,
                                            std::vector<Certificate> chain);
    std::shared_ptr<EVP_PKEY> shared_private_key() const noexcept { return m_key; }

    const Certificate& certificate() const noexcept { return m_certificate; }
    EVP_PKEY* private_key() const noexcept { return m_key.get(); }
    // Intermediate CA certificates to embed; self-signed roots are dropped.
    const std::vector<Certificate>& chain() const noexcept { return m_chain; }

private:
    SigningIdentity(Certificate certificate, std::shared_ptr<EVP_PKEY> key, std::vector<Certificate> chain);

    Certificate m_certificate;
    std::shared_ptr<EVP_PKEY> m_key;
    std::vector<Certificate> m_chain;
};

} // namespace segel::smime
