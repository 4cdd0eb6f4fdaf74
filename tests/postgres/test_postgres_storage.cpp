// The PostgreSQL backend's own behaviour, beyond the contract suite that
// runs on it too: URLs and passwords, TLS, schema versions, several nodes
// on one database (audit chain, reminders, revocation), the bounded pool,
// statement timeouts, and a server that stops and comes back.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "directory/directory_url.hpp"
#include "directory_fixture.hpp"
#include "pg_pool.hpp"
#include "postgres_test_server.hpp"

using namespace segel;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {

const std::string k_alice = "alice@tangerangkota.go.id";

directory::Result<directory::SigningChoice> choose(directory::DirectoryService& d) {
    return d.choose_signing_certificate(k_alice, k_alice, std::chrono::system_clock::now(), k_test_actor);
}

std::string first_line(const std::filesystem::path& path) {
    const std::string text = test::read_file(path);
    return text.substr(0, text.find('\n'));
}

int run_cluster(const std::string& action, const std::string& state) {
    const std::string command = std::string("sh ") + SEGEL_POSTGRES_CLUSTER_SCRIPT + " " + action + " " + state;
    return std::system(command.c_str());
}

} // namespace

TEST_CASE("a PostgreSQL URL with a password is refused, naming the password file", "[postgres][url]") {
    for (const std::string url : {"postgresql://segel:secret@db.example/segel", "postgres://db/segel?password=x",
                                  "postgresql://db/segel?sslmode=require&password=x"}) {
        auto conninfo = directory::postgres_conninfo(url);
        REQUIRE_FALSE(conninfo.has_value());
        CHECK(conninfo.error().kind == directory::ErrorKind::invalid_input);
        CHECK_THAT(conninfo.error().detail, Catch::Contains("password file"));
    }
    auto plain = directory::postgres_conninfo("postgresql://segel@db.example/segel?sslmode=verify-full");
    REQUIRE(plain.has_value());
    CHECK(*plain == "postgresql://segel@db.example/segel?sslmode=verify-full&connect_timeout=5&application_name=segel");
    auto own_timeout = directory::postgres_conninfo("postgresql:///segel?host=/run/postgresql&connect_timeout=2");
    REQUIRE(own_timeout.has_value());
    CHECK_THAT(*own_timeout, !Catch::Contains("connect_timeout=5"));
    CHECK(directory::is_postgres_url("POSTGRESQL://x/y"));
    CHECK_FALSE(directory::is_postgres_url("sqlite:/var/lib/segel/postgresql://x"));
}

TEST_CASE("the directory works over TLS with the server's certificate verified", "[postgres][tls]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "postgresql");
    f.import_user("alice");
    auto over_tls = f.open_url(test::postgres::tls_url_of(f.postgres_database));
    auto choice = choose(*over_tls);
    REQUIRE(choice.has_value());
    CHECK(choice->identity.has_value());
    // Another CA as the root: the server is not trusted, nothing is read.
    const std::string wrong_root = std::string(std::getenv("SEGEL_TEST_PKI")) + "/ca.pem";
    std::string url = test::postgres::tls_url_of(f.postgres_database);
    url = url.substr(0, url.find("sslrootcert=")) + "sslrootcert=" + wrong_root;
    auto refused = directory::open_directory(url, {});
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == directory::ErrorKind::unavailable);
    CHECK_THAT(refused.error().detail, Catch::Contains("certificate"));
}

TEST_CASE("an empty database is not a directory until init, and a newer schema is refused", "[postgres][schema]") {
    const std::string database = test::postgres::create_database();
    auto missing = directory::open_directory(test::postgres::url_of(database), {});
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == directory::ErrorKind::unavailable);
    CHECK_THAT(missing.error().detail, Catch::Contains("segel directory init"));
    directory::DirectoryOptions create;
    create.create = true;
    REQUIRE(directory::open_directory(test::postgres::url_of(database), create).has_value());
    // Opening again neither fails nor migrates twice.
    REQUIRE(directory::open_directory(test::postgres::url_of(database), {}).has_value());
    test::postgres::execute(database, "INSERT INTO segel_schema(version) VALUES (99)");
    auto newer = directory::open_directory(test::postgres::url_of(database), {});
    REQUIRE_FALSE(newer.has_value());
    CHECK(newer.error().kind == directory::ErrorKind::conflict);
    CHECK_THAT(newer.error().detail, Catch::Contains("schema version 99"));
    test::postgres::drop_database(database);
}

TEST_CASE("nodes appending at once keep one audit chain that verifies", "[postgres][audit][nodes]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "postgresql");
    f.import_user("alice");
    constexpr int k_nodes = 3, k_per_thread = 25;
    std::vector<std::unique_ptr<directory::DirectoryService>> nodes;
    for (int n = 0; n < k_nodes; ++n)
        nodes.push_back(f.open_again());
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int n = 0; n < k_nodes; ++n)
        for (int t = 0; t < 2; ++t)
            threads.emplace_back([&, n, t] {
                for (int i = 0; i < k_per_thread; ++i) {
                    const std::string id = "<" + std::to_string(n) + "." + std::to_string(t) + "." +
                                           std::to_string(i) + "@x>";
                    auto choice = choose(*nodes[n]);
                    if (!choice || !choice->certificate ||
                        !nodes[n]->record_signing({k_alice, choice->certificate->serial,
                                                   choice->certificate->fingerprint, id,
                                                   std::chrono::system_clock::now()},
                                                  k_test_actor))
                        ++failures;
                }
            });
    for (auto& thread : threads)
        thread.join();
    CHECK(failures == 0);
    auto verified = f.store->verify_audit_log();
    REQUIRE(verified.has_value());
    CHECK(verified->intact);
    CHECK(f.audit_count("sign") == k_nodes * 2 * k_per_thread);
}

