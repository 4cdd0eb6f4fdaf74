// The optional footer (Tangerang art. 14) is added below the message before
// signing, and the result verifies everywhere.
#include <catch2/catch.hpp>

#include "external_verifiers.hpp"
#include "signing_checks.hpp"
#include "test_support.hpp"

using namespace segel::test;

namespace {
const std::string k_note = "Sesuai dengan ketentuan perundang-undangan yang berlaku, surat ini telah ditandatangani "
                           "secara elektronik yang tersertifikasi oleh BSrE";
const std::string k_head = "From: alice@tangerangkota.go.id\nTo: warga@example.com\nSubject: catatan\nMIME-Version: 1.0\n";

std::string sign_with_footer(const std::string& message) {
    segel::smime::SignOptions options;
    options.footer_text = k_note;
    const std::string signed_message = sign_to_text(crlf(message), demo_identity("alice"), Chunking::whole, options);
    verify_everywhere(signed_message, "alice");
    return split_signed_message(signed_message).part1;
}
} // namespace

TEST_CASE("the footer is appended to a plain-text body", "[smime][footer]") {
    const auto part1 = sign_with_footer(k_head + "Content-Type: text/plain; charset=us-ascii\n\nIsi surat.\n");
    CHECK_THAT(part1, Catch::Contains("Isi surat.\r\n\r\n\r\nSesuai dengan ketentuan"));
    CHECK_THAT(part1, Catch::StartsWith("Content-Type: text/plain"));
}

TEST_CASE("the footer of a base64 or 8bit text body is re-encoded with it", "[smime][footer]") {
    const auto part1 = sign_with_footer(k_head + "Content-Type: text/plain; charset=utf-8\n"
                                                 "Content-Transfer-Encoding: base64\n\nSXNpIHN1cmF0IMOpLgo=\n");
    CHECK_THAT(part1, Catch::Contains("quoted-printable") && Catch::Contains("Isi surat =C3=A9.") &&
                          Catch::Contains("Sesuai dengan"));
}

TEST_CASE("a multipart/alternative body is wrapped in multipart/mixed with the footer last", "[smime][footer]") {
    const auto part1 = sign_with_footer(
        k_head + "Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\nContent-Type: text/plain\n\nteks\n"
                 "--alt\nContent-Type: text/html\n\n<p>teks</p>\n--alt--\n");
    CHECK_THAT(part1, Catch::StartsWith("Content-Type: multipart/mixed"));
    CHECK(part1.find("multipart/alternative") < part1.find("Sesuai dengan"));
    CHECK_THAT(part1, Catch::Contains("Content-Disposition: inline"));
}

TEST_CASE("a multipart/mixed body gets the footer as its last part", "[smime][footer]") {
    const auto part1 = sign_with_footer(k_head + "Content-Type: multipart/mixed; boundary=\"m\"\n\n--m\n"
                                                 "Content-Type: text/plain\n\nteks\n--m\nContent-Type: application/pdf\n"
                                                 "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--m--\n");
    CHECK_THAT(part1, Catch::StartsWith("Content-Type: multipart/mixed; boundary=\"m\""));
    CHECK(part1.find("application/pdf") < part1.find("Sesuai dengan"));
}
