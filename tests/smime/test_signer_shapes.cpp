// A table of message shapes, each signed and then verified by OpenSSL, gpgsm
// and NSS trusting only the demo root, with the RFC 8551 form of the result
// and the content the reader sees checked too (signing_checks.cpp).
#include <catch2/catch.hpp>

#include <random>

#include "external_verifiers.hpp"
#include "signing_checks.hpp"
#include "test_support.hpp"

using segel::test::crlf;
using segel::test::sign_and_verify_everywhere;

namespace {

const std::string k_head = "From: Alice Rahmawati <alice@tangerangkota.go.id>\n"
                           "To: Warga <warga@example.com>\n"
                           "Subject: Pemberitahuan\n"
                           "Date: Sat, 21 Nov 2026 09:00:00 +0700\n"
                           "Message-ID: <shape@tangerangkota.go.id>\n";
const std::string k_mime = "MIME-Version: 1.0\n";

std::string random_bytes(std::size_t n, unsigned seed, bool allow_nul) {
    std::mt19937 random(seed);
    std::string bytes;
    while (bytes.size() < n) {
        const char c = static_cast<char>(random() & 0xff);
        if (allow_nul || c != '\0')
            bytes += c;
    }
    return bytes;
}

std::string base64(const std::string& data) {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out, line;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        unsigned int n = static_cast<unsigned char>(data[i]) << 16;
        if (i + 1 < data.size())
            n |= static_cast<unsigned char>(data[i + 1]) << 8;
        if (i + 2 < data.size())
            n |= static_cast<unsigned char>(data[i + 2]);
        line += alphabet[(n >> 18) & 63];
        line += alphabet[(n >> 12) & 63];
        line += i + 1 < data.size() ? alphabet[(n >> 6) & 63] : '=';
        line += i + 2 < data.size() ? alphabet[n & 63] : '=';
        if (line.size() == 76) {
            out += line + "\n";
            line.clear();
        }
    }
    return out + (line.empty() ? "" : line + "\n");
}

} // namespace

TEST_CASE("shape: plain ASCII text", "[smime][shapes]") {
    sign_and_verify_everywhere(crlf(k_head + k_mime + "Content-Type: text/plain; charset=us-ascii\n\n"
                                                      "Selamat pagi,\n\nRapat dimulai pukul 09.00.\n"));
}

TEST_CASE("shape: UTF-8 body sent as 8bit (SM-02 re-encodes it)", "[smime][shapes]") {
    const std::string signed_message = sign_and_verify_everywhere(
        crlf(k_head + k_mime + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                               "Terima kasih \xe2\x80\x94 caf\xc3\xa9, \xc3\xbc, \xe6\x97\xa5\xe6\x9c\xac.\n"));
    CHECK_THAT(signed_message, Catch::Contains("Content-Transfer-Encoding: quoted-printable"));
}

TEST_CASE("shape: a 7-bit body labelled 8bit or binary is relabelled 7bit (SM-02)", "[smime][shapes]") {
    for (const std::string label : {"8bit", "binary"}) {
        const auto part1 = segel::test::split_signed_message(
                               sign_and_verify_everywhere(crlf(k_head + k_mime +
                                                               "Content-Type: text/plain\nContent-Transfer-Encoding: " +
                                                               label + "\n\nHanya ASCII.\n")))
                               .part1;
        CHECK_THAT(part1, Catch::Contains("Content-Transfer-Encoding: 7bit\r\n") &&
                              Catch::Contains("\r\n\r\nHanya ASCII.\r\n"));
    }
}

TEST_CASE("shape: LF-only line ends (SM-01)", "[smime][shapes]") {
    sign_and_verify_everywhere(k_head + k_mime + "Content-Type: text/plain\n\nbaris satu\nbaris dua\n");
}

TEST_CASE("shape: trailing whitespace is protected by QP (SM-02)", "[smime][shapes]") {
    sign_and_verify_everywhere(crlf(k_head + "\nspasi di akhir   \ntab di akhir\t\nbiasa\n"));
}

TEST_CASE("shape: lines starting with \"From \" are armored (SM-02)", "[smime][shapes]") {
    const std::string signed_message =
        sign_and_verify_everywhere(crlf(k_head + k_mime + "Content-Type: text/plain\n\nFrom the mayor's office\n"
                                                          ">From quoted\nFrom\nFrom \n"));
    const auto part1 = segel::test::sign_to_text(crlf(k_head + "\nFrom here\n"), segel::test::demo_identity("alice"));
    CHECK_THAT(part1, Catch::Contains("\r\n=46rom here"));
    CHECK_THAT(signed_message, !Catch::Contains("\r\nFrom the mayor"));
}

