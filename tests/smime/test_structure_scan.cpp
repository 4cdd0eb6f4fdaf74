// The count of entities made before GMime parses (white-box:
// smime/src/structure_scan.hpp), and the caps it enforces in both directions
// (SM-16, SEC-07): a part-count bomb is refused before any tree is built.
#include <catch2/catch.hpp>

#include <vector>

#include "smime/signer.hpp"
#include "smime/verifier.hpp"
#include "structure_scan.hpp"
#include "test_support.hpp"

using segel::smime::count_structure;
using segel::test::crlf;

namespace {
const std::string k_head = "From: alice@tangerangkota.go.id\nSubject: x\nMIME-Version: 1.0\n";

std::string repeated(const std::string& text, int times) {
    std::string out;
    for (int i = 0; i < times; ++i)
        out += text;
    return out;
}
} // namespace

TEST_CASE("structure scan: delimiter lines of declared boundaries count, other dash lines do not", "[smime][scan]") {
    const std::string message = crlf(k_head + "Content-Type: multipart/mixed; boundary=\"b 1\"\n\n--b 1\n"
                                              "Content-Type: text/x-sql\n\n-- comment\n-- another\n--\n--b 1  \n\n"
                                              "--b 1--\n");
    const auto count = count_structure(message, 1000);
    CHECK(count.delimiter_lines == 3);
    CHECK(count.content_type_lines == 2);
}

TEST_CASE("structure scan: a boundary it cannot read for certain makes every dash line count", "[smime][scan]") {
    for (const std::string declaration : {"boundary*0=\"a\"; boundary*1=\"b\"", "boundary=\"a\\\\b\"", "boundary=\n"}) {
        CAPTURE(declaration);
        const auto count = count_structure(
            crlf(k_head + "Content-Type: multipart/mixed; " + declaration + "\n\n-- x\n-- y\n"), 1000);
        CHECK(count.delimiter_lines == 2);
    }
}

TEST_CASE("structure scan: stops counting past the cap", "[smime][scan]") {
    const auto count = count_structure(crlf(k_head + "Content-Type: multipart/mixed; boundary=B\n\n" +
                                            repeated("--B\n\n", 5000)),
                                       10);
    CHECK(count.delimiter_lines == 11);
}

TEST_CASE("structure scan: reports its progress every few MiB, counting the same", "[smime][scan]") {
    const std::string message = crlf(k_head + "Content-Type: multipart/mixed; boundary=B\n\n" +
                                     repeated("--B\n\n" + std::string(100000, 'x') + "\n", 100) + "--B--\n");
    std::vector<std::size_t> offsets;
    const auto count = count_structure(message, 1000, [&offsets](std::size_t at) { offsets.push_back(at); });
    CHECK(count.delimiter_lines == count_structure(message, 1000).delimiter_lines);
    REQUIRE(offsets.size() == message.size() / (4 << 20));
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        CHECK(offsets[i] >= (i + 1) * (4 << 20));
        CHECK(message[offsets[i] - 1] == '\n'); // always at a line's start
    }
}

TEST_CASE("part-count bomb: verify gives permerror and sign refuses before parsing (SM-16, SEC-07)",
          "[smime][scan]") {
    const std::string head = k_head + "Content-Type: multipart/mixed; boundary=B\n\n";
    const std::string bomb = crlf(head + repeated("--B\n\n", 1001) + "--B--\n");
    const std::string nested = crlf(k_head + repeated("Content-Type: message/rfc822\n\n", 1001) + "x\n");
    auto anchors = segel::smime::TrustStore::load_pem_file(segel::test::pki_file("root.pem").string());
    REQUIRE(anchors);
    for (const auto& message : {bomb, nested}) {
        auto spooled = segel::test::spool_text(message);
        REQUIRE(spooled);
        auto report = segel::smime::verify_message(*spooled, *anchors);
        REQUIRE(report);
        CHECK(report->verdict == segel::smime::Verdict::permerror);
        CHECK(report->finding == segel::smime::Finding::over_limit);
        CHECK_THAT(report->reason, Catch::Contains("more than 1000 MIME parts"));
        auto signed_message = segel::test::sign_text(message, segel::test::demo_identity("alice"));
        REQUIRE_FALSE(signed_message);
        CHECK(signed_message.error().kind == segel::smime::ErrorKind::message_too_large);
    }
    // 1000 parts is within the cap: signed.
    CHECK(segel::test::sign_text(crlf(head + repeated("--B\n\n", 999) + "--B--\n"),
                                 segel::test::demo_identity("alice")));
}
