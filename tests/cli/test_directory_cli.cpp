// The directory, sync, audit, report and remind commands as an RA
// administrator runs them.
#include <catch2/catch.hpp>

#include <filesystem>

#include <sys/stat.h>

#include "crl_builder.hpp"
#include "external_verifiers.hpp"
#include "postgres_test_server.hpp"
#include "test_support.hpp"

using namespace segel::test;

namespace {

// A demo user's PKCS#12 copied into `folder`, readable by its owner alone.
void copy_p12(const std::string& user, const TempDir& folder) {
    const auto path = folder / (user + ".p12");
    write_file(path, read_file(pki_file(user + ".p12")));
    ::chmod(path.c_str(), 0600);
}

struct Cli {
    TempDir dir;
    std::string config_path = (dir / "segel.conf").string();

    Cli() {
        write_file(dir / "segel.conf", "[directory]\ndatabase = " + (dir / "db" / "directory.sqlite").string() +
                                           "\nmaster_key = " + (dir / "master.key").string() +
                                           "\ndomain = tangerangkota.go.id\n[crl]\nissuer = " +
                                           pki_file("issuing.pem").string() + "\n[remind]\ndays = 30, 14, 3\n"
                                           "admin = ra-admin@tangerangkota.go.id\nsendmail = " +
                                           (dir / "fake-sendmail").string() + "\n");
        // A sendmail that records its arguments and the message.
        write_file(dir / "fake-sendmail", "#!/bin/sh\necho \"$@\" >> " + (dir / "sendmail.args").string() +
                                              "\ncat >> " + (dir / "sendmail.out").string() + "\n");
        ::chmod((dir / "fake-sendmail").c_str(), 0755);
    }

    ProcessResult run(std::vector<std::string> args, const std::string& input = {}) const {
        args.insert(args.begin(), SEGEL_BIN);
        args.push_back("--config");
        args.push_back(config_path);
        return run_process(args, input);
    }

    void init_and_import(const std::vector<std::string>& users) const {
        REQUIRE(run({"directory", "init"}).exit_code == 0);
        for (const auto& user : users) {
            const auto imported = run({"directory", "import", "--passphrase-file", pki_file("p12-passphrase").string(),
                                       "--unit", "Diskominfo", pki_file(user + ".p12").string()});
            INFO(imported.err);
            REQUIRE(imported.exit_code == 0);
        }
    }

    std::string serial_of(const std::string& user) const {
        return demo_identity(user).certificate().serial_hex();
    }
};

} // namespace

