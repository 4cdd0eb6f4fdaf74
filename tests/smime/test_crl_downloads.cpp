// Bounded downloads (REV-05, SEC-07) and the kept copies of downloaded CRLs,
// against a loopback HTTP server the test controls.
#include <catch2/catch.hpp>

#include <filesystem>

#include "asn1_time.hpp"
#include "crl_builder.hpp"
#include "http_test_server.hpp"
#include "smime/crl_downloads.hpp"
#include "smime/crl_store.hpp"
#include "smime/http_fetch.hpp"
#include "test_support.hpp"

using namespace segel::test;
using segel::smime::FetchLimits;

namespace {
CrlSpec issuing_spec(std::vector<RevokedSerial> revoked = {}) {
    CrlSpec spec;
    spec.revoked = std::move(revoked);
    spec.issuer_cert_pem = pki_file("issuing.pem").string();
    spec.signer_key_pem = pki_file("issuing.key.pem").string();
    return spec;
}

std::string crl_pem(const CrlSpec& spec) {
    TempDir dir;
    write_crl(spec, (dir / "made.crl").string());
    return read_file(dir / "made.crl");
}

std::string issuing_crl_pem(std::vector<RevokedSerial> revoked = {}) { return crl_pem(issuing_spec(std::move(revoked))); }

// The CA certificates whose CRLs a download accepts: the demo root and its issuing CA.
const std::vector<segel::smime::Certificate>& demo_issuers() {
    static const std::vector<segel::smime::Certificate> issuers = [] {
        auto root = segel::smime::Certificate::load_pem_file(pki_file("root.pem").string());
        auto issuing = segel::smime::Certificate::load_pem_file(pki_file("issuing.pem").string());
        REQUIRE(root.has_value());
        REQUIRE(issuing.has_value());
        return std::vector<segel::smime::Certificate>{root->front(), issuing->front()};
    }();
    return issuers;
}

segel::smime::Result<bool> refresh(const segel::smime::CrlDownloads& downloads, const std::string& url) {
    return downloads.refresh(url, {}, demo_issuers(), {}, std::chrono::system_clock::now());
}
} // namespace

TEST_CASE("REV-05: http_get returns a 200 body and names every failure", "[smime][crl][fetch]") {
    HttpTestServer server;
    server.answer("/ok", 200, "isi");
    server.answer("/gone", 404, "tidak ada");
    FetchLimits limits;
    limits.timeout = std::chrono::seconds(5);
    const auto ok = segel::smime::http_get(server.url("/ok"), limits);
    REQUIRE(ok.has_value());
    CHECK(*ok == "isi");
    const auto gone = segel::smime::http_get(server.url("/gone"), limits);
    REQUIRE_FALSE(gone.has_value());
    CHECK_THAT(gone.error().detail, Catch::Contains("/gone") && Catch::Contains("HTTP status 404"));
    const auto local_file = segel::smime::http_get("file:///etc/passwd", limits);
    REQUIRE_FALSE(local_file.has_value()); // only http and https
}

TEST_CASE("SEC-07: a download over the size cap or the timeout is refused", "[smime][crl][fetch]") {
    HttpTestServer server;
    server.answer("/big", 200, std::string(300 * 1024, 'x'));
    server.answer("/slow", 200, "lambat", std::chrono::milliseconds(3000));
    FetchLimits limits;
    limits.timeout = std::chrono::seconds(1);
    limits.max_bytes = 100 * 1024;
    const auto big = segel::smime::http_get(server.url("/big"), limits);
    REQUIRE_FALSE(big.has_value());
    CHECK_THAT(big.error().detail, Catch::Contains("larger than 102400 bytes"));
    const auto started = std::chrono::steady_clock::now();
    const auto slow = segel::smime::http_get(server.url("/slow"), limits);
    REQUIRE_FALSE(slow.has_value());
    CHECK_THAT(slow.error().detail, Catch::Contains("within 1 s"));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2900));
}

TEST_CASE("REV-05: a downloaded CRL is kept, the same one again changes nothing, a broken one is refused",
          "[smime][crl][fetch]") {
    HttpTestServer server;
    TempDir dir;
    const segel::smime::CrlDownloads downloads(dir.path());
    const std::string url = server.url("/issuing.crl");
    const std::string first = issuing_crl_pem();
    server.answer("/issuing.crl", 200, first);
    auto replaced = refresh(downloads, url);
    REQUIRE(replaced.has_value());
    CHECK(*replaced);
    CHECK(read_file(downloads.file_for(url)) == first);
    replaced = refresh(downloads, url);
    REQUIRE(replaced.has_value());
    CHECK_FALSE(*replaced);
    server.answer("/issuing.crl", 200, "<html>maintenance</html>");
    const auto broken = refresh(downloads, url);
    REQUIRE_FALSE(broken.has_value());
    CHECK_THAT(broken.error().detail, Catch::Contains("is not a CRL"));
    CHECK(read_file(downloads.file_for(url)) == first); // the last good copy stays
    server.answer("/issuing.crl", 503, "");
    CHECK_FALSE(refresh(downloads, url).has_value());
    CHECK(read_file(downloads.file_for(url)) == first);
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) == 1);
}

