// Shapes real mail clients write that Segel once refused or changed (issue
// 9): blank lines and 8-bit text in preambles and epilogues together with a
// part that must be re-encoded, raw 8-bit in a part's header fields, and a
// closing delimiter with no line break after it. Each is signed, verified by
// OpenSSL, gpgsm and NSS, and read back the same (compare_mime_content.py:
// tree, types, charsets, file names, dispositions, decoded bytes).
#include <catch2/catch.hpp>

#include "external_verifiers.hpp"
#include "signing_checks.hpp"
#include "test_support.hpp"

using segel::test::crlf;
using segel::test::sign_and_verify_everywhere;
using segel::test::split_signed_message;

namespace {

const std::string k_head = "From: Alice Rahmawati <alice@tangerangkota.go.id>\n"
                           "To: Warga <warga@example.com>\n"
                           "Subject: Surat dari klien\n"
                           "MIME-Version: 1.0\n";

std::string mixed(const std::string& preamble, const std::string& parts, const std::string& epilogue) {
    return crlf(k_head + "Content-Type: multipart/mixed; boundary=\"b\"\n\n" + preamble + parts + "--b--\n" +
                epilogue);
}

const std::string k_trailing_space = "--b\nContent-Type: text/plain; charset=us-ascii\n\nhello   \n";

} // namespace

TEST_CASE("client shape: trailing spaces and an empty line after the closing delimiter (SM-01, SM-02)",
          "[smime][shapes][clients]") {
    const std::string signed_message = sign_and_verify_everywhere(mixed("", k_trailing_space, "\n"));
    CHECK_THAT(split_signed_message(signed_message).part1, Catch::Contains("hello  =20"));
}

TEST_CASE("client shape: a blank line in the preamble with parts that must be re-encoded (SM-01, SM-02)",
          "[smime][shapes][clients]") {
    const std::string preamble = "This is a multi-part message in MIME format.\n\n";
    SECTION("trailing white space, the -- signature separator") {
        sign_and_verify_everywhere(mixed(preamble, k_trailing_space + "-- \nAlice\n", "\n"));
    }
    SECTION("8-bit text") {
        sign_and_verify_everywhere(mixed(preamble,
                                         "--b\nContent-Type: text/plain; charset=utf-8\n"
                                         "Content-Transfer-Encoding: 8bit\n\nTerima kasih, Andr\xc3\xa9\n",
                                         "\n\n"));
    }
    SECTION("a line starting \"From \"") {
        sign_and_verify_everywhere(mixed(preamble, "--b\nContent-Type: text/plain\n\nFrom the office\n", "\n"));
    }
    SECTION("a line over 998 octets") {
        sign_and_verify_everywhere(
            mixed(preamble, "--b\nContent-Type: text/html\n\n<p>" + std::string(1500, 'x') + "</p>\n", "\n"));
    }
    SECTION("nested multiparts, each with blank lines around it") {
        sign_and_verify_everywhere(crlf(
            k_head + "Content-Type: multipart/mixed; boundary=\"out\"\n\n\nPreamble.\n\n"
                     "--out\nContent-Type: multipart/alternative; boundary=\"in\"\n\n\n"
                     "--in\nContent-Type: text/plain\n\nhalo  \n"
                     "--in\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n<b>\xc3\xa9</b>\n"
                     "--in--\n\n\n"
                     "--out\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC\n"
                     "--out--\n\nEpilogue.\n"));
    }
}

TEST_CASE("client shape: 8-bit text in a preamble or epilogue (Outlook Express) is left out of part 1",
          "[smime][shapes][clients]") {
    const std::string signed_message = sign_and_verify_everywhere(
        mixed("Ceci est un message en plusieurs parties au format MIME. \xc3\x89t\xc3\xa9\n\n",
              "--b\nContent-Type: text/plain\n\nIsi.\n", "Fin du message \xe9t\xe9.\n"));
    CHECK_THAT(split_signed_message(signed_message).part1, !Catch::Contains("MIME. "));
}

