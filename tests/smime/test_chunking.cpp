// Chunk boundaries must not matter: a message fed one byte at a time or in
// random-sized chunks signs to a message that verifies (GMime's
// TestStreamOneByte idea).
#include <catch2/catch.hpp>

#include "external_verifiers.hpp"
#include "test_support.hpp"

using namespace segel::test;

namespace {
const std::string k_message = crlf(
    "From: Alice Rahmawati <alice@tangerangkota.go.id>\nTo: warga@example.com\nSubject: potong\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"c\"\n\n"
    "--c\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    "Baris dengan spasi  \nFrom baris\nAndr\xc3\xa9\n"
    "--c\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n"
    "--c--\n");

void check_verifies(const std::string& signed_message) {
    const auto verdict = verify_with_openssl(signed_message, "alice@tangerangkota.go.id");
    INFO("openssl said: " << verdict.detail);
    CHECK(verdict.good);
}
} // namespace

TEST_CASE("a message fed one byte at a time signs and verifies", "[smime][chunking]") {
    check_verifies(sign_to_text(k_message, demo_identity("alice"), Chunking::one_byte));
}

TEST_CASE("a message fed in random-sized chunks signs and verifies", "[smime][chunking]") {
    check_verifies(sign_to_text(k_message, demo_identity("alice"), Chunking::random_sizes));
}

TEST_CASE("chunking does not change the part that is signed", "[smime][chunking]") {
    const auto whole = split_signed_message(sign_to_text(k_message, demo_identity("alice"), Chunking::whole));
    const auto bytes = split_signed_message(sign_to_text(k_message, demo_identity("alice"), Chunking::one_byte));
    CHECK(whole.part1 == bytes.part1);
}
