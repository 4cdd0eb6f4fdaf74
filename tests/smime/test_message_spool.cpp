// The raw checks MessageSpool makes while a message streams in.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using segel::smime::ErrorKind;
using segel::test::Chunking;
using segel::test::crlf;
using segel::test::spool_text;

namespace {
ErrorKind refusal_kind(const std::string& message, Chunking chunking = Chunking::whole) {
    auto spooled = spool_text(message, chunking);
    REQUIRE_FALSE(spooled.has_value());
    return spooled.error().kind;
}
} // namespace

TEST_CASE("a well-formed message spools and keeps its header fields in order", "[smime][spool]") {
    auto spooled = spool_text(crlf("From: a@tangerangkota.go.id\nSubject: folded\n  line\nTo: b@example.com\n\nbody\n"));
    REQUIRE(spooled.has_value());
    const auto& headers = spooled->headers();
    REQUIRE(headers.size() == 3);
    CHECK(headers[0].name == "From");
    CHECK(headers[1].raw == "Subject: folded\r\n  line\r\n");
    CHECK(headers[1].unfolded_value() == " folded  line");
    CHECK(spooled->fields_named("to").size() == 1);
}

TEST_CASE("a NUL byte anywhere is refused as malformed", "[smime][spool]") {
    const std::string message = crlf("From: a@tangerangkota.go.id\n\nbody") + std::string(1, '\0') + "more\r\n";
    auto spooled = spool_text(message, Chunking::one_byte);
    REQUIRE_FALSE(spooled.has_value());
    CHECK(spooled.error().kind == ErrorKind::malformed_message);
    CHECK_THAT(spooled.error().detail, Catch::Contains("NUL byte at offset " + std::to_string(message.find('\0'))));
}

TEST_CASE("a header line over 998 octets is kept as it is (an unfolded References field)", "[smime][spool]") {
    const std::string long_line = "References: " + std::string(1300, 'x');
    for (auto chunking : {Chunking::whole, Chunking::one_byte}) {
        auto spooled = spool_text(crlf("From: a@tangerangkota.go.id\n" + long_line + "\n\nbody\n"), chunking);
        REQUIRE(spooled.has_value());
        REQUIRE(spooled->fields_named("References").size() == 1);
        CHECK(spooled->fields_named("References").front()->raw == long_line + "\r\n");
    }
}

TEST_CASE("a line that is not a header field is refused: missing blank line before the body", "[smime][spool]") {
    auto spooled = spool_text(crlf("From: a@tangerangkota.go.id\nSubject: hi\nHello, this is the body\n"));
    REQUIRE_FALSE(spooled.has_value());
    CHECK(spooled.error().kind == ErrorKind::malformed_message);
    CHECK_THAT(spooled.error().detail, Catch::Contains("header line 3") && Catch::Contains("blank line"));
}

TEST_CASE("a bare CR inside the header section is refused", "[smime][spool]") {
    CHECK(refusal_kind("From: a@tangerangkota.go.id\r\nSubject: a\rb\r\n\r\nbody\r\n") == ErrorKind::malformed_message);
}

TEST_CASE("raw 8-bit bytes in header fields are kept, MIME fields too (the signer encodes those)", "[smime][spool]") {
    CHECK(spool_text(crlf("From: a@tangerangkota.go.id\nContent-Type: text/plain; name=\"r\xc3\xa9sum\xc3\xa9\"\n\nx\n")).has_value());
    CHECK(spool_text(crlf("From: Andr\xc3\xa9 <a@tangerangkota.go.id>\nSubject: caf\xc3\xa9\n\nx\n")).has_value());
}

TEST_CASE("a header section that starts with a continuation line is refused", "[smime][spool]") {
    CHECK(refusal_kind(crlf("  folded\nFrom: a@tangerangkota.go.id\n\nx\n")) == ErrorKind::malformed_message);
}

TEST_CASE("an empty message is refused", "[smime][spool]") {
    auto spooled = spool_text("");
    REQUIRE_FALSE(spooled.has_value());
    CHECK(spooled.error().kind == ErrorKind::malformed_message);
}

TEST_CASE("a header-only message without a final line end is accepted with an empty body", "[smime][spool]") {
    auto spooled = spool_text("From: a@tangerangkota.go.id\r\nSubject: only a header");
    REQUIRE(spooled.has_value());
    CHECK(spooled->headers().size() == 2);
}

TEST_CASE("the size cap refuses a message that grows past it", "[smime][spool]") {
    auto spool = segel::smime::MessageSpool::create(std::filesystem::temp_directory_path(), {256 * 1024, 100});
    REQUIRE(spool.has_value());
    REQUIRE(spool->append(std::string(60, 'x')).has_value());
    auto second = spool->append(std::string(60, 'x'));
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().kind == ErrorKind::message_too_large);
}
