// Moving a site (`segel directory migrate`, directory_copy.hpp): a whole
// SQLite directory copied into PostgreSQL and back gives the same
// listing, the same signing choices with the same keys, and an audit chain
// that verifies; a non-empty target is refused; a copy that fails half-way
// leaves the target empty and can be run again.
#include <catch2/catch.hpp>

#include "directory/directory_copy.hpp"
#include "directory_fixture.hpp"
#include "postgres_test_server.hpp"

using namespace segel;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {

// A directory with something in every table.
void fill(DirectoryFixture& f) {
    f.import_user("alice");
    f.import_user("bambang");
    f.import_user("citra", directory::CertificateKind::position, "alice@tangerangkota.go.id");
    REQUIRE(f.store->authorise(f.fingerprint_of("alice"), "sekretaris", k_test_actor));
    REQUIRE(f.store->apply({"ra", {}, {{f.fingerprint_of("bambang"), directory::CertificateStatus::revoked,
                                       directory::RevocationReason::affiliation_changed,
                                       std::chrono::system_clock::now()}}},
                           k_test_actor));
    REQUIRE(f.store->import_correspondent(test::demo_identity("luar").certificate(),
                                          directory::CertificateSource::operator_import, "", k_test_actor));
    directory::PolicyRule rule;
    rule.scope = "example.com";
    rule.mode = directory::EncryptionMode::required;
    REQUIRE(f.store->set_policy_rule(rule, k_test_actor));
    REQUIRE(f.store->remember_capabilities(*smime::Address::parse("luar@example.com"), {true, true},
                                           std::chrono::system_clock::now()));
    REQUIRE(f.store->claim_reminder(f.fingerprint_of("alice"), 30, k_test_actor));
}

void check_same(directory::DirectoryService& from, directory::DirectoryService& to) {
    auto a = from.find_certificates({});
    auto b = to.find_certificates({});
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    REQUIRE(a->size() == b->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        const auto &x = (*a)[i], &y = (*b)[i];
        CHECK(x.fingerprint == y.fingerprint);
        CHECK(x.status == y.status);
        CHECK(x.reason == y.reason);
        CHECK(x.status_effective == y.status_effective);
        CHECK(x.imported_at == y.imported_at);
        CHECK(x.emails == y.emails);
        CHECK(x.authorised_logins == y.authorised_logins);
        CHECK(x.has_private_key == y.has_private_key);
        CHECK(x.owner_email == y.owner_email);
    }
    CHECK(from.find_correspondents("")->size() == to.find_correspondents("")->size());
    CHECK(to.policy_rules()->size() == 1);
    CHECK(to.reminder_sent(test::demo_identity("alice").certificate().sha256_fingerprint_hex(), 30).value());
    CHECK(to.remembered_capabilities(*smime::Address::parse("luar@example.com"))->has_value());
    for (const std::string login :
         {"alice@tangerangkota.go.id", "sekretaris", "bambang@tangerangkota.go.id", "citra@tangerangkota.go.id"}) {
        const std::string address = login == "sekretaris" ? "alice@tangerangkota.go.id" : login;
        auto x = from.choose_signing_certificate(login, address, std::chrono::system_clock::now(), k_test_actor);
        auto y = to.choose_signing_certificate(login, address, std::chrono::system_clock::now(), k_test_actor);
        REQUIRE(x.has_value());
        REQUIRE(y.has_value());
        CHECK(x->identity.has_value() == y->identity.has_value());
        CHECK(x->refusal == y->refusal);
    }
}

} // namespace

TEST_CASE("a SQLite directory moved to PostgreSQL lists, signs and verifies the same", "[copy][postgres]") {
    DirectoryFixture from({"tangerangkota.go.id"}, "sqlite");
    fill(from);
    DirectoryFixture to({"tangerangkota.go.id"}, "postgresql");
    const std::string target = test::postgres::url_of(to.postgres_database);
    // The fixture's store is initialised (one empty schema): copy into it.
    auto copied = directory::copy_directory(from.url(), target, {}, k_test_actor);
    INFO((copied ? std::string() : copied.error().detail));
    REQUIRE(copied.has_value());
    CHECK(copied->certificates == 3);
    CHECK(copied->private_keys == 3);
    CHECK(copied->correspondents == 1);
    CHECK(copied->reminders == 1);
    auto moved = from.open_url(target);
    auto verified = moved->verify_audit_log();
    REQUIRE(verified.has_value());
    CHECK(verified->intact);
    auto entries = moved->audit_entries();
    REQUIRE(entries.has_value());
    CHECK(entries->back().action == "directory_migrate");
    const auto source_entries = from.store->audit_entries();
    // Every source entry, hash for hash, then the migration's own.
    REQUIRE(entries->size() > source_entries->size());
    for (std::size_t i = 0; i < source_entries->size(); ++i)
        CHECK((*entries)[i].hash == (*source_entries)[i].hash);
    // The keys open under the site's master key (the fixture of the source).
    check_same(*from.store, *moved);

    // And back again, into a new SQLite file.
    const std::string back = "sqlite:" + (from.dir / "back.sqlite").string();
    REQUIRE(directory::copy_directory(target, back, {}, k_test_actor).has_value());
    check_same(*moved, *from.open_url(back));
}

TEST_CASE("a target that holds anything is refused and left as it was", "[copy][postgres]") {
    DirectoryFixture from({"tangerangkota.go.id"}, "sqlite");
    fill(from);
    DirectoryFixture to({"tangerangkota.go.id"}, "postgresql");
    to.import_user("alice");
    auto refused = directory::copy_directory(from.url(), to.url(), {}, k_test_actor);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == directory::ErrorKind::conflict);
    CHECK_THAT(refused.error().detail, Catch::Contains("not empty"));
    CHECK(to.store->find_certificates({})->size() == 1);
}

TEST_CASE("a copy that fails half-way leaves the target empty and can be run again", "[copy][postgres]") {
    DirectoryFixture from({"tangerangkota.go.id"}, "sqlite");
    fill(from);
    DirectoryFixture to({"tangerangkota.go.id"}, "postgresql");
    // The target fails at the first correspondent's certificate, after
    // people, certificates and keys were written.
    to.execute_raw("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$BEGIN RAISE EXCEPTION 'disk full (simulated)'; END$$; "
                   "CREATE TRIGGER refuse BEFORE INSERT ON correspondent_certificates "
                   "FOR EACH ROW EXECUTE FUNCTION refuse()");
    auto failed = directory::copy_directory(from.url(), to.url(), {}, k_test_actor);
    REQUIRE_FALSE(failed.has_value());
    CHECK_THAT(failed.error().detail, Catch::Contains("disk full"));
    CHECK(to.store->find_certificates({})->empty());
    CHECK(to.store->audit_entries()->empty());
    to.execute_raw("DROP TRIGGER refuse ON correspondent_certificates");
    auto again = directory::copy_directory(from.url(), to.url(), {}, k_test_actor);
    INFO((again ? std::string() : again.error().detail));
    REQUIRE(again.has_value());
    check_same(*from.store, *from.open_url(to.url()));
}

TEST_CASE("a source whose audit chain is broken is not copied", "[copy]") {
    DirectoryFixture from({"tangerangkota.go.id"}, "sqlite");
    fill(from);
    from.execute_raw("UPDATE audit_log SET detail = 'edited' WHERE seq = 2");
    const std::string target = "sqlite:" + (from.dir / "target.sqlite").string();
    auto refused = directory::copy_directory(from.url(), target, {}, k_test_actor);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == directory::ErrorKind::conflict);
    CHECK_THAT(refused.error().detail, Catch::Contains("audit chain"));
}
