// The address type (issue 11): RFC 5321 §4.1.2 syntax, the case rules of
// RFC 8550 §3 and CH-04, A-label domains, and domain membership.
#include <catch2/catch.hpp>

#include "smime/address.hpp"

using segel::smime::Address;
using segel::smime::Domain;
using segel::smime::ErrorKind;

TEST_CASE("a domain is lower-cased and loses the root's trailing dot", "[address]") {
    auto domain = Domain::parse("TangerangKota.GO.id.");
    REQUIRE(domain);
    CHECK(domain->str() == "tangerangkota.go.id");
    CHECK(*domain == *Domain::parse("tangerangkota.go.id"));
}

TEST_CASE("an IDN domain is taken in A-label form and refused as a U-label", "[address]") {
    auto a_label = Domain::parse("xn--bcher-kva.example");
    REQUIRE(a_label);
    CHECK(a_label->str() == "xn--bcher-kva.example");
    auto u_label = Domain::parse("b\xc3\xbc" "cher.example");
    REQUIRE_FALSE(u_label);
    CHECK(u_label.error().kind == ErrorKind::invalid_address);
    CHECK_THAT(u_label.error().detail, Catch::Contains("A-label"));
}

TEST_CASE("invalid domains are refused with the reason", "[address]") {
    for (const char* text : {"", ".", "a..b", "-a.example", "a-.example", "a_b.example", "[192.0.2.1]", "a b.example",
                             "example.com.."}) {
        INFO(text);
        auto domain = Domain::parse(text);
        REQUIRE_FALSE(domain);
        CHECK(domain.error().kind == ErrorKind::invalid_address);
    }
    CHECK_FALSE(Domain::parse(std::string(64, 'a') + ".example"));
    CHECK(Domain::parse(std::string(63, 'a') + ".example"));
    std::string long_name;
    for (int i = 0; i < 64; ++i)
        long_name += "abc.";
    CHECK_FALSE(Domain::parse(long_name + "example"));
}

TEST_CASE("domain membership: exact names, case and wildcards for subdomains only", "[address]") {
    auto domain = Domain::parse("dinas.tangerangkota.go.id");
    REQUIRE(domain);
    CHECK(domain->is_one_of({"example.com", "DINAS.tangerangkota.go.id."}));
    CHECK_FALSE(domain->is_one_of({"tangerangkota.go.id"}));
    CHECK(domain->matches("*.tangerangkota.go.id"));
    CHECK(domain->matches("*.TANGERANGKOTA.go.id"));
    CHECK_FALSE(Domain::parse("tangerangkota.go.id")->matches("*.tangerangkota.go.id"));
    CHECK_FALSE(Domain::parse("eviltangerangkota.go.id")->matches("*.tangerangkota.go.id"));
}

TEST_CASE("an address compares without case in both parts (RFC 8550 §3, CH-04)", "[address]") {
    auto a = Address::parse("Alice.Wijaya@TangerangKota.go.id");
    REQUIRE(a);
    CHECK(a->str() == "Alice.Wijaya@tangerangkota.go.id");
    CHECK(a->key() == "alice.wijaya@tangerangkota.go.id");
    CHECK(a->local_part() == "Alice.Wijaya");
    CHECK(a->domain().str() == "tangerangkota.go.id");
    CHECK(*a == *Address::parse("alice.wijaya@tangerangkota.go.id."));
    CHECK(*a != *Address::parse("alice.wijaya@example.com"));
}

TEST_CASE("quoted local parts: unquoted when they need no quotes, kept quoted when they do", "[address]") {
    auto plain = Address::parse("\"alice\"@example.com");
    REQUIRE(plain);
    CHECK(plain->str() == "alice@example.com");
    CHECK(*plain == *Address::parse("alice@example.com"));
    auto spaced = Address::parse("\"alice wijaya\"@example.com");
    REQUIRE(spaced);
    CHECK(spaced->local_part() == "alice wijaya");
    CHECK(spaced->str() == "\"alice wijaya\"@example.com");
    auto escaped = Address::parse(R"("a\"b@c"@example.com)");
    REQUIRE(escaped);
    CHECK(escaped->local_part() == "a\"b@c");
    CHECK(escaped->str() == R"("a\"b@c"@example.com)");
}

TEST_CASE("a UTF-8 local part is an address (RFC 6532)", "[address]") {
    auto address = Address::parse("b\xc3\xbc" "ro@xn--bcher-kva.example");
    REQUIRE(address);
    CHECK(address->local_part() == "b\xc3\xbc" "ro");
}

TEST_CASE("invalid addresses are refused with the reason", "[address]") {
    for (const char* text : {"alice", "@example.com", "alice@", ".alice@example.com", "alice.@example.com",
                             "al..ice@example.com", "al ice@example.com", "alice@exa mple.com", "\"a\"b\"@example.com",
                             "al(ice)@example.com", "\"a\x01\"@example.com"}) {
        INFO(text);
        auto address = Address::parse(text);
        REQUIRE_FALSE(address);
        CHECK(address.error().kind == ErrorKind::invalid_address);
    }
    CHECK_FALSE(Address::parse(std::string(65, 'a') + "@example.com"));
    CHECK(Address::parse(std::string(64, 'a') + "@example.com"));
}
