// Correspondents' certificates (issue 12, ENC-01), part of the directory
// contract suite: imported with their source, found by address or by a
// domain certificate, never for an internal address, removed with an audit
// entry; usability judged at lookup (ENC-02), not at import.
#include <catch2/catch.hpp>

#include "directory_fixture.hpp"

using namespace segel;
using directory::CertificateSource;
using test::DirectoryFixture;
using test::k_test_actor;

namespace {

smime::Certificate certificate_of(const std::string& user) {
    auto loaded = smime::Certificate::load_pem_file(test::pki_file(user + ".cert.pem").string());
    REQUIRE(loaded.has_value());
    return loaded->front();
}

} // namespace

TEST_CASE("correspondents: an imported certificate is found by its address, case-insensitive, with its source",
          "[directory][correspondents]") {
    DirectoryFixture f;
    auto first = f.store->import_correspondent(certificate_of("mitra"), CertificateSource::operator_import, "", k_test_actor);
    REQUIRE(first.has_value());
    CHECK(first->inserted);
    auto again = f.store->import_correspondent(certificate_of("mitra"), CertificateSource::operator_import, "", k_test_actor);
    REQUIRE(again.has_value());
    CHECK_FALSE(again->inserted);
    CHECK(f.audit_count("correspondent_import") == 1);

    const auto found = f.candidates_for("Mitra@MITRA.example");
    REQUIRE(found.size() == 1);
    CHECK(found.front().usable);
    CHECK(found.front().source == CertificateSource::operator_import);
    CHECK(found.front().certificate.sha256_fingerprint_hex() == first->fingerprint);
    CHECK_FALSE(found.front().record.has_value());
    CHECK(found.front().learned_at.time_since_epoch().count() > 0);

    // Another connection (another process or node) sees it too.
    auto other = f.open_again();
    auto listed = other->find_correspondents("mitra.example");
    REQUIRE(listed.has_value());
    REQUIRE(listed->size() == 1);
    CHECK(listed->front().emails == std::vector<std::string>{"mitra@mitra.example"});
    CHECK(listed->front().source == CertificateSource::operator_import);
}

TEST_CASE("correspondents: usability is judged at lookup: a signing-only certificate is listed, never usable (ENC-02)",
          "[directory][correspondents]") {
    DirectoryFixture f;
    REQUIRE(f.store->import_correspondent(certificate_of("luar"), CertificateSource::harvested, "", k_test_actor));
    const auto found = f.candidates_for("luar@example.com");
    REQUIRE(found.size() == 1);
    CHECK(found.front().source == CertificateSource::harvested);
    CHECK_FALSE(found.front().usable);
    CHECK_THAT(found.front().why_not, Catch::Contains("keyEncipherment"));
}

TEST_CASE("correspondents: internal addresses and the RA's source are refused, nothing stored",
          "[directory][correspondents]") {
    DirectoryFixture f;
    auto internal = f.store->import_correspondent(certificate_of("alice-enc"), CertificateSource::operator_import, "",
                                                  k_test_actor);
    REQUIRE_FALSE(internal.has_value());
    CHECK(internal.error().kind == directory::ErrorKind::invalid_input);
    CHECK_THAT(internal.error().detail, Catch::Contains("RA directory"));
    auto as_ra = f.store->import_correspondent(certificate_of("mitra"), CertificateSource::ra_directory, "", k_test_actor);
    REQUIRE_FALSE(as_ra.has_value());
    auto internal_domain = f.store->import_correspondent(certificate_of("rekan"), CertificateSource::domain,
                                                         "TangerangKota.go.id", k_test_actor);
    REQUIRE_FALSE(internal_domain.has_value());
    CHECK_THAT(internal_domain.error().detail, Catch::Contains("internal domain"));
    auto no_domain = f.store->import_correspondent(certificate_of("rekan"), CertificateSource::domain, "not a domain",
                                                   k_test_actor);
    REQUIRE_FALSE(no_domain.has_value());
    CHECK(f.store->find_correspondents("")->empty());
    CHECK(f.audit_count("correspondent_import") == 0);
}

TEST_CASE("correspondents: a domain certificate stands for the domain's addresses that have no usable one of their own",
          "[directory][correspondents]") {
    DirectoryFixture f;
    REQUIRE(f.store->import_correspondent(certificate_of("mitra"), CertificateSource::operator_import, "", k_test_actor));
    REQUIRE(f.store->import_correspondent(certificate_of("rekan"), CertificateSource::domain, "Mitra.Example.",
                                          k_test_actor));
    const auto someone = f.candidates_for("direksi@mitra.EXAMPLE");
    REQUIRE(someone.size() == 1);
    CHECK(someone.front().source == CertificateSource::domain);
    CHECK(someone.front().usable);
    CHECK(someone.front().certificate.sha256_fingerprint_hex() == certificate_of("rekan").sha256_fingerprint_hex());
    const auto mitra = f.candidates_for("mitra@mitra.example"); // has its own
    REQUIRE(mitra.size() == 1);
    CHECK(mitra.front().source == CertificateSource::operator_import);
    CHECK(f.candidates_for("someone@elsewhere.example").empty());
    CHECK(f.store->find_correspondents("mitra.example")->size() == 2); // by address and by domain
}

