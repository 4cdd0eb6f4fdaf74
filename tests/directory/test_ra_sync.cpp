// `segel sync ra`: the RA's status export applied all-or-nothing, idempotent.
#include <catch2/catch.hpp>

#include <sstream>

#include "directory/ra_sync.hpp"
#include "directory_fixture.hpp"

using namespace segel;
using directory::CertificateStatus;
using directory::RevocationReason;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {
const std::string k_header = "nip,email,name,unit,kind,status,reason,effective_date,certificate\n";
const std::vector<std::string> k_domains = {"tangerangkota.go.id"};

directory::Result<directory::SyncPlan> plan(DirectoryFixture& f, const std::string& csv) {
    std::istringstream in(csv);
    auto rows = directory::parse_ra_export(in, "export.csv");
    if (!rows)
        return rows.error();
    return directory::plan_ra_sync(*f.store, *rows, k_domains, std::chrono::system_clock::now(), "export.csv");
}

std::size_t audit_count(DirectoryFixture& f) { return f.store->audit_entries()->size(); }
} // namespace

TEST_CASE("an RA export updates people and revokes with a reason, applying it twice changes nothing",
          "[directory][ra]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    const std::string serial = test::demo_identity("alice").certificate().serial_hex();
    const std::string csv = k_header +
                            "198001012005011001,alice@tangerangkota.go.id,Alice Rahmawati,Dinas Pendidikan,individual,"
                            "revoked,mutasi,2026-11-01,serial:" + serial + "\n"
                            "198502022010012002,dewi@tangerangkota.go.id,\"Anggraini, Dewi\",Bappeda,,,,,\n";
    auto first = plan(f, csv);
    INFO((first ? std::string() : first.error().detail));
    REQUIRE(first.has_value());
    CHECK(first->changes.people.size() == 2);
    REQUIRE(first->changes.statuses.size() == 1);
    CHECK(first->changes.statuses[0].reason == RevocationReason::affiliation_changed);
    std::string described;
    for (const auto& line : first->descriptions)
        described += line + "\n";
    CHECK_THAT(described, Catch::Contains("RFC 5280 code 3"));
    REQUIRE(f.store->apply(first->changes, k_test_actor).has_value());

    auto alice = f.store->find_person("alice@tangerangkota.go.id");
    CHECK((*alice)->unit == "Dinas Pendidikan");
    CHECK((*alice)->nip == "198001012005011001");
    CHECK((*f.store->find_person("dewi@tangerangkota.go.id"))->name == "Anggraini, Dewi");
    auto record = f.store->get_certificate(serial);
    CHECK(record->status == CertificateStatus::revoked);

    auto second = plan(f, csv);
    REQUIRE(second.has_value());
    CHECK(second->empty());
}

TEST_CASE("REV-03: RA reasons map to RFC 5280 reason codes", "[directory][ra]") {
    const std::vector<std::pair<std::string, int>> table = {
        {"mutasi", 3},   {"transfer", 3},  {"rotasi", 3},   {"pensiun", 5},        {"retirement", 5},
        {"perubahan_data", 4}, {"data_change", 4}, {"kunci_hilang", 1}, {"key_compromise", 1},
        {"sanksi", 9},   {"sanction", 9},  {"hold", 6},     {"unspecified", 0}};
    for (const auto& [word, code] : table) {
        INFO(word);
        const auto reason = directory::parse_revocation_reason(word);
        REQUIRE(reason.has_value());
        CHECK(directory::rfc5280_code(*reason) == code);
        CHECK(directory::reason_from_rfc5280(code) == reason);
    }
}

TEST_CASE("a malformed RA file changes nothing and names the line and problem", "[directory][ra]") {
    DirectoryFixture f;
    f.import_user("alice");
    const std::string serial = test::demo_identity("alice").certificate().serial_hex();
    const std::string good = "1,alice@tangerangkota.go.id,Alice,Unit,,revoked,pensiun,,serial:" + serial + "\n";
    const auto [bad_row, problem] = GENERATE_COPY(table<std::string, std::string>({
        {"2,bambang@tangerangkota.go.id,B,U,,revoked,,,serial:1001\n", "needs a reason"},
        {"2,bambang@tangerangkota.go.id,B,U,,paused,,,serial:1001\n", "unknown status"},
        {"2,not-an-address,B,U,,,,,\n", "not an email address"},
        {"2,bambang@tangerangkota.go.id,B,U,,active,,2026-13-01,serial:1001\n", "effective_date"},
        {"2,bambang@tangerangkota.go.id,B,U\n", "has 4 fields"},
        {"2,bambang@tangerangkota.go.id,B,U,,active,,,serial:DEADBEEF\n", "import it first"},
        {"2,bambang@tangerangkota.go.id,B,U,,active,,,serial:" + serial + "\n", "belongs to alice"},
        {"2,b@example.com,B,U,,,,,\n", "outside the internal domains"},
        {"12a,bambang@tangerangkota.go.id,B,U,,,,,\n", "digits only"},
        {"2,bambang@tangerangkota.go.id,\"B,U,,,,,\n", "not closed"},
    }));
    const std::size_t audit_before = audit_count(f);
    auto result = plan(f, k_header + good + bad_row);
    REQUIRE_FALSE(result.has_value());
    CHECK_THAT(result.error().detail, Catch::StartsWith("export.csv:3: ") && Catch::Contains(problem));
    CHECK(audit_count(f) == audit_before);
    CHECK(f.store->get_certificate(serial)->status == CertificateStatus::active);
}

