// OCSP (REV-02) against OpenSSL's own responder logic: each request our
// checker posts to a loopback server is answered by `openssl ocsp -index
// ... -reqin ... -respout ...` over an index of the demo CA.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "http_test_server.hpp"
#include "ocsp_responder.hpp"
#include "smime/ocsp_checker.hpp"
#include "test_support.hpp"

using namespace segel::test;
using segel::smime::RevocationAnswer;

namespace {
using Status = RevocationAnswer::Status;

// A delegated responder certificate issued by the demo CA, with or without id-kp-OCSPSigning.
std::pair<std::string, std::string> delegate(TempDir& dir, bool ocsp_signing) {
    const auto key = (dir / "responder.key.pem").string();
    const auto cert = (dir / "responder.cert.pem").string();
    write_file(dir / "ext.cnf", ocsp_signing ? "extendedKeyUsage = OCSPSigning\nkeyUsage = digitalSignature\n"
                                             : "keyUsage = digitalSignature\n");
    REQUIRE(run_process({"openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-subj",
                         "/CN=Demo OCSP Responder", "-out", (dir / "responder.csr").string()})
                .exit_code == 0);
    REQUIRE(run_process({"openssl", "x509", "-req", "-in", (dir / "responder.csr").string(), "-CA",
                         pki_file("issuing.pem").string(), "-CAkey", pki_file("issuing.key.pem").string(),
                         "-CAcreateserial", "-days", "30", "-extfile", (dir / "ext.cnf").string(), "-out", cert})
                .exit_code == 0);
    return {cert, key};
}

segel::smime::OcspChecker checker(const std::string& url, std::optional<segel::smime::Certificate> pinned = std::nullopt,
                                  std::chrono::seconds timeout = std::chrono::seconds(5),
                                  std::chrono::seconds backoff = std::chrono::seconds(60)) {
    auto anchors = segel::smime::TrustStore::load_pem_file(pki_file("root.pem").string());
    REQUIRE(anchors.has_value());
    segel::smime::OcspOptions options;
    options.url = url;
    options.pinned_responder = std::move(pinned);
    options.limits.timeout = timeout;
    options.failure_backoff = backoff;
    return segel::smime::OcspChecker(options, std::move(anchors).value());
}

RevocationAnswer ask(const segel::smime::OcspChecker& ocsp, const std::string& user = "alice") {
    auto issuers = segel::smime::Certificate::load_pem_file(pki_file("issuing.pem").string());
    REQUIRE(issuers.has_value());
    auto answer = ocsp.check(demo_identity(user).certificate(), issuers->front(), std::chrono::system_clock::now());
    INFO("OCSP said: " << answer.detail);
    return answer;
}

segel::smime::Certificate load_certificate(const std::string& path) {
    auto loaded = segel::smime::Certificate::load_pem_file(path);
    REQUIRE(loaded.has_value());
    return loaded->front();
}
} // namespace

TEST_CASE("REV-02: the CA's responder says good or revoked (with its reason), with a nonce", "[smime][ocsp]") {
    HttpTestServer server;
    TempDir dir;
    server.answer_with("/good", ca_responder(index_with_alice(dir, "valid")));
    CHECK(ask(checker(server.url("/good"))).status == Status::good);
    TempDir revoked_dir;
    server.answer_with("/revoked", ca_responder(index_with_alice(revoked_dir, "revoked")));
    const auto revoked = ask(checker(server.url("/revoked")));
    CHECK(revoked.status == Status::revoked);
    CHECK(revoked.detail == "OCSP: key compromise");
}

TEST_CASE("REV-02: \"unknown\", an unreachable responder or a non-OCSP answer never count as good", "[smime][ocsp]") {
    HttpTestServer server;
    TempDir dir;
    server.answer_with("/unknown", ca_responder(index_with_alice(dir, "absent")));
    server.answer("/down", 500, "");
    server.answer("/html", 200, "<html>maintenance</html>");
    const auto unknown = ask(checker(server.url("/unknown")));
    CHECK(unknown.status == Status::unknown);
    CHECK_THAT(unknown.detail, Catch::Contains("does not know"));
    CHECK(ask(checker(server.url("/down"))).status == Status::unknown);
    CHECK(ask(checker(server.url("/html"))).status == Status::unknown);
}

