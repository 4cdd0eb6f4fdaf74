// The admin operations library (directory/admin/*.hpp) called directly, as
// the web page will call it: typed requests and outcomes, role checks before
// anything is read or changed, the operator and channel in the audit log.
// The segel tool's output over the same operations is tested in tests/cli.
#include <catch2/catch.hpp>

#include <filesystem>

#include <sys/stat.h>

#include "directory/admin/certificate_operations.hpp"
#include "directory/admin/supervision_operations.hpp"
#include "directory_fixture.hpp"

using namespace segel;
using namespace segel::directory::admin;
using directory::CertificateStatus;
using directory::RevocationReason;
using test::DirectoryFixture;

namespace {

const Operator k_ra{"rina", {Role::ra_operator}, Channel::cli};
const Operator k_auditor{"agus", {Role::auditor}, Channel::web};
const Operator k_admin{"adi", {Role::administrator}, Channel::cli};
const Operator k_nobody{"tamu", {}, Channel::web};

const std::vector<std::string> k_domains = {"tangerangkota.go.id"};

// A private copy (0600) of a demo PKCS#12 file.
std::string private_copy(const test::TempDir& dir, const std::string& user) {
    const auto path = dir / (user + ".p12");
    std::filesystem::copy_file(test::pki_file(user + ".p12"), path, std::filesystem::copy_options::overwrite_existing);
    ::chmod(path.c_str(), 0600);
    return path.string();
}

ImportFiles files_of(const test::TempDir& dir, const std::vector<std::string>& users) {
    ImportFiles files;
    for (const auto& user : users)
        files.paths.push_back(private_copy(dir, user));
    files.passphrase_file = test::pki_file("p12-passphrase").string();
    return files;
}

std::string last_audit_actor(DirectoryFixture& f) { return f.store->audit_entries()->back().actor; }

} // namespace

TEST_CASE("admin: roles decide what an operator may do, before anything is read or changed", "[directory][admin]") {
    CHECK(permits(k_auditor, Permission::read));
    CHECK_FALSE(permits(k_auditor, Permission::change_certificates));
    CHECK(permits(k_ra, Permission::change_certificates));
    CHECK_FALSE(permits(k_ra, Permission::administer));
    CHECK(permits(k_admin, Permission::administer));
    CHECK_FALSE(permits(k_nobody, Permission::read));

    DirectoryFixture f;
    const auto fingerprint = f.import_user("alice").fingerprint;
    const auto audit_before = f.store->audit_entries()->size();
    auto refused = revoke(*f.store, k_auditor, {fingerprint, RevocationReason::key_compromise, directory::TimePoint()});
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == FailureKind::not_permitted);
    CHECK_THAT(refused.error().message, Catch::Contains("agus"));
    CHECK(f.store->get_certificate(fingerprint)->status == CertificateStatus::active);
    CHECK(authorise(*f.store, k_auditor, {fingerprint, "humas", false}).error().kind == FailureKind::not_permitted);
    CHECK(rotate_master_key(*f.store, k_ra, (f.dir / "new.key").string()).error().kind == FailureKind::not_permitted);
    CHECK_FALSE(std::filesystem::exists(f.dir / "new.key"));
    CHECK(list_certificates(*f.store, k_nobody, {}).error().kind == FailureKind::not_permitted);
    CHECK(f.store->audit_entries()->size() == audit_before);

    // The auditor reads everything and checks the audit log.
    CHECK(list_certificates(*f.store, k_auditor, {})->size() == 1);
    CHECK(show_certificate(*f.store, k_auditor, fingerprint)->owner->unit == "Diskominfo");
    CHECK(verify_audit_log(*f.store, k_auditor)->intact);
    CHECK(supervision_report(*f.store, k_auditor, std::chrono::system_clock::now(), 30)->units.size() == 1);
}

TEST_CASE("admin: revoke records the reason under the operator and channel, and refuses a second time",
          "[directory][admin]") {
    DirectoryFixture f;
    const auto fingerprint = f.import_user("alice").fingerprint;
    const auto effective = std::chrono::system_clock::now() - std::chrono::hours(1);
    const Operator web_ra{"rina", {Role::ra_operator}, Channel::web};
    auto revoked = revoke(*f.store, web_ra, {fingerprint, RevocationReason::affiliation_changed, effective});
    REQUIRE(revoked.has_value());
    CHECK(revoked->record.owner_email == "alice@tangerangkota.go.id");
    CHECK(revoked->reason == RevocationReason::affiliation_changed);
    const auto record = f.store->get_certificate(fingerprint);
    CHECK(record->status == CertificateStatus::revoked);
    CHECK(record->reason == RevocationReason::affiliation_changed);
    CHECK(last_audit_actor(f) == "web:rina");

    auto again = revoke(*f.store, k_ra, {fingerprint, RevocationReason::key_compromise, effective});
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().kind == FailureKind::invalid_input);
    CHECK_THAT(again.error().message, Catch::Contains("already revoked (affiliation_changed)"));

    auto missing = revoke(*f.store, k_ra, {"00112233aabbccdd", RevocationReason::unspecified, effective});
    REQUIRE_FALSE(missing.has_value());
    CHECK_THAT(missing.error().message, Catch::StartsWith("cannot revoke 00112233aabbccdd (not_found)"));
}

