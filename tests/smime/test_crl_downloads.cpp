// Bounded downloads (REV-05, SEC-07) and the kept copies of downloaded CRLs,
// against a loopback HTTP server the test controls.
#include <catch2/catch.hpp>

#include <filesystem>

#include "crl_builder.hpp"
#include "http_test_server.hpp"
#include "smime/crl_downloads.hpp"
#include "smime/crl_store.hpp"
#include "smime/http_fetch.hpp"
#include "test_support.hpp"

using namespace segel::test;
using segel::smime::FetchLimits;

namespace {
std::string issuing_crl_pem(std::vector<RevokedSerial> revoked = {}) {
    TempDir dir;
    CrlSpec spec;
    spec.revoked = std::move(revoked);
    spec.issuer_cert_pem = pki_file("issuing.pem").string();
    spec.signer_key_pem = pki_file("issuing.key.pem").string();
    write_crl(spec, (dir / "issuing.crl").string());
    return read_file(dir / "issuing.crl");
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
    auto replaced = downloads.refresh(url, {});
    REQUIRE(replaced.has_value());
    CHECK(*replaced);
    CHECK(read_file(downloads.file_for(url)) == first);
    replaced = downloads.refresh(url, {});
    REQUIRE(replaced.has_value());
    CHECK_FALSE(*replaced);
    server.answer("/issuing.crl", 200, "<html>maintenance</html>");
    const auto broken = downloads.refresh(url, {});
    REQUIRE_FALSE(broken.has_value());
    CHECK_THAT(broken.error().detail, Catch::Contains("is not a CRL"));
    CHECK(read_file(downloads.file_for(url)) == first); // the last good copy stays
    server.answer("/issuing.crl", 503, "");
    CHECK_FALSE(downloads.refresh(url, {}).has_value());
    CHECK(read_file(downloads.file_for(url)) == first);
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) == 1);
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