TEST_CASE("REV-02: a delegated responder needs id-kp-OCSPSigning from the issuer, or to be the pinned one",
          "[smime][ocsp]") {
    HttpTestServer server;
    TempDir dir;
    const auto index = index_with_alice(dir, "valid");
    TempDir good_dir;
    const auto [delegate_cert, delegate_key] = delegate(good_dir, true);
    TempDir bad_dir;
    const auto [plain_cert, plain_key] = delegate(bad_dir, false);
    server.answer_with("/delegate", responder(index, delegate_cert, delegate_key));
    server.answer_with("/no-eku", responder(index, plain_cert, plain_key));
    server.answer_with("/ca", ca_responder(index));
    server.answer_with("/stranger", responder(index, pki_file("bambang.cert.pem").string(), pki_file("bambang.key.pem").string()));
    CHECK(ask(checker(server.url("/delegate"))).status == Status::good);
    const auto no_eku = ask(checker(server.url("/no-eku")));
    CHECK(no_eku.status == Status::unknown);
    CHECK_THAT(no_eku.detail, Catch::Contains("not signed by the issuer or its responder"));
    CHECK(ask(checker(server.url("/stranger"))).status == Status::unknown);
    // Pinned: only that certificate may sign, not even the CA.
    CHECK(ask(checker(server.url("/delegate"), load_certificate(delegate_cert))).status == Status::good);
    CHECK(ask(checker(server.url("/ca"), load_certificate(delegate_cert))).status == Status::unknown);
}

TEST_CASE("REV-02: a replayed response (another request's nonce) is refused", "[smime][ocsp]") {
    HttpTestServer server;
    TempDir dir;
    const auto live = ca_responder(index_with_alice(dir, "valid"));
    std::string first_response;
    server.answer_with("/record", [&](const std::string& request) { return first_response = live(request); });
    CHECK(ask(checker(server.url("/record"))).status == Status::good);
    REQUIRE_FALSE(first_response.empty());
    server.answer("/replay", 200, first_response);
    const auto replayed = ask(checker(server.url("/replay")));
    CHECK(replayed.status == Status::unknown);
    CHECK_THAT(replayed.detail, Catch::Contains("nonce"));
}

TEST_CASE("REV-02: answers are cached until nextUpdate, an unknown one for the backoff", "[smime][ocsp]") {
    const std::vector<std::pair<const char*, Status>> cases = {{"valid", Status::good}, {"absent", Status::unknown}};
    for (const auto& [state, alice_status] : cases) {
        INFO("alice in the index: " << state);
        HttpTestServer server;
        TempDir dir;
        server.answer_with("/cached", ca_responder(index_with_alice(dir, state)));
        const auto ocsp = checker(server.url("/cached"));
        CHECK(ask(ocsp).status == alice_status);
        CHECK(ask(ocsp).status == alice_status);
        CHECK(server.requests("/cached").size() == 1);
        CHECK(ask(ocsp, "bambang").status == Status::good); // another certificate is asked for
        CHECK(server.requests("/cached").size() == 2);
    }
}

TEST_CASE("REV-02: a hanging responder costs one timeout for a burst of messages, then the CRLs answer at once",
          "[smime][ocsp]") {
    HttpTestServer server;
    server.answer("/hang", 200, "", std::chrono::milliseconds(4000));
    const auto ocsp = checker(server.url("/hang"), std::nullopt, std::chrono::seconds(1));
    const auto started = std::chrono::steady_clock::now();
    for (const char* user : {"alice", "bambang", "alice", "eko", "bambang", "alice", "eko", "alice"}) {
        const auto answer = ask(ocsp, user);
        CHECK(answer.status == Status::unknown);
        CHECK_THAT(answer.detail, Catch::Contains("within 1 s"));
    }
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(3000)); // not 8 timeouts
    CHECK(server.requests("/hang").size() == 1);
}

TEST_CASE("REV-02: an unreachable responder is not asked again until the backoff has passed", "[smime][ocsp]") {
    HttpTestServer server;
    server.answer("/down", 503, "");
    const auto briefly = checker(server.url("/down"), std::nullopt, std::chrono::seconds(5), std::chrono::seconds(1));
    CHECK(ask(briefly).status == Status::unknown);
    CHECK(ask(briefly, "bambang").status == Status::unknown);
    CHECK(server.requests("/down").size() == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(ask(briefly, "bambang").status == Status::unknown);
    CHECK(server.requests("/down").size() == 2);
}

#include "concurrency_limit.hpp"

TEST_CASE("SEC-07: revocation requests in flight are bounded, a waiter gets a slot when one frees or gives up",
          "[smime][ocsp]") {
    segel::smime::ConcurrencyLimit limit(1);
    auto first = limit.acquire(std::chrono::milliseconds(10));
    REQUIRE(first);
    CHECK_FALSE(limit.acquire(std::chrono::milliseconds(50))); // full: gives up at the deadline
    std::thread releaser([held = std::move(first)]() mutable {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        auto released = std::move(held); // goes out of scope here
    });
    const auto waited = limit.acquire(std::chrono::seconds(5));
    CHECK(waited); // the slot freed by the other thread
    releaser.join();
}
