// The directory contract suite, run on every backend the build has: import
// rules, master key handling, concurrency (the signing choice, audit, RA and
// CRL sync and the lookups have their own files, all on the same fixture).
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "directory_fixture.hpp"

using namespace segel;
using test::DirectoryFixture;
using test::k_test_actor;

TEST_CASE("an import records person, certificate, addresses, owner login and sealed key", "[directory][import]") {
    DirectoryFixture f;
    const auto outcome = f.import_user("alice");
    CHECK(outcome.inserted);
    auto record = f.store->get_certificate(outcome.fingerprint);
    REQUIRE(record.has_value());
    CHECK(record->emails == std::vector<std::string>{"alice@tangerangkota.go.id"});
    CHECK(record->authorised_logins == std::vector<std::string>{"alice@tangerangkota.go.id"});
    CHECK(record->has_private_key);
    CHECK(record->serial == test::demo_identity("alice").certificate().serial_hex());
    CHECK(record->status == directory::CertificateStatus::active);
    auto person = f.store->find_person("ALICE@tangerangkota.go.id");
    REQUIRE(person.has_value());
    REQUIRE(person->has_value());
    CHECK((*person)->unit == "Diskominfo");
    // By serial too.
    CHECK(f.store->get_certificate(record->serial).has_value());
}

TEST_CASE("importing the same certificate twice changes nothing", "[directory][import]") {
    DirectoryFixture f;
    f.import_user("alice");
    const auto again = f.import_user("alice");
    CHECK_FALSE(again.inserted);
    auto all = f.store->find_certificates({});
    REQUIRE(all.has_value());
    CHECK(all->size() == 1);
}

TEST_CASE("only addresses in the configured domains are accepted (Tangerang art. 15 c)", "[directory][import]") {
    DirectoryFixture f;
    const auto& identity = test::demo_identity("luar");
    directory::ImportRequest request{identity.certificate(), identity.shared_private_key(), identity.chain(),
                                     directory::CertificateKind::individual, {"luar@example.com", "Luar", "", "", ""}};
    auto outcome = f.store->import_certificate(request, k_test_actor);
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().kind == directory::ErrorKind::invalid_input);
    CHECK_THAT(outcome.error().detail, Catch::Contains("outside the internal domains"));
}

TEST_CASE("an individual certificate must carry its owner's address", "[directory][import]") {
    DirectoryFixture f;
    const auto& identity = test::demo_identity("alice");
    directory::ImportRequest request{identity.certificate(), identity.shared_private_key(), identity.chain(),
                                     directory::CertificateKind::individual,
                                     {"bambang@tangerangkota.go.id", "", "", "", ""}};
    auto outcome = f.store->import_certificate(request, k_test_actor);
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().kind == directory::ErrorKind::invalid_input);
}

TEST_CASE("a key that does not belong to the certificate is refused", "[directory][import]") {
    DirectoryFixture f;
    directory::ImportRequest request{test::demo_identity("alice").certificate(),
                                     test::demo_identity("bambang").shared_private_key(), {},
                                     directory::CertificateKind::individual,
                                     {"alice@tangerangkota.go.id", "", "", "", ""}};
    auto outcome = f.store->import_certificate(request, k_test_actor);
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().kind == directory::ErrorKind::invalid_input);
}

TEST_CASE("a copied database with another master key gives no key", "[directory][keys]") {
    DirectoryFixture f;
    f.import_user("alice");
    auto other_key = directory::create_master_key_file((f.dir / "other.key").string());
    REQUIRE(other_key.has_value());
    auto copy = f.open_again(*other_key);
    auto choice = copy->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                      std::chrono::system_clock::now(), k_test_actor);
    REQUIRE_FALSE(choice.has_value());
    CHECK(choice.error().kind == directory::ErrorKind::key_unavailable);
}

TEST_CASE("rotating the master key re-seals every key", "[directory][keys]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    auto new_key = directory::create_master_key_file((f.dir / "new.key").string());
    REQUIRE(new_key.has_value());
    auto resealed = f.store->reseal_keys(*new_key, k_test_actor);
    REQUIRE(resealed.has_value());
    CHECK(*resealed == 2);
    CHECK(f.store->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                              std::chrono::system_clock::now(), k_test_actor)
              ->identity.has_value());
    // The old key no longer opens them.
    auto stale = f.open_again();
    auto choice = stale->choose_signing_certificate("alice@tangerangkota.go.id", "alice@tangerangkota.go.id",
                                                    std::chrono::system_clock::now(), k_test_actor);
    REQUIRE_FALSE(choice.has_value());
    CHECK(choice.error().kind == directory::ErrorKind::key_unavailable);
}

TEST_CASE("readers keep choosing while another connection writes", "[directory][concurrency]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    std::atomic<bool> stop{false};
    std::atomic<int> reads{0}, failures{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r)
        readers.emplace_back([&] {
            auto reader = f.open_again();
            while (!stop) {
                auto choice = reader->choose_signing_certificate("bambang@tangerangkota.go.id",
                                                                 "bambang@tangerangkota.go.id",
                                                                 std::chrono::system_clock::now(), k_test_actor);
                if (!choice || !choice->identity)
                    ++failures;
                ++reads;
            }
        });
    auto writer = f.open_again();
    for (int i = 0; i < 100; ++i) {
        const auto status = i % 2 == 0 ? directory::CertificateStatus::revoked : directory::CertificateStatus::active;
        auto applied = writer->apply({"toggle", {{"x" + std::to_string(i) + "@tangerangkota.go.id", "X", "", "Unit", ""}},
                                      {{f.fingerprint_of("alice"), status, directory::RevocationReason::unspecified, {}}}},
                                     k_test_actor);
        REQUIRE(applied.has_value());
    }
    stop = true;
    for (auto& t : readers)
        t.join();
    CHECK(reads > 0);
    CHECK(failures == 0);
}

