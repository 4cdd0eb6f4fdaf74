// TrustStore: the only certificates a verification may chain to (CH-02,
// OSSL-01, OSSL-06): configured anchors, never certificates carried in a
// message; no partial chains. Immutable and shared: a refresh builds a new
// store (OSSL-15). Thread-safe to use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/types.h>

#include "smime/certificate.hpp"
#include "smime/error.hpp"

namespace segel::smime {

class TrustStore {
public:
    static Result<TrustStore> from_certificates(const std::vector<Certificate>& anchors);
    static Result<TrustStore> load_pem_file(const std::string& path);

    // `ca` is a CA certificate whose chain ends at an anchor, through
    // `intermediates` if need be (no purpose checked): for CA certificates
    // an operator configures beside the anchors.
    Result<void> check_ca(const Certificate& ca, const std::vector<Certificate>& intermediates = {}) const;

    X509_STORE* handle() const noexcept { return m_store.get(); }
    std::size_t size() const noexcept { return m_count; }

private:
    TrustStore(std::shared_ptr<X509_STORE> store, std::size_t count) : m_store(std::move(store)), m_count(count) {}
    std::shared_ptr<X509_STORE> m_store;
    std::size_t m_count;
};

} // namespace segel::smime
