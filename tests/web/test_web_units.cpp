// The admin page's parts without a server: accounts (Argon2id hashes, the
// file's grammar and permissions, role checks), sessions, the login
// limiter, HTML escaping and the RA cases' reasons.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "directory/admin/accounts.hpp"
#include "directory/incidents.hpp"
#include "html.hpp"
#include "login_limiter.hpp"
#include "ra_cases.hpp"
#include "sessions.hpp"

using namespace segel;
using directory::admin::Role;
namespace fs = std::filesystem;

namespace {

struct TempFolder {
    fs::path path = fs::temp_directory_path() / ("segel-web-unit-" + std::to_string(::getpid()));
    TempFolder() { fs::create_directories(path); }
    ~TempFolder() { fs::remove_all(path); }
};

const directory::admin::Operator k_admin{"root", {Role::administrator}, directory::admin::Channel::cli};

void write_file(const fs::path& file, const std::string& text, mode_t mode) {
    std::ofstream(file) << text;
    ::chmod(file.c_str(), mode);
}

} // namespace

TEST_CASE("accounts: Argon2id hashes with a fresh salt each, and only the right password matches") {
    auto first = directory::admin::hash_password("kata-sandi-panjang");
    auto second = directory::admin::hash_password("kata-sandi-panjang");
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
    CHECK(*first != *second);
    CHECK(directory::admin::password_matches(*first, "kata-sandi-panjang"));
    CHECK_FALSE(directory::admin::password_matches(*first, "kata-sandi-panjanG"));
    CHECK_FALSE(directory::admin::password_matches("not a hash", "kata-sandi-panjang"));
    CHECK_FALSE(directory::admin::password_problem("pendek").empty());
    CHECK(directory::admin::password_problem("dua belas kar").empty());
}

TEST_CASE("accounts: added, listed, re-passworded and removed by an administrator only, the file staying 0600") {
    TempFolder folder;
    const std::string file = (folder.path / "accounts").string();
    REQUIRE(directory::admin::add_account(k_admin, file, {"budi", {Role::ra_operator}, "kata-sandi-budi"}));
    REQUIRE(directory::admin::add_account(k_admin, file, {"sari", {Role::auditor, Role::ra_operator}, "kata-sandi-sari"}));
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto listed = directory::admin::list_accounts(k_admin, file);
    REQUIRE(listed);
    REQUIRE(listed->size() == 2);
    CHECK(listed->at(1).roles == std::set<Role>{Role::ra_operator, Role::auditor});

    auto twice = directory::admin::add_account(k_admin, file, {"budi", {Role::auditor}, "kata-sandi-lain"});
    REQUIRE_FALSE(twice);
    CHECK(twice.error().message.find("exists already") != std::string::npos);
    const directory::admin::Operator operator_only{"budi", {Role::ra_operator}, directory::admin::Channel::web};
    auto refused = directory::admin::remove_account(operator_only, file, "sari");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == directory::admin::FailureKind::not_permitted);

    const std::string old_hash = listed->at(0).password_hash;
    REQUIRE(directory::admin::set_account_password(k_admin, file, {"budi", {}, "kata-sandi-baru"}));
    auto after = directory::admin::load_accounts(file);
    REQUIRE(after);
    CHECK(after->at(0).password_hash != old_hash);
    CHECK(directory::admin::password_matches(after->at(0).password_hash, "kata-sandi-baru"));
    REQUIRE(directory::admin::remove_account(k_admin, file, "sari"));
    CHECK(directory::admin::load_accounts(file)->size() == 1);
    CHECK_FALSE(directory::admin::add_account(k_admin, file, {"Budi!", {Role::auditor}, "kata-sandi-budi"}));
    CHECK_FALSE(directory::admin::add_account(k_admin, file, {"tanpa", {}, "kata-sandi-budi"}));
}

TEST_CASE("accounts: a file others may read, or with a bad line, is refused naming the file and line") {
    TempFolder folder;
    const fs::path file = folder.path / "accounts";
    auto hash = directory::admin::hash_password("kata-sandi-budi");
    REQUIRE(hash);
    write_file(file, "budi:ra_operator:" + *hash + "\n", 0644);
    auto open_to_all = directory::admin::load_accounts(file.string());
    REQUIRE_FALSE(open_to_all);
    CHECK(open_to_all.error().message.find("chmod 600") != std::string::npos);

    for (const std::string& line : std::vector<std::string>{"budi:ra_operator", "budi:tukang_kebun:" + *hash, "budi::" + *hash,
                                    "budi:auditor:$2y$10$bcrypt", "Budi:auditor:" + *hash}) {
        write_file(file, "# comment\n\n" + line + "\n", 0600);
        auto loaded = directory::admin::load_accounts(file.string());
        INFO(line);
        REQUIRE_FALSE(loaded);
        CHECK(loaded.error().message.find(file.string() + ":3") != std::string::npos);
    }
    write_file(file, "budi:auditor:" + *hash + "\nbudi:auditor:" + *hash + "\n", 0600);
    CHECK_FALSE(directory::admin::load_accounts(file.string()));
    CHECK(directory::admin::load_accounts((folder.path / "none").string())->empty());
}