TEST_CASE("directory init creates the folder, database and master key with tight modes, and can run again",
          "[cli][directory]") {
    Cli cli;
    const auto first = cli.run({"directory", "init"});
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    struct stat st {};
    REQUIRE(::stat((cli.dir / "db").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0750);
    REQUIRE(::stat((cli.dir / "db" / "directory.sqlite").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    REQUIRE(::stat((cli.dir / "master.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto second = cli.run({"directory", "init"});
    CHECK(second.exit_code == 0);
    CHECK_THAT(second.out, Catch::Contains("is ready"));
}

TEST_CASE("import one PKCS#12 file and a folder in bulk, list, search and show them", "[cli][directory]") {
    Cli cli;
    cli.init_and_import({"alice"});
    TempDir bulk;
    for (const char* user : {"bambang", "citra", "dewi"})
        copy_p12(user, bulk);
    const auto imported = cli.run({"directory", "import", "--passphrase-file", pki_file("p12-passphrase").string(),
                                   bulk.path().string()});
    INFO(imported.err);
    REQUIRE(imported.exit_code == 0);
    CHECK_THAT(imported.out, Catch::Contains("citra@tangerangkota.go.id") && Catch::Contains("imported"));

    const auto listed = cli.run({"directory", "list"});
    REQUIRE(listed.exit_code == 0);
    for (const char* user : {"alice", "bambang", "citra", "dewi"})
        CHECK_THAT(listed.out, Catch::Contains(std::string(user) + "@tangerangkota.go.id"));
    const auto json = cli.run({"directory", "list", "--json"});
    CHECK_THAT(json.out, Catch::StartsWith("[{\"fingerprint\": ") && Catch::Contains("\"serial\": \"" + cli.serial_of("dewi") + "\""));
    const auto found = cli.run({"directory", "search", "Citra"});
    CHECK_THAT(found.out, Catch::Contains("citra@") && !Catch::Contains("dewi@"));
    const auto shown = cli.run({"directory", "show", cli.serial_of("alice")});
    CHECK_THAT(shown.out, Catch::Contains("may sign:    alice@tangerangkota.go.id") &&
                              Catch::Contains("private key: stored, sealed") && Catch::Contains("Diskominfo"));
}

TEST_CASE("a bulk import with one outside address imports nothing", "[cli][directory]") {
    Cli cli;
    REQUIRE(cli.run({"directory", "init"}).exit_code == 0);
    TempDir bulk;
    for (const char* user : {"alice", "luar"})
        copy_p12(user, bulk);
    const auto imported = cli.run({"directory", "import", "--passphrase-file", pki_file("p12-passphrase").string(),
                                   bulk.path().string()});
    CHECK(imported.exit_code == 65);
    CHECK_THAT(imported.err, Catch::Contains("luar@example.com is outside the internal domains; nothing was imported"));
    CHECK_THAT(cli.run({"directory", "list"}).out, !Catch::Contains("alice@"));
}

TEST_CASE("authorise, unauthorise, revoke and expiring", "[cli][directory]") {
    Cli cli;
    cli.init_and_import({"alice", "eko"});
    const std::string serial = cli.serial_of("alice");
    CHECK(cli.run({"directory", "authorise", serial, "sekretaris"}).exit_code == 0);
    CHECK_THAT(cli.run({"directory", "show", serial}).out, Catch::Contains("sekretaris"));
    CHECK(cli.run({"directory", "unauthorise", serial, "sekretaris"}).exit_code == 0);
    CHECK(cli.run({"directory", "unauthorise", serial, "sekretaris"}).exit_code == 65);

    const auto revoked = cli.run({"directory", "revoke", serial, "--reason", "pensiun", "--effective", "2026-01-05"});
    INFO(revoked.err);
    CHECK(revoked.exit_code == 0);
    CHECK_THAT(revoked.out, Catch::Contains("cessation_of_operation (RFC 5280 code 5)"));
    CHECK_THAT(cli.run({"directory", "show", serial}).out, Catch::Contains("revoked (cessation_of_operation)"));
    CHECK(cli.run({"directory", "revoke", serial, "--reason", "pensiun"}).exit_code == 65);
    CHECK(cli.run({"directory", "revoke", serial, "--reason", "bosan"}).exit_code == 64);

    cli.init_and_import({"bambang"});
    const auto soon = cli.run({"directory", "expiring", "--days", "800"});
    CHECK_THAT(soon.out, Catch::Contains("bambang@") && !Catch::Contains("eko@") && !Catch::Contains(serial + " "));
    CHECK_THAT(cli.run({"directory", "expiring", "--days", "30"}).out, !Catch::Contains("bambang@"));
}

TEST_CASE("sync ra: dry run writes nothing, apply prints changes, a second apply changes nothing", "[cli][sync]") {
    Cli cli;
    cli.init_and_import({"alice", "bambang"});
    write_file(cli.dir / "ra.csv", "nip,email,name,unit,kind,status,reason,effective_date,certificate\n"
                                   "198001012005011001,alice@tangerangkota.go.id,Alice Rahmawati,Bappeda,individual,"
                                   "revoked,kunci_hilang,2026-11-20," + cli.serial_of("alice") + "\n"
                                   "197001012000011001,gita@tangerangkota.go.id,Gita Permata,Dinas Perhubungan,,,,,\n");
    const std::string audit_before = cli.run({"audit", "list"}).out;
    const auto dry = cli.run({"sync", "ra", (cli.dir / "ra.csv").string(), "--dry-run"});
    INFO(dry.err);
    CHECK(dry.exit_code == 0);
    CHECK_THAT(dry.out, Catch::Contains("would change: certificate " + cli.serial_of("alice")) &&
                            Catch::Contains("key_compromise, RFC 5280 code 1") && Catch::Contains("dry run"));
    CHECK(cli.run({"audit", "list"}).out == audit_before);

    const auto applied = cli.run({"sync", "ra", (cli.dir / "ra.csv").string()});
    CHECK(applied.exit_code == 0);
    CHECK_THAT(applied.out, Catch::Contains("3 changes applied"));
    CHECK_THAT(cli.run({"directory", "show", cli.serial_of("alice")}).out, Catch::Contains("revoked (key_compromise)"));
    const auto again = cli.run({"sync", "ra", (cli.dir / "ra.csv").string()});
    CHECK_THAT(again.out, Catch::Contains("no changes"));
}

TEST_CASE("sync ra: a malformed file is rejected whole, naming the line", "[cli][sync]") {
    Cli cli;
    cli.init_and_import({"alice"});
    write_file(cli.dir / "ra.csv", "nip,email,name,unit,kind,status,reason,effective_date,certificate\n"
                                   "1,alice@tangerangkota.go.id,Alice,Bappeda,,active,,," + cli.serial_of("alice") + "\n"
                                   "2,bambang@tangerangkota.go.id,Bambang,Setda,,revoked,,,1001\n");
    const auto rejected = cli.run({"sync", "ra", (cli.dir / "ra.csv").string()});
    CHECK(rejected.exit_code == 65);
    CHECK_THAT(rejected.err, Catch::Contains("ra.csv:3: a revocation needs a reason") && Catch::Contains("nothing was changed"));
    CHECK_THAT(cli.run({"directory", "show", cli.serial_of("alice")}).out, Catch::Contains("Diskominfo"));
}

TEST_CASE("sync crl applies the configured issuer's CRL", "[cli][sync]") {
    Cli cli;
    cli.init_and_import({"alice", "bambang"});
    CrlSpec spec;
    spec.revoked = {{cli.serial_of("bambang"), 9}};
    spec.issuer_cert_pem = pki_file("issuing.pem").string();
    spec.signer_key_pem = pki_file("issuing.key.pem").string();
    write_crl(spec, (cli.dir / "bsre.crl").string());
    const auto synced = cli.run({"sync", "crl", (cli.dir / "bsre.crl").string()});
    INFO(synced.err);
    CHECK(synced.exit_code == 0);
    CHECK_THAT(synced.out, Catch::Contains("1 revoked serials, 1 of them in the directory") &&
                               Catch::Contains("privilege_withdrawn, RFC 5280 code 9"));
    CHECK_THAT(cli.run({"sync", "crl", (cli.dir / "bsre.crl").string()}).out, Catch::Contains("no changes"));
}

TEST_CASE("sync crl reads every CRL of a PEM bundle and refuses a file with a certificate in it", "[cli][sync]") {
    Cli cli;
    cli.init_and_import({"alice", "bambang"});
    CrlSpec root_crl;
    root_crl.issuer_cert_pem = pki_file("root.pem").string();
    root_crl.signer_key_pem = pki_file("root.key.pem").string();
    write_crl(root_crl, (cli.dir / "root.crl").string());
    CrlSpec issuing;
    issuing.issuer_cert_pem = pki_file("issuing.pem").string();
    issuing.signer_key_pem = pki_file("issuing.key.pem").string();
    issuing.revoked = {{cli.serial_of("alice"), 1}};
    write_crl(issuing, (cli.dir / "a.crl").string());
    issuing.revoked = {{cli.serial_of("bambang"), 3}};
    write_crl(issuing, (cli.dir / "b.crl").string());
    const std::string bundle =
        read_file(cli.dir / "root.crl") + read_file(cli.dir / "a.crl") + read_file(cli.dir / "b.crl");
    write_file(cli.dir / "mixed.pem", bundle + read_file(pki_file("alice.cert.pem")));
    const auto mixed = cli.run({"sync", "crl", (cli.dir / "mixed.pem").string()});
    CHECK(mixed.exit_code == 65);
    CHECK_THAT(mixed.err, Catch::Contains("PEM block 4 is a CERTIFICATE, not a CRL"));
    write_file(cli.dir / "bundle.pem", bundle);
    const auto synced = cli.run({"sync", "crl", (cli.dir / "bundle.pem").string()});
    INFO(synced.err);
    CHECK(synced.exit_code == 0);
    CHECK_THAT(synced.out, Catch::Contains("skipped: ") && Catch::Contains("2 revoked serials, 2 of them in the directory") &&
                               Catch::Contains("key_compromise") && Catch::Contains("affiliation_changed"));
}

TEST_CASE("audit verify passes, then names the first altered entry", "[cli][audit]") {
    Cli cli;
    cli.init_and_import({"alice", "bambang"});
    const auto good = cli.run({"audit", "verify"});
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.out, Catch::Contains("audit log intact: 2 entries"));
    const auto tampered = run_process({"sqlite3", (cli.dir / "db" / "directory.sqlite").string(),
                                       "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1"});
    REQUIRE(tampered.exit_code == 0);
    const auto bad = cli.run({"audit", "verify", "--json"});
    CHECK(bad.exit_code == 65);
    CHECK_THAT(bad.out, Catch::Contains("\"intact\": false") && Catch::Contains("\"first_bad_entry\": 1"));
}

TEST_CASE("report per unit as table, CSV and JSON", "[cli][report]") {
    Cli cli;
    cli.init_and_import({"alice", "bambang"});
    write_file(cli.dir / "ra.csv", "nip,email,name,unit,kind,status,reason,effective_date,certificate\n"
                                   "3,gita@tangerangkota.go.id,Gita,Diskominfo,,,,,\n"
                                   "1,bambang@tangerangkota.go.id,Bambang,Diskominfo,,revoked,sanksi,," +
                                       cli.serial_of("bambang") + "\n");
    REQUIRE(cli.run({"sync", "ra", (cli.dir / "ra.csv").string()}).exit_code == 0);
    const auto table = cli.run({"report", "--days", "800"});
    CHECK(table.exit_code == 0);
    CHECK_THAT(table.out, Catch::Contains("Diskominfo") && Catch::Contains("privilege_withdrawn=1") &&
                              Catch::Contains("gita@tangerangkota.go.id"));
    const auto csv = cli.run({"report", "--format", "csv"});
    CHECK_THAT(csv.out, Catch::StartsWith("UNIT,PEOPLE,ACTIVE,WITHOUT ACTIVE,EXPIRING,REVOKED BY REASON\r\n") &&
                            Catch::Contains("Diskominfo,3,1,2,0,privilege_withdrawn=1"));
    const auto json = cli.run({"report", "--format", "json"});
    CHECK_THAT(json.out, Catch::Contains("\"unit\": \"Diskominfo\", \"people\": 3, \"active_certificates\": 1") &&
                             Catch::Contains("\"revoked_by_reason\": {\"privilege_withdrawn\": 1}"));
}

TEST_CASE("remind sends each due reminder once, in Indonesian, to owner and admin", "[cli][remind]") {
    Cli cli;
    cli.init_and_import({"alice"});
    // With remind.days 30,14,3 a certificate with two years left is not due;
    // a threshold longer than its life makes it due now.
    CHECK_THAT(cli.run({"remind"}).out, Catch::Contains("no reminders are due"));
    std::string settings = read_file(cli.dir / "segel.conf");
    settings.replace(settings.find("days = 30, 14, 3"), 16, "days = 800, 30");
    write_file(cli.dir / "segel.conf", settings);
    const auto dry = cli.run({"remind", "--dry-run"});
    CHECK_THAT(dry.out, Catch::Contains("would remind alice@tangerangkota.go.id") && Catch::Contains("800-day reminder"));
    CHECK_FALSE(std::filesystem::exists(cli.dir / "sendmail.out"));
    const auto sent = cli.run({"remind"});
    INFO(sent.err);
    CHECK(sent.exit_code == 0);
    CHECK_THAT(sent.out, Catch::Contains("reminded alice@tangerangkota.go.id"));
    const std::string mail = read_file(cli.dir / "sendmail.out");
    CHECK_THAT(mail, Catch::Contains("To: alice@tangerangkota.go.id\r\n") &&
                         Catch::Contains("Cc: ra-admin@tangerangkota.go.id\r\n") &&
                         Catch::Contains("Subject: Sertifikat elektronik Anda berakhir pada ") &&
                         Catch::Contains("Silakan ajukan pembaruan"));
    CHECK_THAT(read_file(cli.dir / "sendmail.args"),
               Catch::Contains("-i -f segel@tangerangkota.go.id -- alice@tangerangkota.go.id ra-admin@tangerangkota.go.id"));
    CHECK_THAT(cli.run({"remind"}).out, Catch::Contains("no reminders are due"));
}

TEST_CASE("a bad settings file is named with its option and problem (exit 78)", "[cli][config]") {
    Cli cli;
    write_file(cli.dir / "bad.conf", "[directory]\ndomain = Not A Domain\n[remind]\nlanguage = fr\ndays = 30, zero\n");
    const auto result = run_process({SEGEL_BIN, "directory", "list", "--config", (cli.dir / "bad.conf").string()});
    CHECK(result.exit_code == 78);
    CHECK_THAT(result.err, Catch::Contains("bad.conf: directory.domain: \"not a domain\" is not a domain name") &&
                               Catch::Contains("bad.conf: remind.language: \"fr\" is neither id nor en") &&
                               Catch::Contains("remind.days: \"zero\""));
    write_file(cli.dir / "unknown.conf", "[directory]\ncolour = blue\n");
    const auto unknown = run_process({SEGEL_BIN, "directory", "list", "--config", (cli.dir / "unknown.conf").string()});
    CHECK(unknown.exit_code == 78);
    CHECK_THAT(unknown.err, Catch::Contains("unknown.conf") && Catch::Contains("colour"));
}

TEST_CASE("a user who cannot write the database is told so before anything changes", "[cli][permissions]") {
    Cli cli;
    cli.init_and_import({"alice"});
    // Readable by all, writable by its owner (root) only; run as nobody.
    ::chmod(cli.dir.path().c_str(), 0755);
    ::chmod((cli.dir / "db").c_str(), 0755);
    ::chmod((cli.dir / "db" / "directory.sqlite").c_str(), 0644);
    ::chmod(cli.config_path.c_str(), 0644);
    const auto result = run_process({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", SEGEL_BIN,
                                     "directory", "revoke", cli.serial_of("alice"), "--reason", "mutasi", "--config",
                                     cli.config_path});
    CHECK(result.exit_code == 77);
    CHECK_THAT(result.err, Catch::Contains("cannot write the directory database") &&
                               Catch::Contains("daemon's user or a member of its admin group"));
    CHECK_THAT(cli.run({"directory", "show", cli.serial_of("alice")}).out, Catch::Contains("status:      active"));
}

TEST_CASE("segel directory import refuses a world-readable PKCS#12 or passphrase file with exit 77", "[cli][directory]") {
    Cli cli;
    REQUIRE(cli.run({"directory", "init"}).exit_code == 0);
    TempDir loose;
    write_file(loose / "alice.p12", read_file(pki_file("alice.p12")));
    ::chmod((loose / "alice.p12").c_str(), 0644);
    write_file(loose / "passphrase", read_file(pki_file("p12-passphrase")));
    ::chmod((loose / "passphrase").c_str(), 0644);
    const auto loose_p12 = cli.run({"directory", "import", "--passphrase-file", pki_file("p12-passphrase").string(),
                                    (loose / "alice.p12").string()});
    CHECK(loose_p12.exit_code == 77);
    CHECK_THAT(loose_p12.err, Catch::Contains("alice.p12 is readable by every user") && !Catch::Contains("usage"));
    const auto loose_passphrase = cli.run({"directory", "import", "--passphrase-file", (loose / "passphrase").string(),
                                           pki_file("alice.p12").string()});
    CHECK(loose_passphrase.exit_code == 77);
    CHECK_THAT(loose_passphrase.err, Catch::Contains("--passphrase-file:") && !Catch::Contains("usage"));
    CHECK(std::count(loose_passphrase.err.begin(), loose_passphrase.err.end(), '\n') == 1);
    CHECK_THAT(cli.run({"directory", "list"}).out, !Catch::Contains("alice@")); // nothing imported
}

TEST_CASE("correspondent import reads PEM, DER, .p7c and PKCS#12, lists and removes, leaving CA certificates out",
          "[cli][correspondents]") {
    Cli cli;
    REQUIRE(cli.run({"directory", "init"}).exit_code == 0);
    const std::string der = (cli.dir / "rekan.der").string();
    const std::string p7c = (cli.dir / "mitra.p7c").string();
    REQUIRE(run_process({"openssl", "x509", "-in", pki_file("rekan.cert.pem").string(), "-outform", "DER", "-out", der})
                .exit_code == 0);
    REQUIRE(run_process({"openssl", "crl2pkcs7", "-nocrl", "-certfile", pki_file("mitra.cert.pem").string(), "-certfile",
                         pki_file("chain.pem").string(), "-outform", "DER", "-out", p7c})
                .exit_code == 0);
    copy_p12("luar", cli.dir);
    const auto imported = cli.run({"correspondent", "import", "--passphrase-file", pki_file("p12-passphrase").string(),
                                   p7c, der, (cli.dir / "luar.p12").string()});
    INFO(imported.err);
    REQUIRE(imported.exit_code == 0);
    CHECK_THAT(imported.out, Catch::Contains("mitra@mitra.example") && Catch::Contains("rekan@example.org") &&
                                 Catch::Contains("luar@example.com"));
    CHECK_THAT(imported.out, !Catch::Contains("Demo BSrE CA"));
    const auto again = cli.run({"correspondent", "import", pki_file("mitra.cert.pem").string()});
    CHECK(again.exit_code == 0);
    CHECK_THAT(again.out, Catch::Contains("already present"));

    const auto listed = cli.run({"correspondent", "list", "--json"});
    REQUIRE(listed.exit_code == 0);
    CHECK_THAT(listed.out, Catch::Contains("\"source\": \"operator_import\""));
    const auto found = cli.run({"correspondent", "list", "example.org"});
    CHECK_THAT(found.out, Catch::Contains("rekan@example.org") && !Catch::Contains("mitra@mitra.example"));

    const auto removed = cli.run({"correspondent", "remove", demo_identity("luar").certificate().serial_hex()});
    INFO(removed.err);
    CHECK(removed.exit_code == 0);
    CHECK_THAT(removed.out, Catch::Contains("luar@example.com"));
    CHECK_THAT(cli.run({"correspondent", "list"}).out, !Catch::Contains("luar@example.com"));
    CHECK_THAT(cli.run({"audit", "list"}).out, Catch::Contains("correspondent_remove"));
}

TEST_CASE("correspondent import refuses internal addresses and unreadable files, storing nothing",
          "[cli][correspondents]") {
    Cli cli;
    REQUIRE(cli.run({"directory", "init"}).exit_code == 0);
    const auto internal = cli.run({"correspondent", "import", pki_file("alice-enc.cert.pem").string()});
    CHECK(internal.exit_code == 65);
    CHECK_THAT(internal.err, Catch::Contains("RA directory"));
    write_file(cli.dir / "broken.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    const auto broken = cli.run({"correspondent", "import", pki_file("mitra.cert.pem").string(),
                                 (cli.dir / "broken.pem").string()});
    CHECK(broken.exit_code == 65);
    CHECK_THAT(broken.err, Catch::Contains("broken.pem") && Catch::Contains("nothing was imported"));
    CHECK_THAT(cli.run({"correspondent", "list"}).out, !Catch::Contains("mitra"));
    const auto domain = cli.run({"correspondent", "import", "--for-domain", "mitra.example",
                                 pki_file("rekan.cert.pem").string()});
    CHECK(domain.exit_code == 0);
    CHECK_THAT(cli.run({"correspondent", "list"}).out, Catch::Contains("domain mitra.example"));
}

TEST_CASE("policy set, list, show and unset: the rule in force for an address and where it comes from (issue 12)",
          "[cli][policy]") {
    Cli cli;
    REQUIRE(cli.run({"directory", "init"}).exit_code == 0);
    REQUIRE(cli.run({"correspondent", "import", pki_file("sahabat.cert.pem").string()}).exit_code == 0);
    REQUIRE(cli.run({"policy", "set", "*", "--mode", "opportunistic"}).exit_code == 0);
    const auto set = cli.run({"policy", "set", "*.Example.net", "--mode", "required", "--cipher", "aes256-cbc"});
    INFO(set.err);
    REQUIRE(set.exit_code == 0);
    CHECK_THAT(set.out, Catch::Contains("*.example.net: mode required, cipher aes256-cbc"));

    const auto listed = cli.run({"policy", "list", "--json"});
    REQUIRE(listed.exit_code == 0);
    CHECK_THAT(listed.out, Catch::Contains("\"scope\": \"*.example.net\"") && Catch::Contains("\"key_transport\": null"));

    write_file(cli.dir / "anchors.pem", read_file(pki_file("root.pem")) + read_file(pki_file("issuing.pem")));
    const auto shown = cli.run({"policy", "show", "sahabat@example.net", "--trust", (cli.dir / "anchors.pem").string()});
    INFO(shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("mode:          opportunistic (from *)") && Catch::Contains("now:           encrypt") &&
                              Catch::Contains("aes256-gcm") && Catch::Contains("usable:        serial"));
    const auto refused = cli.run({"policy", "show", "x@a.example.net", "--json"});
    CHECK_THAT(refused.out, Catch::Contains("\"mode\": \"required\"") && Catch::Contains("\"mode_from\": \"*.example.net\"") &&
                                Catch::Contains("\"treatment\": \"refuse\"") && Catch::Contains("\"path_checked\": false"));

    CHECK(cli.run({"policy", "set", "x.example", "--mode", "sometimes"}).exit_code == 64);
    CHECK(cli.run({"policy", "set", "x.example"}).exit_code == 64);
    const auto bad_scope = cli.run({"policy", "set", "not a domain", "--mode", "never"});
    CHECK(bad_scope.exit_code == 65);
    CHECK_THAT(bad_scope.err, Catch::Contains("policy scope"));

    REQUIRE(cli.run({"policy", "unset", "*.example.net"}).exit_code == 0);
    CHECK_THAT(cli.run({"policy", "show", "x@a.example.net"}).out, Catch::Contains("mode:          opportunistic (from *)"));
    CHECK(cli.run({"policy", "unset", "*.example.net"}).exit_code == 65);
    CHECK_THAT(cli.run({"audit", "list"}).out, Catch::Contains("policy_set") && Catch::Contains("policy_remove"));
}

TEST_CASE("msg encrypt signs then encrypts for recipients with usable certificates, refuses a required one without, "
          "writes signed only for an opportunistic one (issue 12)",
          "[cli][policy][encrypt]") {
    Cli cli;
    REQUIRE(cli.run({"directory", "init"}).exit_code == 0);
    for (const char* user : {"mitra", "rekan"})
        REQUIRE(cli.run({"correspondent", "import", pki_file(std::string(user) + ".cert.pem").string()}).exit_code == 0);
    REQUIRE(cli.run({"policy", "set", "*", "--mode", "opportunistic"}).exit_code == 0);
    write_file(cli.dir / "anchors.pem", read_file(pki_file("root.pem")) + read_file(pki_file("issuing.pem")));
    write_file(cli.dir / "in.eml", crlf("From: alice@tangerangkota.go.id\nTo: mitra@mitra.example\nSubject: Rapat\n"
                                        "Message-ID: <cli-encrypt@x>\n\nIsi rahasia.\n"));
    copy_p12("alice", cli.dir);
    const std::vector<std::string> signer = {"--pkcs12", (cli.dir / "alice.p12").string(), "--passphrase-file",
                                             pki_file("p12-passphrase").string(), "--trust",
                                             (cli.dir / "anchors.pem").string(), (cli.dir / "in.eml").string()};
    const auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"msg", "encrypt"});
        args.insert(args.end(), signer.begin(), signer.end());
        return cli.run(args);
    };

    const auto both = with({"--to", "mitra@mitra.example", "--to", "rekan@example.org", "--out", (cli.dir / "out.eml").string()});
    INFO(both.err);
    REQUIRE(both.exit_code == 0);
    const std::string encrypted = read_file(cli.dir / "out.eml");
    CHECK_THAT(encrypted, Catch::Contains("application/pkcs7-mime"));
    for (const char* user : {"mitra", "rekan"}) {
        const auto opened = decrypt_with_openssl(encrypted, user);
        INFO(opened.detail);
        REQUIRE(opened.ok);
        CHECK(verify_with_openssl(opened.content, "alice@tangerangkota.go.id").good);
    }
    CHECK_THAT(cli.run({"audit", "list"}).out, Catch::Contains("to=rekan@example.org") && Catch::Contains("admin:"));

    const auto clear = with({"--to", "mitra@mitra.example", "--to", "nobody@example.net"});
    REQUIRE(clear.exit_code == 0);
    CHECK_THAT(clear.out, Catch::Contains("multipart/signed") && !Catch::Contains("pkcs7-mime"));
    CHECK_THAT(clear.err, Catch::Contains("signed only: nobody@example.net"));

    const auto refused = with({"--to", "mitra@mitra.example", "--to", "nobody@example.net", "--required", "--out",
                               (cli.dir / "refused.eml").string()});
    CHECK(refused.exit_code == 65);
    CHECK_THAT(refused.err, Catch::Contains("nobody@example.net") && Catch::Contains("no certificate is known"));
    CHECK_FALSE(std::filesystem::exists(cli.dir / "refused.eml"));

    CHECK(with({"--to", "mitra@mitra.example", "--crl", (cli.dir / "missing.crl").string()}).exit_code == 64);
    CHECK(cli.run({"msg", "encrypt", "--to", "mitra@mitra.example", (cli.dir / "in.eml").string()}).exit_code == 64);
}

namespace {
const std::string k_outer = "From: Mitra <mitra@mitra.example>\r\nTo: alice@tangerangkota.go.id\r\nSubject: Rahasia\r\n";
const std::string k_entity = crlf("Content-Type: text/plain; charset=utf-8\n\nLaporan rahasia.\n");

// Mitra's signed message to alice, encrypted by the OpenSSL CLI.
std::string encrypted_letter(const std::string& to_user, bool signed_inside = true) {
    return openssl_encrypted_message(k_outer, signed_inside ? openssl_detached_signed(k_entity, {"mitra"}) : k_entity,
                                     {to_user});
}

std::vector<std::string> decrypt_with_file(const std::string& user) {
    return {"msg", "decrypt", "--trust", pki_file("root.pem").string(), "--cert", pki_file(user + ".cert.pem").string(),
            "--key", pki_file(user + ".key.pem").string()};
}
} // namespace

TEST_CASE("segel msg decrypt opens with a key file, verifies inside and shows the stamp (issue 13 item 10)",
          "[cli][decrypt]") {
    Cli cli;
    const auto opened = cli.run(decrypt_with_file("alice-enc"), encrypted_letter("alice-enc"));
    INFO(opened.err);
    REQUIRE(opened.exit_code == 0);
    CHECK_THAT(opened.out, Catch::Contains("Laporan rahasia.") && Catch::Contains("multipart/signed"));
    CHECK(verify_with_openssl(opened.out, "mitra@mitra.example").good);
    CHECK_THAT(opened.err, Catch::Contains("smime=pass (decrypted by the gateway with the key of certificate serial " +
                                           cli.serial_of("alice-enc")));
    CHECK_THAT(opened.err, Catch::Contains("X-Segel-Verifikasi: Didekripsi oleh gateway"));
}

TEST_CASE("segel msg decrypt: the same rules as the gateway: unsigned CBC kept, any failure one line, nested never "
          "opened (DEC-01..DEC-03)",
          "[cli][decrypt]") {
    Cli cli;
    const auto unsigned_cbc = encrypted_letter("alice-enc", false);
    const auto kept = cli.run(decrypt_with_file("alice-enc"), unsigned_cbc);
    CHECK(kept.exit_code == 65);
    CHECK(kept.out.empty());
    CHECK_THAT(kept.err, Catch::Contains("not released") && Catch::Contains("--unprotected mark"));
    auto marked_args = decrypt_with_file("alice-enc");
    marked_args.insert(marked_args.end(), {"--unprotected", "mark"});
    const auto marked = cli.run(marked_args, unsigned_cbc);
    CHECK(marked.exit_code == 0);
    CHECK_THAT(marked.err, Catch::Contains("integrity not protected"));
    CHECK_THAT(marked.out, Catch::Contains("Laporan rahasia."));

    const auto wrong_key = cli.run(decrypt_with_file("bambang-enc"), encrypted_letter("alice-enc"));
    CHECK(wrong_key.exit_code == 65);
    CHECK_THAT(wrong_key.err, Catch::StartsWith("segel: not decrypted (decryption_failed): the message cannot be decrypted"));

    const std::string encrypted = encrypted_letter("alice-enc");
    const std::string nested = k_outer + crlf("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"n\"\n\n--n\n"
                                              "Content-Type: text/plain\n\nLihat lampiran.\n--n\n") +
                               encrypted.substr(encrypted.find("Content-", encrypted.find("MIME-Version"))) +
                               crlf("\n--n--\n");
    const auto not_opened = cli.run(decrypt_with_file("alice-enc"), nested);
    CHECK(not_opened.exit_code == 65);
    CHECK_THAT(not_opened.err, Catch::Contains("never opened"));
}

TEST_CASE("segel msg decrypt --for takes the local user's keys from the directory and audits their use (DEC-04)",
          "[cli][decrypt]") {
    Cli cli;
    cli.init_and_import({"alice", "alice-enc"});
    const std::vector<std::string> args = {"msg", "decrypt", "--trust", pki_file("root.pem").string(), "--for",
                                           "Alice@TangerangKota.go.id"};
    const auto opened = cli.run(args, encrypted_letter("alice-enc"));
    INFO(opened.err);
    REQUIRE(opened.exit_code == 0);
    CHECK_THAT(opened.out, Catch::Contains("Laporan rahasia."));
    const auto audit = cli.run({"audit", "list"});
    CHECK_THAT(audit.out, Catch::Contains("decryption_key_access") && Catch::Contains("released=yes") &&
                              Catch::Contains("segel msg decrypt"));
    // Another user's key is not used for alice's mail, nor alice's for theirs.
    const auto other = cli.run({"msg", "decrypt", "--trust", pki_file("root.pem").string(), "--for",
                                "bambang@tangerangkota.go.id"},
                               encrypted_letter("alice-enc"));
    CHECK(other.exit_code == 65);
}

TEST_CASE("segel correspondent approve names a certificate that is not waiting for approval (issue 13 item 8)",
          "[cli][harvest]") {
    Cli cli;
    cli.init_and_import({"alice"});
    REQUIRE(cli.run({"correspondent", "import", pki_file("mitra.cert.pem").string()}).exit_code == 0);
    const auto approved = cli.run({"correspondent", "approve", cli.serial_of("mitra")});
    CHECK(approved.exit_code != 0);
    CHECK_THAT(approved.err, Catch::Contains("is not waiting for approval"));
    const auto listed = cli.run({"correspondent", "list", "--json"});
    CHECK_THAT(listed.out, Catch::Contains("\"pending\": false"));
}

TEST_CASE("segel directory migrate moves the demo directory to PostgreSQL: same listing and report, the chain verifies",
          "[cli][migrate][postgres]") {
    Cli cli;
    cli.init_and_import({"alice", "bambang", "citra"});
    REQUIRE(cli.run({"directory", "revoke", cli.serial_of("bambang"), "--reason", "mutasi"}).exit_code == 0);
    REQUIRE(cli.run({"directory", "authorise", cli.serial_of("alice"), "sekretaris"}).exit_code == 0);
    const auto list_before = cli.run({"directory", "list"});
    const auto report_before = cli.run({"report", "--format", "csv"});
    REQUIRE(list_before.exit_code == 0);
    REQUIRE(report_before.exit_code == 0);

    const std::string url = postgres::url_of(postgres::create_database());
    const auto moved = cli.run({"directory", "migrate", "--to", url});
    INFO(moved.err);
    REQUIRE(moved.exit_code == 0);
    CHECK_THAT(moved.out, Catch::Contains("certificates 3") && Catch::Contains("sealed private keys 3"));

    const auto list_after = cli.run({"directory", "list", "--database", url});
    const auto report_after = cli.run({"report", "--format", "csv", "--database", url});
    CHECK(list_after.out == list_before.out);
    CHECK(report_after.out == report_before.out);
    const auto verified = cli.run({"audit", "verify", "--database", url});
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.out, Catch::Contains("intact"));
    CHECK_THAT(cli.run({"audit", "list", "--database", url}).out, Catch::Contains("directory_migrate"));

    // A second run finds the target full and changes nothing.
    const auto again = cli.run({"directory", "migrate", "--to", url});
    CHECK(again.exit_code == 65);
    CHECK_THAT(again.err, Catch::Contains("not empty"));
    // A password in the URL is refused before anything is read.
    const auto password = cli.run({"directory", "list", "--database", "postgresql://segel:geheim@localhost/segel"});
    CHECK(password.exit_code != 0);
    CHECK_THAT(password.err, Catch::Contains("password file"));
}

