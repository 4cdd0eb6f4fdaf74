// What is inside the SignedData we produce, read back through OpenSSL's
// PKCS7 API and CLI (not the CMS code path that wrote it).
#include <catch2/catch.hpp>

#include <memory>

#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "external_verifiers.hpp"
#include "test_support.hpp"

using namespace segel::test;

namespace {

struct Pkcs7Free {
    void operator()(PKCS7* p) const noexcept { PKCS7_free(p); }
};

struct SignedSample {
    SignedParts parts;
    std::unique_ptr<PKCS7, Pkcs7Free> pkcs7;
    PKCS7_SIGNER_INFO* signer = nullptr;
};

SignedSample sign_sample(const std::string& user) {
    SignedSample sample;
    sample.parts = split_signed_message(
        sign_to_text(crlf("From: " + user + "@tangerangkota.go.id\nSubject: s\n\nisi\n"), demo_identity(user)));
    const auto* p = reinterpret_cast<const unsigned char*>(sample.parts.signature_der.data());
    sample.pkcs7.reset(d2i_PKCS7(nullptr, &p, static_cast<long>(sample.parts.signature_der.size())));
    REQUIRE(sample.pkcs7);
    REQUIRE(PKCS7_type_is_signed(sample.pkcs7.get()));
    STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(sample.pkcs7.get());
    REQUIRE(sk_PKCS7_SIGNER_INFO_num(signers) == 1);
    sample.signer = sk_PKCS7_SIGNER_INFO_value(signers, 0);
    return sample;
}

} // namespace

TEST_CASE("SM-05: the SignedData is detached and its content type is id-data", "[smime][structure]") {
    auto sample = sign_sample("alice");
    CHECK(PKCS7_get_detached(sample.pkcs7.get()) == 1);
    PKCS7* inner = sample.pkcs7->d.sign->contents;
    CHECK(OBJ_obj2nid(inner->type) == NID_pkcs7_data);
}

TEST_CASE("SHA-256 digest and the signed attributes of SM-09", "[smime][structure]") {
    auto sample = sign_sample("alice");
    const X509_ALGOR* digest = sample.signer->digest_alg;
    CHECK(OBJ_obj2nid(digest->algorithm) == NID_sha256);
    CHECK(PKCS7_get_signed_attribute(sample.signer, NID_pkcs9_signingTime) != nullptr);
    CHECK(PKCS7_get_signed_attribute(sample.signer, NID_pkcs9_contentType) != nullptr);
    CHECK(PKCS7_get_signed_attribute(sample.signer, NID_pkcs9_messageDigest) != nullptr);
    CHECK(PKCS7_get_signed_attribute(sample.signer, NID_id_smime_aa_signingCertificateV2) != nullptr);
}

TEST_CASE("OSSL-12: our SMIMECapabilities list AES-GCM first, then AES-CBC and RSA-OAEP-SHA-256, nothing weak",
          "[smime][structure]") {
    auto sample = sign_sample("alice");
    STACK_OF(X509_ALGOR)* caps = PKCS7_get_smimecap(sample.signer);
    REQUIRE(caps != nullptr);
    std::vector<int> nids;
    for (int i = 0; i < sk_X509_ALGOR_num(caps); ++i) {
        const X509_ALGOR* alg = sk_X509_ALGOR_value(caps, i);
        nids.push_back(OBJ_obj2nid(alg->algorithm));
        if (nids.back() != NID_rsaesOaep) {
            CHECK(alg->parameter == nullptr); // SM-10: no parameters where the algorithm has none
            continue;
        }
        // RFC 4055: the OAEP parameters name SHA-256 and MGF1 with SHA-256.
        REQUIRE(alg->parameter != nullptr);
        REQUIRE(alg->parameter->type == V_ASN1_SEQUENCE);
        RSA_OAEP_PARAMS* oaep = static_cast<RSA_OAEP_PARAMS*>(
            ASN1_item_unpack(alg->parameter->value.sequence, ASN1_ITEM_rptr(RSA_OAEP_PARAMS)));
        REQUIRE(oaep != nullptr);
        CHECK(OBJ_obj2nid(oaep->hashFunc->algorithm) == NID_sha256);
        CHECK(OBJ_obj2nid(oaep->maskGenFunc->algorithm) == NID_mgf1);
        X509_ALGOR* mgf1_md = static_cast<X509_ALGOR*>(
            ASN1_item_unpack(oaep->maskGenFunc->parameter->value.sequence, ASN1_ITEM_rptr(X509_ALGOR)));
        REQUIRE(mgf1_md != nullptr);
        CHECK(OBJ_obj2nid(mgf1_md->algorithm) == NID_sha256);
        X509_ALGOR_free(mgf1_md);
        RSA_OAEP_PARAMS_free(oaep);
    }
    sk_X509_ALGOR_pop_free(caps, X509_ALGOR_free);
    CHECK(nids == std::vector<int>{NID_aes_256_gcm, NID_aes_128_gcm, NID_aes_256_cbc, NID_aes_128_cbc, NID_rsaesOaep});
}

TEST_CASE("CH-12: the signature carries the signer and the issuing CA, not the root", "[smime][structure]") {
    auto sample = sign_sample("alice");
    const auto subjects = embedded_certificate_subjects(sample.parts.signature_der);
    REQUIRE(subjects.size() == 2);
    std::string all;
    for (const auto& s : subjects)
        all += s + "\n";
    CHECK_THAT(all, Catch::Contains("CN = Alice Rahmawati") && Catch::Contains("CN = Demo BSrE CA DS G1") &&
                        !Catch::Contains("CN = Demo Root CA Indonesia DS G1"));
}

TEST_CASE("ECDSA signatures use ecdsa-with-SHA256 or id-ecPublicKey with SHA-256", "[smime][structure][ecdsa]") {
    auto sample = sign_sample("dewi");
    CHECK(OBJ_obj2nid(sample.signer->digest_alg->algorithm) == NID_sha256);
    const int signature_nid = OBJ_obj2nid(sample.signer->digest_enc_alg->algorithm);
    CHECK((signature_nid == NID_ecdsa_with_SHA256 || signature_nid == NID_X9_62_id_ecPublicKey));
}
