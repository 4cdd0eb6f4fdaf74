// libFuzzer target over what Segel does with bytes from the outside: the
// spool's raw checks, the GMime parse, the verifier (inbound entry point)
// and the signer (outbound). Any input must give a result or an error kind,
// never a crash, a leak or undefined behaviour (ASan+UBSan).
// Build with -DSEGEL_FUZZ=ON and clang; run by tests/fuzz/run-fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "smime/message_spool.hpp"
#include "smime/signer.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"

namespace {

// A throw-away CA and signer, made once in memory (no key on disk).
struct Fixture {
    std::optional<segel::smime::TrustStore> anchors;
    std::optional<segel::smime::SigningIdentity> identity;

    Fixture() {
        EVP_PKEY* key = EVP_EC_gen("P-256");
        X509* cert = X509_new();
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
        X509_NAME* name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Fuzz"), -1, -1, 0);
        X509_set_issuer_name(cert, name);
        X509_set_pubkey(cert, key);
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
        X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "email:a@tangerangkota.go.id");
        X509_add_ext(cert, san, -1);
        X509_EXTENSION_free(san);
        X509_sign(cert, key, EVP_sha256());
        auto certificate = segel::smime::Certificate::adopt(cert);
        anchors = std::move(segel::smime::TrustStore::from_certificates({certificate})).value();
        identity = std::move(segel::smime::SigningIdentity::assemble(
                                 certificate, std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free), {}))
                       .value();
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture fixture;
    auto spool = segel::smime::MessageSpool::create(std::filesystem::temp_directory_path());
    if (!spool)
        return 0;
    // Two chunks, split in the middle, so chunk boundaries are exercised too.
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (!spool->append(bytes.substr(0, size / 2)) || !spool->append(bytes.substr(size / 2)))
        return 0;
    auto message = std::move(spool).value().finish();
    if (!message)
        return 0;
    (void)segel::smime::verify_message(*message, *fixture.anchors);
    (void)segel::smime::sign_message(*message, *fixture.identity);
    return 0;
}