TEST_CASE("account: add, list, password and remove, with bad roles, short or unsafe passwords refused", "[cli][account]") {
    Cli cli;
    write_file(cli.dir / "segel.conf", read_file(cli.config_path) + "[web]\naccounts = " +
                                           (cli.dir / "accounts").string() + "\n");
    write_file(cli.dir / "password", "kata-sandi-budi-1\n");
    ::chmod((cli.dir / "password").c_str(), 0600);
    const std::string password = (cli.dir / "password").string();
    // Account changes are audited: without a directory, none is made.
    CHECK(cli.run({"account", "add", "budi", "--role", "auditor", "--password-file", password}).exit_code == 69);
    REQUIRE(cli.run({"directory", "init"}).exit_code == 0);
    const auto added = cli.run({"account", "add", "budi", "--role", "ra_operator", "--role", "auditor",
                                "--password-file", password});
    INFO(added.err);
    CHECK(added.exit_code == 0);
    CHECK_THAT(cli.run({"account", "list"}).out, Catch::Contains("budi") && Catch::Contains("ra_operator, auditor"));
    CHECK_THAT(read_file(cli.dir / "accounts"), Catch::Contains("budi:ra_operator,auditor:$argon2id$") &&
                                                    !Catch::Contains("kata-sandi-budi-1"));
    CHECK(cli.run({"account", "add", "budi", "--role", "auditor", "--password-file", password}).exit_code == 65);
    const auto role = cli.run({"account", "add", "sari", "--role", "juru_kunci", "--password-file", password});
    CHECK(role.exit_code == 64);
    CHECK_THAT(role.err, Catch::Contains("unknown role 'juru_kunci'"));
    CHECK(cli.run({"account", "add", "sari", "--password-file", password}).exit_code == 64); // no role
    write_file(cli.dir / "short", "pendek\n");
    ::chmod((cli.dir / "short").c_str(), 0600);
    CHECK_THAT(cli.run({"account", "password", "budi", "--password-file", (cli.dir / "short").string()}).err,
               Catch::Contains("at least 12 characters"));
    ::chmod((cli.dir / "short").c_str(), 0644);
    CHECK(cli.run({"account", "password", "budi", "--password-file", (cli.dir / "short").string()}).exit_code == 77);
    const std::string before = read_file(cli.dir / "accounts");
    CHECK(cli.run({"account", "password", "budi", "--password-file", password}).exit_code == 0);
    CHECK(read_file(cli.dir / "accounts") != before);
    CHECK(cli.run({"account", "remove", "budi"}).exit_code == 0);
    CHECK(cli.run({"account", "remove", "budi"}).exit_code == 65);
    CHECK_THAT(cli.run({"audit", "list"}).out, Catch::Contains("account_add") &&
                                                    Catch::Contains("login=budi; roles=ra_operator,auditor") &&
                                                    Catch::Contains("account_password") && Catch::Contains("account_remove"));
    CHECK_THAT(cli.run({"account", "list"}).out, Catch::Contains("no accounts"));
}