TEST_CASE("shape: lines longer than 998 octets", "[smime][shapes]") {
    sign_and_verify_everywhere(crlf(k_head + k_mime + "Content-Type: text/plain; charset=us-ascii\n"
                                                      "Content-Transfer-Encoding: 7bit\n\n" +
                                    std::string(2500, 'a') + "\nshort\n" + std::string(999, 'b') + "\n"));
}

TEST_CASE("shape: CR without LF in the body (ID-10)", "[smime][shapes]") {
    sign_and_verify_everywhere(k_head + k_mime + "Content-Type: text/plain\n\none\rtwo\r\nthree\r\n");
}

TEST_CASE("shape: multipart/alternative with text and HTML", "[smime][shapes]") {
    sign_and_verify_everywhere(crlf(
        k_head + k_mime + "Content-Type: multipart/alternative; boundary=\"alt\"\n\n"
                          "--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                          "Halo Andr\xc3\xa9\n"
                          "--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                          "<html><body><p>Halo <b>Andr\xc3\xa9</b></p>" +
        std::string(1200, 'x') + "</body></html>\n--alt--\n"));
}

TEST_CASE("shape: multipart/mixed with binary attachments", "[smime][shapes]") {
    const std::string attachment = random_bytes(20000, 7, true);
    const std::string raw_8bit = random_bytes(3000, 8, false);
    sign_and_verify_everywhere(
        crlf(k_head + k_mime + "Content-Type: multipart/mixed; boundary=\"mix\"\n\n"
                               "This is a multi-part message in MIME format.\n"
                               "--mix\nContent-Type: text/plain\n\nLihat lampiran.\n"
                               "--mix\nContent-Type: application/pdf; name=\"laporan.pdf\"\n"
                               "Content-Transfer-Encoding: base64\n"
                               "Content-Disposition: attachment; filename=\"laporan.pdf\"\n\n" +
             base64(attachment) + "--mix\nContent-Type: application/octet-stream; name=\"raw.bin\"\n"
                                  "Content-Transfer-Encoding: 8bit\n\n") +
        raw_8bit + crlf("\n--mix--\n"));
}

TEST_CASE("shape: nested message/rfc822 with an 8bit body inside", "[smime][shapes]") {
    sign_and_verify_everywhere(
        crlf(k_head + k_mime + "Content-Type: multipart/mixed; boundary=\"fw\"\n\n"
                               "--fw\nContent-Type: text/plain\n\nPesan diteruskan.\n"
                               "--fw\nContent-Type: message/rfc822\nContent-Transfer-Encoding: 8bit\n\n"
                               "From: warga@example.com\nTo: alice@tangerangkota.go.id\nSubject: Keluhan\n"
                               "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                               "Content-Transfer-Encoding: 8bit\n\nJalan rusak di depan caf\xc3\xa9.\n"
                               "--fw--\n"));
}

TEST_CASE("shape: a non-MIME message gets an explicit Content-Type (SM-04)", "[smime][shapes]") {
    const std::string ascii = sign_and_verify_everywhere(crlf(k_head + "\nPesan lama tanpa MIME.\n"));
    CHECK_THAT(segel::test::split_signed_message(ascii).part1, Catch::Contains("charset=us-ascii"));
    // 8-bit text of no declared charset gets no charset either (issue 9 item 2).
    const std::string utf8 = sign_and_verify_everywhere(crlf(k_head + "\nSalam hangat, Andr\xc3\xa9\n"));
    CHECK_THAT(segel::test::split_signed_message(utf8).part1, Catch::StartsWith("Content-Type: text/plain\r\n"));
}

TEST_CASE("shape: folded and RFC 2047 encoded header fields stay outside, untouched", "[smime][shapes]") {
    const std::string head = "From: =?UTF-8?Q?Alice_Rahmawati_=E2=80=94_Diskominfo?=\n <alice@tangerangkota.go.id>\n"
                             "To: a@example.com,\n b@example.com,\n\tc@example.com\n"
                             "Subject: =?UTF-8?B?UGVuZ3VtdW1hbiBwZW50aW5n?=\n =?UTF-8?Q?_caf=C3=A9?=\n"
                             "Date: Sat, 21 Nov 2026 09:00:00 +0700\n";
    const std::string signed_message = sign_and_verify_everywhere(crlf(head + "\nIsi.\n"));
    CHECK_THAT(signed_message, Catch::StartsWith(crlf(head)));
}

TEST_CASE("shape: empty body", "[smime][shapes]") {
    sign_and_verify_everywhere(crlf(k_head + k_mime + "Content-Type: text/plain\n\n"));
    sign_and_verify_everywhere(crlf(k_head + "\n"));
}

