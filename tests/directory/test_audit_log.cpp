// The audit log's hash chain finds the first altered, missing or reordered
// entry (Tangerang art. 22).
#include <catch2/catch.hpp>

#include "directory_fixture.hpp"

using namespace segel;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {
// Five entries: import alice, import bambang, authorise, signing, unauthorise.
void make_history(DirectoryFixture& f) {
    f.import_user("alice");
    f.import_user("bambang");
    REQUIRE(f.store->authorise(f.fingerprint_of("alice"), "sekretaris", k_test_actor));
    REQUIRE(f.store->record_signing({"alice@tangerangkota.go.id", "1000", f.fingerprint_of("alice"), "<m1@x>",
                                     std::chrono::system_clock::now()},
                                    k_test_actor));
    REQUIRE(f.store->unauthorise(f.fingerprint_of("alice"), "sekretaris", k_test_actor));
}

void tamper(const DirectoryFixture& f, const char* statement) { f.execute_raw(statement); }

directory::AuditVerification verify(DirectoryFixture& f) {
    auto result = f.store->verify_audit_log();
    REQUIRE(result.has_value());
    return *result;
}
} // namespace

TEST_CASE("an untouched audit log verifies and reports its head", "[directory][audit]") {
    DirectoryFixture f;
    make_history(f);
    const auto result = verify(f);
    CHECK(result.intact);
    CHECK(result.entries == 5);
    CHECK(result.head_hash.size() == 64);
    auto entries = f.store->audit_entries();
    REQUIRE(entries.has_value());
    CHECK((*entries)[3].action == "sign");
    CHECK_THAT((*entries)[3].detail, Catch::Contains("message_id=<m1@x>"));
}

TEST_CASE("an edited entry is found", "[directory][audit]") {
    DirectoryFixture f;
    make_history(f);
    tamper(f, "UPDATE audit_log SET detail = replace(detail, 'sekretaris', 'direktur') WHERE seq = 3");
    const auto result = verify(f);
    CHECK_FALSE(result.intact);
    CHECK(result.first_bad_seq == 3);
    CHECK_THAT(result.problem, Catch::Contains("altered"));
}

TEST_CASE("an edit that also recomputes that entry's hash is found at the next entry", "[directory][audit]") {
    DirectoryFixture f;
    make_history(f);
    tamper(f, "UPDATE audit_log SET actor = 'someone', hash = 'ffff' WHERE seq = 2");
    const auto result = verify(f);
    CHECK_FALSE(result.intact);
    CHECK(result.first_bad_seq == 2);
}

TEST_CASE("a deleted entry is found", "[directory][audit]") {
    DirectoryFixture f;
    make_history(f);
    tamper(f, "DELETE FROM audit_log WHERE seq = 2");
    const auto result = verify(f);
    CHECK_FALSE(result.intact);
    CHECK(result.first_bad_seq == 2);
    CHECK_THAT(result.problem, Catch::Contains("missing"));
}

TEST_CASE("a deleted last entry is found", "[directory][audit]") {
    DirectoryFixture f;
    make_history(f);
    tamper(f, "DELETE FROM audit_log WHERE seq = 5");
    const auto result = verify(f);
    CHECK_FALSE(result.intact);
    CHECK(result.first_bad_seq == 5);
}

TEST_CASE("reordered entries are found", "[directory][audit]") {
    DirectoryFixture f;
    make_history(f);
    // Swap the contents of entries 2 and 3, keeping their sequence numbers.
    tamper(f, "UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; "
              "UPDATE audit_log SET seq = 3 WHERE seq = -2;");
    const auto result = verify(f);
    CHECK_FALSE(result.intact);
    CHECK(result.first_bad_seq == 2);
}