TEST_CASE("correspondents: the RA's certificates come first, an internal encryption certificate is usable",
          "[directory][correspondents]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("alice-enc", directory::CertificateKind::individual, "alice@tangerangkota.go.id");
    const auto alice = f.candidates_for("alice@tangerangkota.go.id");
    REQUIRE(alice.size() == 2);
    for (const auto& candidate : alice) {
        CHECK(candidate.source == CertificateSource::ra_directory);
        CHECK(candidate.record.has_value());
    }
    CHECK(std::count_if(alice.begin(), alice.end(), [](const auto& c) { return c.usable; }) == 1);
}

TEST_CASE("correspondents: removal by serial or fingerprint is audited and ends its use", "[directory][correspondents]") {
    DirectoryFixture f;
    auto imported = f.store->import_correspondent(certificate_of("mitra"), CertificateSource::operator_import, "",
                                                  k_test_actor);
    REQUIRE(imported.has_value());
    REQUIRE(f.store->import_correspondent(certificate_of("rekan"), CertificateSource::operator_import, "", k_test_actor));
    CHECK(f.store->remove_correspondent("00000000", k_test_actor).error().kind == directory::ErrorKind::not_found);
    auto removed = f.store->remove_correspondent(imported->fingerprint.substr(0, 12), k_test_actor);
    REQUIRE(removed.has_value());
    CHECK(removed->emails == std::vector<std::string>{"mitra@mitra.example"});
    CHECK(f.candidates_for("mitra@mitra.example").empty());
    auto by_serial = f.store->remove_correspondent(certificate_of("rekan").serial_hex(), k_test_actor);
    REQUIRE(by_serial.has_value());
    CHECK(f.store->find_correspondents("")->empty());
    CHECK(f.audit_count("correspondent_remove") == 2);
    CHECK(f.store->verify_audit_log()->intact);
}

TEST_CASE("correspondents: a harvested certificate is stored with its source and time, only for an address it names, "
          "and a pending one is not used until approved (issue 13 item 8)",
          "[directory][correspondents][harvest]") {
    DirectoryFixture f;
    const auto learned = std::chrono::system_clock::now() - std::chrono::hours(3);
    auto harvested = f.store->harvest_correspondent(certificate_of("mitra"), "MITRA@mitra.example", learned, false,
                                                    k_test_actor);
    REQUIRE(harvested.has_value());
    CHECK(harvested->inserted);
    const auto found = f.candidates_for("mitra@mitra.example");
    REQUIRE(found.size() == 1);
    CHECK(found.front().usable);
    CHECK(found.front().source == CertificateSource::harvested);
    CHECK(std::chrono::abs(found.front().learned_at - learned) < std::chrono::seconds(2));
    CHECK(f.audit_count("correspondent_harvest") == 1);
    // Learned again: nothing changes, nothing more in the audit log.
    CHECK_FALSE(f.store->harvest_correspondent(certificate_of("mitra"), "mitra@mitra.example", learned, false,
                                               k_test_actor)->inserted);
    CHECK(f.audit_count("correspondent_harvest") == 1);
    // Another address than the certificate names, or an internal one: refused.
    CHECK_FALSE(f.store->harvest_correspondent(certificate_of("rekan"), "mitra@mitra.example", learned, false,
                                               k_test_actor).has_value());
    CHECK_FALSE(f.store->harvest_correspondent(certificate_of("alice"), "alice@tangerangkota.go.id", learned, false,
                                               k_test_actor).has_value());

    auto pending = f.store->harvest_correspondent(certificate_of("rekan"), "rekan@example.org", learned, true, k_test_actor);
    REQUIRE(pending.has_value());
    CHECK(f.candidates_for("rekan@example.org").empty());
    CHECK(f.store->find_correspondents("rekan")->front().pending);
    REQUIRE(f.store->approve_correspondent(pending->fingerprint.substr(0, 12), k_test_actor).has_value());
    CHECK(f.candidates_for("rekan@example.org").size() == 1);
    CHECK(f.audit_count("correspondent_approve") == 1);
    auto twice = f.store->approve_correspondent(pending->fingerprint, k_test_actor);
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().kind == directory::ErrorKind::conflict);
}

TEST_CASE("correspondents: advertised capabilities of a newer signature replace older ones, never the reverse "
          "(issue 13 item 8)",
          "[directory][correspondents][harvest]") {
    DirectoryFixture f;
    const auto mitra = *smime::Address::parse("mitra@mitra.example");
    const auto now = std::chrono::system_clock::now();
    REQUIRE(f.store->remember_capabilities(mitra, {true, true}, now));
    REQUIRE(f.store->remember_capabilities(mitra, {false, false}, now - std::chrono::hours(1))); // an older message
    CHECK(f.store->remembered_capabilities(mitra)->value().aes256_gcm);
    REQUIRE(f.store->remember_capabilities(mitra, {false, true}, now + std::chrono::hours(1)));
    const auto newest = f.store->remembered_capabilities(mitra)->value();
    CHECK_FALSE(newest.aes256_gcm);
    CHECK(newest.rsa_oaep_sha256);
}
