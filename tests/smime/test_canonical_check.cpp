// The last guard before signing (white-box: smime/src/canonical_check.hpp),
// including line ends and long lines that straddle its 64 KiB reads.
#include <catch2/catch.hpp>

#include "canonical_check.hpp"
#include "smime/temp_file.hpp"
#include "test_support.hpp"

using segel::smime::ErrorKind;

namespace {
segel::smime::Result<void> check(const std::string& bytes, const std::string& boundary = "segel=_b") {
    auto file = segel::smime::TempFile::create_in_memory();
    REQUIRE(file.has_value());
    REQUIRE(file->write_all(bytes).has_value());
    return segel::smime::check_canonical_7bit(file->fd(), boundary);
}

// Pads with 79-octet CRLF lines so that `tail` starts at byte `offset`.
std::string at_offset(std::size_t offset, const std::string& tail) {
    std::string bytes;
    while (bytes.size() + 81 + 2 <= offset) // leave room for the last, shorter line
        bytes += std::string(79, 'a') + "\r\n";
    bytes += std::string(offset - bytes.size() - 2, 'b') + "\r\n";
    return bytes + tail;
}
} // namespace

TEST_CASE("canonical 7-bit CRLF text passes", "[smime][canonical]") {
    CHECK(check("Content-Type: text/plain\r\n\r\nhalo\r\n\r\n").has_value());
    CHECK(check(std::string(998, 'x') + "\r\n").has_value());
    CHECK(check("no final line end").has_value());
}

TEST_CASE("what is not canonical is refused, naming the line", "[smime][canonical]") {
    const auto [bytes, words] = GENERATE(table<std::string, std::string>({
        {"a\r\nb\nc\r\n", "line 2 of the part to sign ends in LF without CR"},
        {"a\r\nb\rc\r\n", "line 2 of the part to sign has a CR without LF"},
        {"a\r\n\xc3\xa9\r\n", "line 2 of the part to sign has 8-bit data"},
        {"a\r\nb\r", "ends in a CR without LF"},
        {std::string(999, 'x') + "\r\n", "line 1 of the part to sign is longer than 998 octets"},
        {std::string("a\r\n") + '\0' + "\r\n", "line 2 of the part to sign has 8-bit data"},
    }));
    const auto result = check(bytes);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::unsupported_message);
    CHECK_THAT(result.error().detail, Catch::Contains(words));
}

TEST_CASE("the boundary at the start of a line is an internal error", "[smime][canonical]") {
    const auto result = check("a\r\n--segel=_b\r\n");
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == ErrorKind::internal);
    CHECK(check("a\r\n x--segel=_b\r\n").has_value());
}

TEST_CASE("line ends and long lines across the 64 KiB reads", "[smime][canonical]") {
    SECTION("CR as the last byte of a read, LF as the first of the next") {
        CHECK(check(at_offset(65535, "\r\nnext\r\n")).has_value());
    }
    SECTION("CR as the last byte of a read followed by text") {
        CHECK_FALSE(check(at_offset(65535, "\rx\r\n")).has_value());
    }
    SECTION("LF as the first byte of a read without CR before it") {
        CHECK_FALSE(check(at_offset(65536, "\nx\r\n")).has_value());
    }
    SECTION("a 998-octet line across the reads passes, a 999-octet one fails") {
        CHECK(check(at_offset(65000, std::string(998, 'c') + "\r\n")).has_value());
        CHECK_FALSE(check(at_offset(65000, std::string(999, 'c') + "\r\n")).has_value());
    }
    SECTION("the delimiter across the reads is found") {
        CHECK_FALSE(check(at_offset(65530, "--segel=_b\r\n")).has_value());
    }
}
