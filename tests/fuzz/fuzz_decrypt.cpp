// libFuzzer target over the decryption entry point (issue 13): what
// segel-milter does with an encrypted inbound message before verification.
// Each input is taken three ways: as a whole message (find_envelope, then
// decrypt with the fixture's key, then verify what came out), as the DER of
// a CMS object in an application/pkcs7-mime message (so the fuzzer mutates
// RecipientInfos and ciphertext directly), and, on odd first bytes, as the
// plaintext of a valid EnvelopedData made for the fixture's key (so the
// plaintext reader and the verifier below it are fuzzed). Any input must
// give a result or an error kind, never a crash, a leak or undefined
// behaviour (ASan+UBSan). Build with -DSEGEL_FUZZ=ON and clang; run by
// tests/fuzz/run-fuzz.sh.
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
#include "smime/decryptor.hpp"
#include "smime/message_spool.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"

namespace {

namespace smime = segel::smime;

// A throw-away recipient (EC P-256: key agreement), made once in memory.
struct Fixture {
    std::optional<smime::TrustStore> anchors;
    std::vector<smime::DecryptionCredential> credentials;
    std::optional<smime::Certificate> certificate;

    Fixture() {
        auto made = segel::fuzz::make_certificate("Fuzz", 1, {{NID_subject_alt_name, "email:a@tangerangkota.go.id"}});
        certificate = made.certificate;
        credentials.push_back({made.certificate, made.key});
        anchors = std::move(smime::TrustStore::from_certificates({*certificate})).value();
    }
};

const std::string k_fields = "From: b@example.org\r\nTo: a@tangerangkota.go.id\r\n";

// `plaintext` enveloped (AES-256-CBC) for the fixture's certificate.
std::string enveloped_message(const Fixture& fixture, std::string_view plaintext) {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(plaintext.data(), static_cast<int>(plaintext.size())),
                                                 BIO_free);
    struct StackFree {
        void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); } // the certificate is borrowed
    };
    std::unique_ptr<STACK_OF(X509), StackFree> recipients(sk_X509_new_null());
    sk_X509_push(recipients.get(), fixture.certificate->handle());
    std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
        CMS_encrypt(recipients.get(), in.get(), EVP_aes_256_cbc(), CMS_BINARY), CMS_ContentInfo_free);
    return segel::fuzz::pkcs7_mime_message(k_fields, "enveloped-data", cms.get());
}

void open_message(const Fixture& fixture, std::string_view text) {
    auto spool = smime::MessageSpool::create(std::filesystem::temp_directory_path());
    if (!spool || !spool->append(text))
        return;
    auto spooled = std::move(spool).value().finish();
    if (!spooled)
        return;
    const auto message = smime::MimeEntity::of(std::move(*spooled));
    auto envelope = smime::find_envelope(message);
    if (!envelope || !envelope->openable())
        return;
    auto decrypted = smime::decrypt(message, *envelope, fixture.credentials, std::filesystem::temp_directory_path());
    if (!decrypted)
        return;
    auto report = smime::verify(decrypted->entity, *fixture.anchors);
    if (report)
        (void)smime::release_decision(*envelope, report->verdict, false);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture fixture;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    open_message(fixture, bytes);
    if (size > 0 && size < (1u << 20))
        open_message(fixture, segel::fuzz::pkcs7_mime_message(k_fields, "enveloped-data", data, static_cast<int>(size)));
    if (size > 0 && (data[0] & 1) != 0)
        open_message(fixture, enveloped_message(fixture, bytes));
    return 0;
}