TEST_CASE("shape: header only, no blank line", "[smime][shapes]") {
    sign_and_verify_everywhere(crlf(k_head));
}

TEST_CASE("ECDSA P-256 signer (SM-11)", "[smime][shapes][ecdsa]") {
    const std::string head = "From: Dewi Anggraini <dewi@tangerangkota.go.id>\nSubject: EC\n";
    sign_and_verify_everywhere(crlf(head + k_mime + "Content-Type: text/plain\n\nDitandatangani dengan ECDSA.\n"),
                               "dewi");
}

TEST_CASE("RSA signer with EKU emailProtection and with keyEncipherment", "[smime][shapes]") {
    sign_and_verify_everywhere(crlf("From: bambang@tangerangkota.go.id\nSubject: x\n\nIsi.\n"), "bambang");
    sign_and_verify_everywhere(crlf("From: citra@tangerangkota.go.id\nSubject: x\n\nIsi.\n"), "citra");
}

TEST_CASE("ID-09: a signer with critical certificatePolicies verifies in OpenSSL, not in gpgsm or NSS",
          "[smime][shapes][id09]") {
    // Documents what recipients' clients do with such a certificate; the
    // signer itself has no reason to refuse it.
    const std::string signed_message = segel::test::sign_to_text(
        crlf("From: intan@tangerangkota.go.id\nSubject: x\n\nIsi.\n"), segel::test::demo_identity("intan"));
    const auto parts = segel::test::split_signed_message(signed_message);
    CHECK(segel::test::verify_with_openssl(signed_message, "intan@tangerangkota.go.id").good);
    CHECK_FALSE(segel::test::verify_with_gpgsm(parts, "intan@tangerangkota.go.id").good);
    CHECK_FALSE(segel::test::verify_with_nss(parts, "Intan Wulandari").good);
}

TEST_CASE("shape: a PGP/MIME signed message is wrapped with its signed part byte for byte", "[smime][shapes]") {
    const std::string inner = crlf("--pgp\nContent-Type: text/plain\n\nFrom the PGP world, trailing  \n"
                                   "--pgp\nContent-Type: application/pgp-signature\n\n-----BEGIN PGP SIGNATURE-----\n"
                                   "iQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n--pgp--\n");
    const std::string signed_message = sign_and_verify_everywhere(
        crlf(k_head + k_mime + "Content-Type: multipart/signed; protocol=\"application/pgp-signature\";"
                               " micalg=pgp-sha256; boundary=\"pgp\"\n\n") +
        inner);
    // RFC 1847: the inner signed part is never re-encoded (no =20, no =46rom).
    CHECK_THAT(segel::test::split_signed_message(signed_message).part1, Catch::Contains(inner));
}

TEST_CASE("shape: a non-MIME body's Content-Type comes first in part 1", "[smime][shapes]") {
    const auto part1 = segel::test::split_signed_message(
                           segel::test::sign_to_text(crlf(k_head + "\nFrom a non-MIME world\n"),
                                                     segel::test::demo_identity("alice")))
                           .part1;
    CHECK_THAT(part1, Catch::StartsWith("Content-Type: text/plain; charset=us-ascii\r\n"
                                        "Content-Transfer-Encoding: quoted-printable\r\n\r\n=46rom"));
}

TEST_CASE("line ends split across the scanners' 64 KiB reads are handled", "[smime][shapes]") {
    // 809 lines of 81 octets, then a short line whose CR is the 65,536th
    // content byte and whose LF is the first byte of the next read.
    std::string lines;
    for (int i = 0; i < 809; ++i)
        lines += std::string(79, 'a') + "\r\n";
    const std::string head = crlf(k_head + k_mime + "Content-Type: text/plain\nContent-Transfer-Encoding: 7bit\n\n");
    SECTION("a CRLF across the boundary is a line end, so the part stays 7bit") {
        const std::string signed_message =
            sign_and_verify_everywhere(head + lines + "bbbbbb\r\n" + "tail line\r\n");
        CHECK_THAT(segel::test::split_signed_message(signed_message).part1,
                   Catch::Contains("Content-Transfer-Encoding: 7bit") && !Catch::Contains("quoted-printable"));
    }
    SECTION("a CR at the boundary followed by text is a bare CR, so the part is re-encoded") {
        const std::string signed_message =
            sign_and_verify_everywhere(head + lines + "bbbbbb\rcontinued\r\n");
        CHECK_THAT(segel::test::split_signed_message(signed_message).part1,
                   Catch::Contains("quoted-printable") && Catch::Contains("bbbbbb=0D"));
    }
}