TEST_CASE("admin: authorise and unauthorise a login, audited as the tool's operator", "[directory][admin]") {
    DirectoryFixture f;
    const auto fingerprint = f.import_user("citra", directory::CertificateKind::position).fingerprint;
    REQUIRE(authorise(*f.store, k_ra, {fingerprint, "humas@tangerangkota.go.id", false}).has_value());
    CHECK(last_audit_actor(f) == "admin:rina");
    auto logins = f.store->get_certificate(fingerprint)->authorised_logins;
    CHECK(std::find(logins.begin(), logins.end(), "humas@tangerangkota.go.id") != logins.end());
    REQUIRE(authorise(*f.store, k_ra, {fingerprint, "humas@tangerangkota.go.id", true}).has_value());
    logins = f.store->get_certificate(fingerprint)->authorised_logins;
    CHECK(std::find(logins.begin(), logins.end(), "humas@tangerangkota.go.id") == logins.end());
}

TEST_CASE("admin: files load into items, a batch with an outside address imports nothing (art. 15 c)",
          "[directory][admin]") {
    DirectoryFixture f;
    test::TempDir dir;
    auto items = load_import_files(files_of(dir, {"alice", "luar"}));
    REQUIRE(items.has_value());
    REQUIRE(items->size() == 2);
    CHECK((*items)[0].has_key());
    auto refused = import_certificates(*f.store, k_ra, {std::move(items).value(), directory::CertificateKind::individual,
                                                        "", "", "", "", "", k_domains});
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == FailureKind::invalid_input);
    CHECK_THAT(refused.error().message, Catch::Contains("luar@") && Catch::Contains("nothing was imported"));
    CHECK(f.store->find_certificates({})->empty());

    auto good = load_import_files(files_of(dir, {"alice", "bambang"}));
    REQUIRE(good.has_value());
    auto imported = import_certificates(*f.store, k_ra, {std::move(good).value(), directory::CertificateKind::individual,
                                                         "", "", "198001012005011001", "Bappeda", "", k_domains});
    REQUIRE(imported.has_value());
    CHECK_FALSE(imported->stopped);
    REQUIRE(imported->imported.size() == 2);
    CHECK(imported->imported[0].inserted);
    CHECK(imported->imported[1].owner == "bambang@tangerangkota.go.id");
    CHECK((*f.store->find_person("bambang@tangerangkota.go.id"))->unit == "Bappeda");
}

TEST_CASE("admin: unusable import files are refused with their own kinds", "[directory][admin]") {
    test::TempDir dir;
    ImportFiles bulk = files_of(dir, {"alice", "bambang"});
    bulk.passphrase_file.clear();
    CHECK(load_import_files(bulk).error().kind == FailureKind::invalid_request);

    ImportFiles open_file = files_of(dir, {"alice"});
    ::chmod(open_file.paths[0].c_str(), 0644);
    auto refused = load_import_files(open_file);
    CHECK(refused.error().kind == FailureKind::not_permitted);
    CHECK_THAT(refused.error().message, Catch::Contains("readable by every user"));

    ImportFiles asked = files_of(dir, {"alice"});
    asked.passphrase_file.clear();
    int asked_times = 0;
    asked.ask_passphrase = [&asked_times](const std::string&) {
        ++asked_times;
        return std::optional<smime::Passphrase>(smime::Passphrase("wrong"));
    };
    auto wrong = load_import_files(asked);
    CHECK(asked_times == 1);
    CHECK(wrong.error().kind == FailureKind::not_permitted); // bad credentials

    std::filesystem::create_directory(dir / "empty-folder");
    test::write_file(dir / "empty-folder" / "notes.txt", "not a certificate");
    ImportFiles empty_folder;
    empty_folder.paths = {(dir / "empty-folder").string()};
    CHECK(load_import_files(empty_folder).error().kind == FailureKind::input_unreadable);
}