TEST_CASE("sessions: a token per login, forgotten after the idle limit or when closed") {
    web::SessionStore sessions(std::chrono::minutes(30));
    const auto t0 = web::Clock::now();
    const std::string token = sessions.open("budi", {Role::auditor}, t0);
    CHECK(token.size() == 64);
    auto used = sessions.use(token, t0 + std::chrono::minutes(29));
    REQUIRE(used);
    CHECK(used->csrf.size() == 64);
    CHECK(used->csrf != token);
    CHECK(sessions.use(token, t0 + std::chrono::minutes(58))); // used at 29: idle 29 minutes
    CHECK_FALSE(sessions.use(token, t0 + std::chrono::minutes(89)));
    CHECK_FALSE(sessions.use(token, t0)); // gone for good
    const std::string other = sessions.open("sari", {Role::ra_operator}, t0);
    sessions.close_login("sari");
    CHECK_FALSE(sessions.use(other, t0));
    CHECK(web::same_token(token, token));
    CHECK_FALSE(web::same_token(token, other));
    CHECK_FALSE(web::same_token(token, token.substr(1)));
}

TEST_CASE("login limiter: paused after the allowed failures, longer each time, cleared by a success") {
    web::LoginLimiter limiter(3);
    const auto t0 = web::Clock::now();
    for (int i = 0; i < 2; ++i)
        limiter.failed("login:budi", t0);
    CHECK(limiter.wait_seconds("login:budi", t0) == 0);
    limiter.failed("login:budi", t0);
    CHECK(limiter.wait_seconds("login:budi", t0) == 30);
    limiter.failed("login:budi", t0 + std::chrono::seconds(31));
    CHECK(limiter.wait_seconds("login:budi", t0 + std::chrono::seconds(31)) == 60);
    CHECK(limiter.wait_seconds("login:sari", t0) == 0);
    limiter.succeeded("login:budi");
    CHECK(limiter.wait_seconds("login:budi", t0 + std::chrono::seconds(31)) == 0);
}

TEST_CASE("html: every character that could open markup or leave an attribute is escaped") {
    CHECK(web::escape("<script>alert('x') & \"y\"</script>") ==
          "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    CHECK(web::escape("Dinas Pendidikan") == "Dinas Pendidikan");
}

TEST_CASE("RA cases record the reasons of the README's table") {
    using directory::RevocationReason;
    CHECK(web::find_ra_case("mutasi_rotasi")->reason == RevocationReason::affiliation_changed);
    CHECK(web::find_ra_case("pensiun_berhenti")->reason == RevocationReason::cessation);
    CHECK(web::find_ra_case("perubahan_data")->reason == RevocationReason::superseded);
    CHECK(web::find_ra_case("kunci_hilang")->reason == RevocationReason::key_compromise);
    CHECK(web::find_ra_case("sanksi")->reason == RevocationReason::privilege_withdrawn);
    CHECK(web::find_ra_case("ditangguhkan")->reason == RevocationReason::certificate_hold);
    CHECK_FALSE(web::find_ra_case("dipecat"));
}

TEST_CASE("incidents come from the audit log, and their latest status entry decides their status") {
    using directory::AuditEntry;
    const auto at = std::chrono::system_clock::now();
    std::vector<AuditEntry> entries = {
        {1, at, "admin:budi", "import", "fingerprint=aa", ""},
        {2, at, "segel-milter", "incident", directory::incident_detail("signing_refused", "login=eko; from=eko@x"), ""},
        {3, at, "web:sari", "status", "web revoke: fingerprint=bb; status=revoked; reason=key_compromise; rfc5280=1", ""},
        {4, at, "web:sari", "status", "web revoke: fingerprint=cc; status=revoked; reason=affiliation_changed", ""},
        {5, at, "segel-milter", "decrypt", "from=a; to=b; serial=1; released=no", ""},
        {6, at, "web:sari", "incident_status",
         directory::incident_status_detail(2, directory::IncidentStatus::handled, "login dibetulkan; eko dihubungi"), ""},
        {7, at, "web:sari", "incident_status", directory::incident_status_detail(99, directory::IncidentStatus::handled, "x"),
         ""},
    };
    const auto incidents = directory::incidents_from(entries);
    REQUIRE(incidents.size() == 3);
    CHECK(incidents[0].seq == 5);
    CHECK(incidents[0].kind == "decryption_not_released");
    CHECK(incidents[1].kind == "key_compromise");
    CHECK(incidents[1].status == directory::IncidentStatus::open);
    CHECK(incidents[2].kind == "signing_refused");
    CHECK(incidents[2].status == directory::IncidentStatus::handled);
    CHECK(incidents[2].note == "login dibetulkan; eko dihubungi");
    CHECK(incidents[2].handled_by == "web:sari");
}