TEST_CASE("REV-01, REV-05: an older, a foreign-key or an expired CRL never replaces the kept copy",
          "[smime][crl][fetch]") {
    using namespace std::chrono;
    HttpTestServer server;
    TempDir dir;
    const segel::smime::CrlDownloads downloads(dir.path());
    const std::string url = server.url("/issuing.crl");
    const auto now = system_clock::now();
    // The kept copy: alice revoked for key compromise, cRLNumber 7.
    CrlSpec good = issuing_spec({{demo_identity("alice").certificate().serial_hex(), 1}});
    good.crl_number = 7;
    const std::string kept = crl_pem(good);
    server.answer("/issuing.crl", 200, kept);
    const auto first = refresh(downloads, url);
    REQUIRE(first.has_value());
    REQUIRE(*first);

    CrlSpec older = issuing_spec(); // the CRL from before alice was revoked
    older.this_update = now - hours(48);
    older.crl_number = 6;
    CrlSpec lower_number = issuing_spec(); // a later thisUpdate cannot hide a lower cRLNumber
    lower_number.crl_number = 5;
    lower_number.this_update = now - minutes(30);
    CrlSpec foreign_key = issuing_spec(); // the issuer's name, another key (the root's)
    foreign_key.signer_key_pem = pki_file("root.key.pem").string();
    CrlSpec expired = issuing_spec();
    expired.this_update = now - hours(24 * 10);
    expired.next_update = now - hours(24);
    expired.crl_number = 9;
    const std::vector<std::pair<CrlSpec, const char*>> hostile = {
        {older, "older than the CRL kept"},
        {lower_number, "lower cRLNumber"},
        {foreign_key, "signature does not verify"},
        {expired, "nextUpdate"},
    };
    for (const auto& [spec, why] : hostile) {
        INFO(why);
        server.answer("/issuing.crl", 200, crl_pem(spec));
        const auto refused = refresh(downloads, url);
        REQUIRE_FALSE(refused.has_value());
        CHECK_THAT(refused.error().detail, Catch::Contains(why) && Catch::Contains(url));
        CHECK(read_file(downloads.file_for(url)) == kept);
    }
    // A CRL from a CA that is not configured is refused too.
    auto only_root = segel::smime::Certificate::load_pem_file(pki_file("root.pem").string());
    REQUIRE(only_root.has_value());
    CrlSpec newer = issuing_spec({{demo_identity("alice").certificate().serial_hex(), 1}});
    newer.crl_number = 8;
    server.answer("/issuing.crl", 200, crl_pem(newer));
    const auto unknown_ca = downloads.refresh(url, {}, *only_root, {}, now);
    REQUIRE_FALSE(unknown_ca.has_value());
    CHECK_THAT(unknown_ca.error().detail, Catch::Contains("no configured CA certificate"));
    // The next genuine CRL replaces it.
    const auto genuine = refresh(downloads, url);
    REQUIRE(genuine.has_value());
    CHECK(*genuine);
    CHECK(read_file(downloads.file_for(url)) != kept);
}

TEST_CASE("REV-01: while a configured CRL source has no CRL yet, an issuer without one is unknown, not good",
          "[smime][crl]") {
    const auto& alice = demo_identity("alice").certificate();
    auto issuers = segel::smime::Certificate::load_pem_file(pki_file("issuing.pem").string());
    REQUIRE(issuers.has_value());
    const auto& issuer = issuers->front();
    auto waiting = segel::smime::CrlStore::load_files({}, std::chrono::hours(24), false, {"http://crl.example/ca.crl"});
    REQUIRE(waiting.has_value());
    const auto answer = waiting->check(alice, issuer, std::chrono::system_clock::now());
    CHECK(answer.status == segel::smime::RevocationAnswer::Status::unknown);
    CHECK_THAT(answer.detail, Catch::Contains("http://crl.example/ca.crl"));
    auto none_configured = segel::smime::CrlStore::load_files({}, std::chrono::hours(24), false);
    REQUIRE(none_configured.has_value());
    CHECK(none_configured->check(alice, issuer, std::chrono::system_clock::now()).status ==
          segel::smime::RevocationAnswer::Status::good);
}

TEST_CASE("a CRL time beyond the clock's range is clamped, not overflowed (found by fuzz_revocation)", "[crl]") {
    ASN1_TIME* far = ASN1_TIME_new();
    REQUIRE(ASN1_TIME_set_string(far, "26120701200000Z") == 1);
    CHECK(segel::smime::to_time_point(far) == std::chrono::system_clock::time_point::max());
    REQUIRE(ASN1_TIME_set_string(far, "20260701200000Z") == 1);
    CHECK(segel::smime::to_time_point(far) > std::chrono::system_clock::time_point{});
    ASN1_TIME_free(far);
}
