// libFuzzer target over what Segel does with bytes from the outside: the
// spool's raw checks, the GMime parse, the verifier (inbound entry point)
// and the signer (outbound). Every other input is also verified as the
// content of a valid opaque signature, so that the verifier's walk below a
// layer that held (inner layers, protected header fields, caps) is fuzzed. Any input must give a result or an error kind,
// never a crash, a leak or undefined behaviour (ASan+UBSan).
// Build with -DSEGEL_FUZZ=ON and clang; run by tests/fuzz/run-fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/cms.h>
#include <openssl/evp.h>

#include "fuzz_ca.hpp"
#include "fuzz_messages.hpp"
#include "smime/message_spool.hpp"
#include "smime/signer.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"

namespace {

// A throw-away CA and signer, made once in memory (no key on disk).
struct Fixture {
    std::optional<segel::smime::TrustStore> anchors;
    std::optional<segel::smime::SigningIdentity> identity;
    std::optional<segel::smime::Certificate> certificate;
    std::shared_ptr<EVP_PKEY> key;

    Fixture() {
        auto made = segel::fuzz::make_certificate("Fuzz", 1, {{NID_subject_alt_name, "email:a@tangerangkota.go.id"}});
        certificate = made.certificate;
        key = made.key;
        anchors = std::move(segel::smime::TrustStore::from_certificates({*certificate})).value();
        identity = std::move(segel::smime::SigningIdentity::assemble(*certificate, key, {})).value();
    }
};

// `content` in opaque signed-data by the fixture's signer, as a message from its address.
std::string opaque_message(const Fixture& fixture, std::string_view content) {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())), BIO_free);
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
        CMS_sign(fixture.certificate->handle(), fixture.key.get(), nullptr, in.get(), CMS_BINARY), CMS_ContentInfo_free);
    return segel::fuzz::pkcs7_mime_message("From: a@tangerangkota.go.id\r\n", "signed-data", cms.get());
}

void verify_text(const Fixture& fixture, std::string_view text) {
    auto spool = segel::smime::MessageSpool::create(std::filesystem::temp_directory_path());
    if (!spool || !spool->append(text))
        return;
    auto message = std::move(spool).value().finish();
    if (message)
        (void)segel::smime::verify_message(*message, *fixture.anchors);
}

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
    (void)segel::smime::sign(segel::smime::MimeEntity::of(std::move(*message)), *fixture.identity);
    if (size > 0 && (data[0] & 1) != 0)
        verify_text(fixture, opaque_message(fixture, bytes));
    return 0;
}
