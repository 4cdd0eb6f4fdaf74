// libFuzzer target over revocation data from the network or an operator:
// CRLs (PEM bundles or DER, as downloaded from crl_url, read from a crl file
// or given to `segel sync crl`) through parsing, the acceptance checks and
// a store's lookup, and OCSP responses through every check the checker
// makes. Any input must give an answer or an error, never a crash, a leak
// or undefined behaviour (ASan+UBSan). Run by tests/fuzz/run-fuzz.sh.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <openssl/ocsp.h>

#include "fuzz_ca.hpp"
#include "ocsp_response.hpp"
#include "smime/crl.hpp"
#include "smime/crl_acceptance.hpp"
#include "smime/trust_store.hpp"

namespace {

struct Fixture {
    segel::fuzz::MadeCertificate ca = segel::fuzz::make_certificate(
        "Fuzz CA", 1, {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,keyCertSign,cRLSign"}});
    segel::fuzz::MadeCertificate signer = segel::fuzz::make_certificate(
        "Fuzz Signer", 2, {{NID_subject_alt_name, "email:a@tangerangkota.go.id"}}, &ca);
    segel::smime::TrustStore anchors = std::move(segel::smime::TrustStore::from_certificates({ca.certificate})).value();
};

void crls(const Fixture& fixture, std::string_view bytes, segel::smime::Certificate::TimePoint now) {
    auto parsed = segel::smime::Crl::parse_all(bytes, "fuzz");
    if (!parsed)
        return;
    const std::vector<segel::smime::Certificate> issuers = {fixture.ca.certificate};
    for (const auto& crl : *parsed) {
        (void)crl.issuer();
        (void)crl.next_update();
        (void)crl.entries();
        (void)segel::smime::crl_signer(crl, issuers);
        (void)segel::smime::check_current(crl, now, {});
        (void)segel::smime::check_not_older(crl, parsed->front());
        (void)crl.compare_number(parsed->back());
    }
}

void ocsp(const Fixture& fixture, std::string_view bytes, segel::smime::Certificate::TimePoint now) {
    std::unique_ptr<OCSP_CERTID, decltype(&OCSP_CERTID_free)> id(
        OCSP_cert_to_id(EVP_sha1(), fixture.signer.certificate.handle(), fixture.ca.certificate.handle()), OCSP_CERTID_free);
    std::unique_ptr<OCSP_REQUEST, decltype(&OCSP_REQUEST_free)> request(OCSP_REQUEST_new(), OCSP_REQUEST_free);
    OCSP_CERTID* request_id = id ? OCSP_CERTID_dup(id.get()) : nullptr;
    if (!request || request_id == nullptr || OCSP_request_add0_id(request.get(), request_id) == nullptr ||
        OCSP_request_add1_nonce(request.get(), nullptr, -1) != 1)
        return;
    segel::smime::OcspOptions options;
    options.url = "http://fuzz.invalid/";
    std::optional<segel::smime::Certificate::TimePoint> valid_until;
    (void)segel::smime::read_ocsp_response(bytes, request.get(), id.get(), fixture.ca.certificate, now, options,
                                           fixture.anchors, valid_until);
    options.nonce = false;
    options.pinned_responder = fixture.signer.certificate;
    (void)segel::smime::read_ocsp_response(bytes, request.get(), id.get(), fixture.ca.certificate, now, options,
                                           fixture.anchors, valid_until);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Fixture fixture;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto now = std::chrono::system_clock::now();
    crls(fixture, bytes, now);
    ocsp(fixture, bytes, now);
    return 0;
}