TEST_CASE("admin: RA sync dry run changes nothing, the real run applies all, a second run has nothing to do",
          "[directory][admin]") {
    DirectoryFixture f;
    f.import_user("alice");
    const std::string serial = test::demo_identity("alice").certificate().serial_hex();
    const std::string csv = "nip,email,name,unit,kind,status,reason,effective_date,certificate\n"
                            "198001012005011001,alice@tangerangkota.go.id,Alice Rahmawati,Diskominfo,individual,"
                            "revoked,pensiun,2026-11-01,serial:" + serial + "\n";
    const auto now = std::chrono::system_clock::now();
    auto dry = sync_ra(*f.store, k_auditor, {"export.csv", csv, k_domains, true, now});
    REQUIRE(dry.has_value());
    CHECK_FALSE(dry->changes.empty());
    CHECK_FALSE(dry->applied);
    CHECK(f.store->get_certificate(serial)->status == CertificateStatus::active);

    CHECK(sync_ra(*f.store, k_auditor, {"export.csv", csv, k_domains, false, now}).error().kind ==
          FailureKind::not_permitted);
    auto applied = sync_ra(*f.store, k_ra, {"export.csv", csv, k_domains, false, now});
    REQUIRE(applied.has_value());
    CHECK(applied->applied);
    CHECK(f.store->get_certificate(serial)->reason == RevocationReason::cessation);
    auto again = sync_ra(*f.store, k_ra, {"export.csv", csv, k_domains, false, now});
    REQUIRE(again.has_value());
    CHECK(again->changes.empty());
    CHECK_FALSE(again->applied);

    auto bad = sync_ra(*f.store, k_ra, {"bad.csv", "nip,email\n", k_domains, false, now});
    REQUIRE_FALSE(bad.has_value());
    CHECK_THAT(bad.error().message, Catch::StartsWith("the RA file was rejected; nothing was changed"));
}

TEST_CASE("admin: expiring certificates come soonest first, reminders due are listed in a dry run",
          "[directory][admin]") {
    DirectoryFixture f;
    f.import_user("alice");
    f.import_user("bambang");
    const auto all = f.store->find_certificates({});
    REQUIRE(all->size() == 2);
    const auto latest = std::max((*all)[0].not_after, (*all)[1].not_after);
    // "Now" a few days before the later one expires: both are within 40 days.
    const auto now = latest - std::chrono::hours(24 * 5);
    auto expiring = expiring_certificates(*f.store, k_auditor, 40, now);
    REQUIRE(expiring.has_value());
    for (std::size_t i = 1; i < expiring->size(); ++i)
        CHECK((*expiring)[i - 1].not_after <= (*expiring)[i].not_after);

    auto dry = remind(*f.store, k_auditor, {{}, true, now});
    REQUIRE(dry.has_value());
    REQUIRE_FALSE(dry->reminders.empty());
    CHECK_FALSE(dry->reminders[0].sent);
    CHECK_THAT(dry->reminders[0].about, Catch::Contains("days left"));
    CHECK(remind(*f.store, k_auditor, {{}, false, now}).error().kind == FailureKind::not_permitted);
}

TEST_CASE("admin: init creates the folder, key and database once, rotate-key re-seals under the new key",
          "[directory][admin]") {
    test::TempDir dir;
    const DirectoryLocation location{"sqlite:" + (dir / "lib" / "directory.sqlite").string(),
                                     (dir / "master.key").string(), k_domains};
    CHECK(init_directory(k_ra, location).error().kind == FailureKind::not_permitted);
    auto first = init_directory(k_admin, location);
    REQUIRE(first.has_value());
    CHECK(first->created_folder == (dir / "lib").string());
    CHECK_FALSE(first->created_key_id.empty());
    CHECK_FALSE(first->existed);
    auto second = init_directory(k_admin, location);
    REQUIRE(second.has_value());
    CHECK(second->created_folder.empty());
    CHECK(second->created_key_id.empty());
    CHECK(second->existed);

    auto opened = open_for(location, KeyNeed::required, Access::write);
    REQUIRE(opened.has_value());
    auto rotated = rotate_master_key(**opened, k_admin, (dir / "master.key.new").string());
    REQUIRE(rotated.has_value());
    CHECK(rotated->resealed == 0);
    CHECK_FALSE(rotated->key_id.empty());

    auto missing_key = open_for({location.url, (dir / "absent.key").string(), k_domains}, KeyNeed::required,
                                Access::read);
    REQUIRE_FALSE(missing_key.has_value());
    CHECK_THAT(missing_key.error().message, Catch::StartsWith("cannot load the master key"));
}