TEST_CASE("client shape: raw 8-bit file names in a part's header are RFC 2231 encoded (Eudora, Netscape)",
          "[smime][shapes][clients]") {
    SECTION("UTF-8") {
        const std::string signed_message = sign_and_verify_everywhere(
            mixed("", "--b\nContent-Type: application/pdf; name=\"lapor\xc3\xa1n.pdf\"\n"
                      "Content-Disposition: attachment; filename=\"lapor\xc3\xa1n.pdf\"\n"
                      "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n",
                  ""));
        CHECK_THAT(split_signed_message(signed_message).part1, Catch::Contains("filename*="));
    }
    SECTION("Latin-1, unquoted, in a text part") {
        sign_and_verify_everywhere(mixed("", "--b\nContent-Type: text/plain; name=ci\xeble.txt\n"
                                             "Content-Disposition: attachment;\n\tfilename=ci\xeble.txt\n\nisi\n",
                                         ""));
    }
    SECTION("an unstructured field and a forwarded message's own header") {
        sign_and_verify_everywhere(mixed("",
                                         "--b\nContent-Type: message/rfc822\nContent-Description: Surat "
                                         "\xc3\xa9\n\nFrom: Warga <w@example.com>\nSubject: Keluhan caf\xc3\xa9\n\n"
                                         "Isi.\n",
                                         ""));
    }
}

TEST_CASE("client shape: a closing delimiter with no line break after it changes no part", "[smime][shapes][clients]") {
    std::string message = mixed("", "--b\nContent-Type: text/plain\n\nthis is the data\n", "");
    message.resize(message.size() - 2); // "--b--" ends the message
    const std::string signed_message = sign_and_verify_everywhere(message);
    // Nothing needed re-encoding: the text stays 7bit, with no =0D added.
    CHECK_THAT(split_signed_message(signed_message).part1,
               Catch::Contains("\r\nthis is the data\r\n--b--") && !Catch::Contains("=0D"));
    SECTION("also with LF line ends, nested in a forwarded message, and with a part to re-encode") {
        sign_and_verify_everywhere(k_head + "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
                                            "Content-Type: text/plain\n\npagi\n-- \n\n--b--");
        std::string forwarded = crlf(k_head + "Content-Type: message/rfc822\n\nFrom: w@example.com\n"
                                              "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"i\"\n\n"
                                              "--i\nContent-Type: text/plain\n\nhalo  \n--i--\n");
        forwarded.resize(forwarded.size() - 2);
        sign_and_verify_everywhere(forwarded);
    }
}

TEST_CASE("client shape: LF header lines with CRLF content lines add no CR to a part", "[smime][shapes][clients]") {
    sign_and_verify_everywhere(k_head + "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
                                        "Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
                                        "pagi \xc3\xa9\r\n\r\n--b--\n");
}

TEST_CASE("client shape: raw 8-bit and over-long top-level MIME fields are encoded and folded into part 1",
          "[smime][shapes][clients]") {
    const std::string signed_message = sign_and_verify_everywhere(
        crlf(k_head + "Content-Type: application/pdf; name=\"lapor\xc3\xa1n " + std::string(1100, 'x') + ".pdf\"\n"
                      "Content-Disposition: attachment; filename=\"ci\xeble.pdf\"\n"
                      "Content-Description: Laporan tahunan \xc3\xa9\n"
                      "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"));
    CHECK_THAT(split_signed_message(signed_message).part1, Catch::Contains("name*0*=") && Catch::Contains("filename*="));
}

TEST_CASE("client shape: a References field over 998 octets stays outside, untouched", "[smime][shapes][clients]") {
    std::string references = "References:";
    for (int i = 0; i < 60; ++i)
        references += " <pesan" + std::to_string(i) + "@tangerangkota.go.id>";
    const std::string signed_message = sign_and_verify_everywhere(
        crlf(k_head + references + "\nContent-Type: text/plain\n\nBalasan.\n"));
    CHECK_THAT(signed_message, Catch::Contains(references + "\r\n"));
}

TEST_CASE("client shape: a part's header line over 998 octets is folded or encoded", "[smime][shapes][clients]") {
    sign_and_verify_everywhere(mixed("", "--b\nContent-Type: text/plain\nX-Long: " + std::string(1000, 'y') +
                                             "\nX-Words:" + std::string(300, ' ') + std::string(200, 'k') + " " +
                                             std::string(900, 'z') + "\n\nx\n",
                                     ""));
}