TEST_CASE("the header row must name every column once", "[directory][ra]") {
    DirectoryFixture f;
    CHECK_THAT(plan(f, "nip,email\n").error().detail, Catch::Contains("lacks the column"));
    CHECK_THAT(plan(f, k_header.substr(0, k_header.size() - 1) + ",colour\n").error().detail,
               Catch::Contains("unknown column"));
    CHECK_THAT(plan(f, "").error().detail, Catch::Contains("header row is missing"));
}

TEST_CASE("a revocation cannot be undone by a sync, a hold can be lifted", "[directory][ra]") {
    DirectoryFixture f;
    f.import_user("alice");
    const std::string serial = test::demo_identity("alice").certificate().serial_hex();
    const std::string row = "1,alice@tangerangkota.go.id,Alice,Unit,,";
    REQUIRE(f.store->apply(plan(f, k_header + row + "revoked,hold,,serial:" + serial + "\n")->changes, k_test_actor));
    auto lifted = plan(f, k_header + row + "active,,,serial:" + serial + "\n");
    REQUIRE(lifted.has_value());
    REQUIRE(f.store->apply(lifted->changes, k_test_actor));
    CHECK(f.store->get_certificate(serial)->status == CertificateStatus::active);
    REQUIRE(f.store->apply(plan(f, k_header + row + "revoked,kunci_hilang,,serial:" + serial + "\n")->changes, k_test_actor));
    auto undo = plan(f, k_header + row + "active,,,serial:" + serial + "\n");
    REQUIRE_FALSE(undo.has_value());
    CHECK_THAT(undo.error().detail, Catch::Contains("only a hold can be lifted"));
}

TEST_CASE("a certificate appears once per file", "[directory][ra]") {
    DirectoryFixture f;
    f.import_user("alice");
    const std::string fp = "sha256:" + f.fingerprint_of("alice");
    auto result = plan(f, k_header + "1,alice@tangerangkota.go.id,A,U,,active,,," + fp + "\n" +
                              "1,alice@tangerangkota.go.id,A,U,,revoked,sanksi,," + fp + "\n");
    REQUIRE_FALSE(result.has_value());
    CHECK_THAT(result.error().detail, Catch::Contains("already appears on line 2"));
}

TEST_CASE("effective dates: a bare date is midnight WIB, a time needs a zone", "[directory][ra]") {
    using std::chrono::system_clock;
    const auto bare = directory::parse_effective_date("2026-11-01");
    REQUIRE(bare.has_value());
    CHECK(system_clock::to_time_t(*bare) == 1793466000); // 2026-10-31T17:00:00Z
    CHECK(system_clock::to_time_t(*directory::parse_effective_date("2026-11-01T08:30Z")) == 1793521800); // 2026-11-01T08:30:00Z
    CHECK(system_clock::to_time_t(*directory::parse_effective_date("2026-11-01T08:30:00+07:00")) == 1793496600); // 2026-11-01T01:30:00Z
    CHECK_FALSE(directory::parse_effective_date("2026-11-01T08:30").has_value());
    CHECK_FALSE(directory::parse_effective_date("2026-02-30").has_value());
    CHECK_FALSE(directory::parse_effective_date("01/11/2026").has_value());
    // Found by fuzz_ra_export: signs, spaces and far years are not dates
    // (a year before 1678 overflowed the clock).
    for (const char* odd : {"-999-01-01", " 999-01-01", "0001-01-01", "9999-12-31", "2026-11-01T-1:30Z",
                            "2026-11-01T08:-5Z", "+026-11-01"})
        CHECK_FALSE(directory::parse_effective_date(odd).has_value());
}

TEST_CASE("applying the same RA file three times: the second and third change nothing and write nothing",
          "[directory][ra]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    f.import_user("citra");
    const auto serial = [](const char* user) { return test::demo_identity(user).certificate().serial_hex(); };
    // Every status row with an effective time, an active one among them (its time was never stored).
    const std::string csv =
        k_header + "198001012005011001,alice@tangerangkota.go.id,Alice Rahmawati,Diskominfo,,active,,2026-11-01,serial:" +
        serial("alice") + "\n,bambang@tangerangkota.go.id,,,,revoked,mutasi,2026-11-02T08:30+07:00,serial:" +
        serial("bambang") + "\n,citra@tangerangkota.go.id,,,,revoked,ditangguhkan,2026-11-03,serial:" + serial("citra") +
        "\n,dewi@tangerangkota.go.id,Dewi Anggraini,Bappeda,,,,,\n";
    auto first = plan(f, csv);
    INFO((first ? std::string() : first.error().detail));
    REQUIRE(first.has_value());
    CHECK(first->changes.statuses.size() == 3);
    REQUIRE(f.store->apply(first->changes, k_test_actor).has_value());
    const auto alice = f.store->get_certificate(serial("alice"));
    REQUIRE(alice.has_value());
    CHECK(alice->status == CertificateStatus::active);
    CHECK(alice->status_effective == directory::parse_effective_date("2026-11-01"));
    const std::size_t entries = audit_count(f);
    for (int run = 2; run <= 3; ++run) {
        INFO("run " << run);
        auto again = plan(f, csv);
        REQUIRE(again.has_value());
        CHECK(again->empty());
        CHECK(again->descriptions.empty());
        REQUIRE(f.store->apply(again->changes, k_test_actor).has_value());
        CHECK(audit_count(f) == entries);
    }
}