TEST_CASE("two nodes claiming the same reminder at once: exactly one claims it", "[postgres][reminders][nodes]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "postgresql");
    f.import_user("alice");
    for (int threshold : {30, 14, 3}) {
        auto a = f.open_again();
        auto b = f.open_again();
        std::atomic<int> claimed{0}, failures{0};
        std::thread first([&] {
            auto r = a->claim_reminder(f.fingerprint_of("alice"), threshold, k_test_actor);
            r ? (claimed += *r ? 1 : 0) : ++failures;
        });
        std::thread second([&] {
            auto r = b->claim_reminder(f.fingerprint_of("alice"), threshold, k_test_actor);
            r ? (claimed += *r ? 1 : 0) : ++failures;
        });
        first.join();
        second.join();
        CHECK(failures == 0);
        CHECK(claimed == 1);
    }
    CHECK(f.audit_count("remind") == 3);
    // A failed send gives the claim back: the next run claims it again.
    REQUIRE(f.store->release_reminder(f.fingerprint_of("alice"), 30, k_test_actor));
    auto again = f.store->claim_reminder(f.fingerprint_of("alice"), 30, k_test_actor);
    REQUIRE(again.has_value());
    CHECK(*again);
}

TEST_CASE("a revocation through one node is refused by another at its next lookup", "[postgres][nodes]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "postgresql");
    f.import_user("alice");
    auto other_node = f.open_again();
    REQUIRE(choose(*other_node)->identity.has_value());
    REQUIRE(f.store->apply({"revoke", {}, {{f.fingerprint_of("alice"), directory::CertificateStatus::revoked,
                                            directory::RevocationReason::key_compromise, {}}}},
                           k_test_actor));
    auto refused = choose(*other_node);
    REQUIRE(refused.has_value());
    CHECK_FALSE(refused->identity.has_value());
    CHECK(refused->refusal == directory::Refusal::revoked);
}

TEST_CASE("the pool is bounded: a caller waits at most its limit for a connection", "[postgres][pool]") {
    directory::pg::PoolOptions options;
    options.conninfo = test::postgres::url_of("postgres");
    options.size = 1;
    options.wait = std::chrono::milliseconds(300);
    directory::pg::Pool pool(options);
    auto held = pool.acquire();
    REQUIRE(held.has_value());
    const auto start = std::chrono::steady_clock::now();
    auto waited = pool.acquire();
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(waited.has_value());
    CHECK(waited.error().kind == directory::ErrorKind::unavailable);
    CHECK_THAT(waited.error().detail, Catch::Contains("stayed busy"));
    CHECK(took < std::chrono::seconds(3));
    pool.release(std::move(held).value());
    CHECK(pool.acquire().has_value());
}

TEST_CASE("a statement slower than the timeout is cut off and the next one runs", "[postgres][pool]") {
    directory::pg::PoolOptions options;
    options.conninfo = test::postgres::url_of("postgres");
    options.statement_timeout = std::chrono::milliseconds(300);
    directory::pg::Pool pool(options);
    auto connection = pool.acquire();
    REQUIRE(connection.has_value());
    auto slow = (*connection)->run("SELECT pg_sleep(10)");
    REQUIRE_FALSE(slow.has_value());
    CHECK(slow.error().kind == directory::ErrorKind::unavailable);
    pool.release(std::move(connection).value());
    auto next = pool.acquire();
    REQUIRE(next.has_value());
    auto quick = (*next)->run("SELECT 1");
    REQUIRE(quick.has_value());
    CHECK(quick->integer(0, 0) == 1);
}

TEST_CASE("while the server is down lookups fail as unavailable, and work again when it is back",
          "[postgres][faults]") {
    test::TempDir state;
    REQUIRE(run_cluster("start", state.path().string()) == 0);
    DirectoryFixture keys({"tangerangkota.go.id"}, "sqlite"); // for its master key and demo users
    directory::DirectoryOptions options;
    options.create = true;
    options.busy_timeout = std::chrono::milliseconds(1000);
    const std::string url = "postgresql:///postgres?host=" + first_line(state / "host") +
                            "&port=" + first_line(state / "port") + "&user=segel_test";
    auto gateway = keys.open_url(url, options);
    const auto& alice = test::demo_identity("alice");
    directory::ImportRequest request{alice.certificate(), alice.shared_private_key(), alice.chain(),
                                     directory::CertificateKind::individual, {k_alice, "Alice", "", "Unit", ""}};
    REQUIRE(gateway->import_certificate(request, k_test_actor).has_value());
    REQUIRE(choose(*gateway)->identity.has_value());

    REQUIRE(run_cluster("halt", state.path().string()) == 0);
    for (int i = 0; i < 3; ++i) {
        auto down = choose(*gateway);
        REQUIRE_FALSE(down.has_value());
        CHECK(down.error().kind == directory::ErrorKind::unavailable);
    }
    REQUIRE(run_cluster("resume", state.path().string()) == 0);
    auto back = choose(*gateway);
    INFO((back ? std::string() : back.error().detail));
    REQUIRE(back.has_value());
    CHECK(back->identity.has_value());
    gateway.reset();
    CHECK(run_cluster("stop", state.path().string()) == 0);
}
