// segel-milter's settings file: the [verify] clock skew (CH-10) and EKU policy (CH-07) are
// read, range-checked with file and option named, and shown by --check-config.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "config/milter_settings.hpp"
#include "test_support.hpp"

using namespace segel;

namespace {
config::MilterSettingsOutcome parse_milter_with(const std::string& verify_section) {
    static test::TempDir dir;
    test::write_file(dir / "directory.sqlite", "");
    test::write_file(dir / "master.key", "");
    ::chmod((dir / "master.key").c_str(), 0600);
    const auto path = dir / "segel-milter.conf";
    test::write_file(path, "[milter]\ntemp_dir = " + dir.path().string() + "\n[directory]\ndatabase = " +
                               (dir / "directory.sqlite").string() + "\nmaster_key = " + (dir / "master.key").string() +
                               "\n[verify]\n" + verify_section);
    const std::string config = path.string();
    const char* argv[] = {"segel-milter", "--config", config.c_str()};
    return config::parse_milter_command_line(3, argv);
}
} // namespace

TEST_CASE("verify.clock_skew_minutes defaults to 5 and is read from the file (CH-10)", "[config][milter]") {
    const auto defaults = parse_milter_with("");
    INFO((defaults.problems.empty() ? std::string() : defaults.problems.front()));
    REQUIRE(defaults.settings.has_value());
    CHECK(defaults.settings->verify.clock_skew_minutes == 5);
    const auto set = parse_milter_with("clock_skew_minutes = 30\n");
    REQUIRE(set.settings.has_value());
    CHECK(set.settings->verify.clock_skew_minutes == 30);
    CHECK_THAT(config::format_milter_settings(*set.settings), Catch::Contains("clock_skew_minutes = 30\n"));
}

TEST_CASE("verify.clock_skew_minutes out of range is named with its file (CH-10)", "[config][milter]") {
    const auto outcome = parse_milter_with("clock_skew_minutes = 2000\n");
    CHECK_FALSE(outcome.settings.has_value());
    REQUIRE(outcome.problems.size() == 1);
    CHECK_THAT(outcome.problems.front(),
               Catch::Contains("segel-milter.conf") && Catch::Contains("verify.clock_skew_minutes: must be from 0 to 1440"));
}

TEST_CASE("verify.eku_policy defaults to RFC 8550's any-eku and takes the other two names (CH-07, ID-07)", "[config][milter]") {
    const auto defaults = parse_milter_with("");
    REQUIRE(defaults.settings.has_value());
    CHECK(defaults.settings->verify.eku_policy == "any-eku");
    for (const std::string name : {"absent-ok", "email-protection"}) {
        const auto set = parse_milter_with("eku_policy = " + name + "\n");
        REQUIRE(set.settings.has_value());
        CHECK(set.settings->verify.eku_policy == name);
        CHECK_THAT(config::format_milter_settings(*set.settings), Catch::Contains("eku_policy = " + name + "\n"));
    }
    const auto bad = parse_milter_with("eku_policy = anyEKU\n");
    CHECK_FALSE(bad.settings.has_value());
    REQUIRE(bad.problems.size() == 1);
    CHECK_THAT(bad.problems.front(), Catch::Contains("verify.eku_policy: \"anyEKU\" is none of"));
}

TEST_CASE("verify.crl_url takes http and https URLs only and needs a writable cache directory (REV-05, CH-11)",
          "[config][milter]") {
    static test::TempDir cache;
    const auto good = parse_milter_with("enabled = on\nanchors = /etc/hostname\ncrl_url = http://crl.example/ca.crl\n"
                                        "crl_issuers = /etc/hostname\n"
                                        "crl_url = https://crl.example/ca2.crl\ncrl_cache_dir = " + cache.path().string() +
                                        "\ncrl_refresh_minutes = 30\ncrl_max_kilobytes = 2048\n");
    INFO((good.problems.empty() ? std::string() : good.problems.front()));
    REQUIRE(good.settings.has_value());
    CHECK(good.settings->verify.crl_urls.size() == 2);
    CHECK(good.settings->verify.crl_refresh_minutes == 30);
    CHECK_THAT(config::format_milter_settings(*good.settings),
               Catch::Contains("crl_url = https://crl.example/ca2.crl\n") && Catch::Contains("crl_max_kilobytes = 2048\n") &&
                   Catch::Contains("crl_issuers = /etc/hostname\n"));
    const auto bad = parse_milter_with("enabled = on\nanchors = /etc/hostname\ncrl_url = ldap://crl.example/ca\n"
                                       "crl_cache_dir = /nonexistent/segel\ncrl_fetch_timeout_seconds = 0\n"
                                       "crl_issuers = /nonexistent/ca.pem\n");
    CHECK_FALSE(bad.settings.has_value());
    REQUIRE(bad.problems.size() == 4);
    CHECK_THAT(bad.problems[0], Catch::Contains("verify.crl_url: \"ldap://crl.example/ca\" is not an http:// or https:// URL"));
    CHECK_THAT(bad.problems[1], Catch::Contains("verify.crl_issuers: \"/nonexistent/ca.pem\" cannot be read"));
    CHECK_THAT(bad.problems[2], Catch::Contains("verify.crl_cache_dir"));
    CHECK_THAT(bad.problems[3], Catch::Contains("verify.crl_fetch_timeout_seconds: must be from 1 to 300"));
}

TEST_CASE("verify.ocsp_url, ocsp_nonce and ocsp_responder_cert are read and checked (REV-02, ID-07)", "[config][milter]") {
    const auto defaults = parse_milter_with("");
    REQUIRE(defaults.settings.has_value());
    CHECK(defaults.settings->verify.ocsp_url.empty());
    CHECK(defaults.settings->verify.ocsp_nonce);
    const auto set = parse_milter_with("ocsp_url = http://ocsp.example/\nocsp_nonce = off\nocsp_timeout_seconds = 5\n");
    REQUIRE(set.settings.has_value());
    CHECK(set.settings->verify.ocsp_url == "http://ocsp.example/");
    CHECK_FALSE(set.settings->verify.ocsp_nonce);
    CHECK_THAT(config::format_milter_settings(*set.settings), Catch::Contains("ocsp_nonce = off\n"));
    const auto bad = parse_milter_with("ocsp_url = ftp://ocsp.example/\nocsp_responder_cert = /nonexistent.pem\n");
    CHECK_FALSE(bad.settings.has_value());
    REQUIRE(bad.problems.size() == 2);
    CHECK_THAT(bad.problems[0], Catch::Contains("verify.ocsp_url"));
    CHECK_THAT(bad.problems[1], Catch::Contains("verify.ocsp_responder_cert"));
}

TEST_CASE("verify.require_crl is on once a crl or crl_url is given, unless set off (REV-01)", "[config][milter]") {
    static test::TempDir cache;
    const std::string prefix = "enabled = on\nanchors = /etc/hostname\ncrl_cache_dir = " + cache.path().string() + "\n";
    const auto none = parse_milter_with(prefix);
    REQUIRE(none.settings.has_value());
    CHECK_FALSE(none.settings->verify.require_crl);
    const auto with_url = parse_milter_with(prefix + "crl_url = http://crl.example/ca.crl\n");
    REQUIRE(with_url.settings.has_value());
    CHECK(with_url.settings->verify.require_crl);
    const auto turned_off = parse_milter_with(prefix + "crl_url = http://crl.example/ca.crl\nrequire_crl = off\n");
    REQUIRE(turned_off.settings.has_value());
    CHECK_FALSE(turned_off.settings->verify.require_crl);
}

TEST_CASE("routing settings name Postfix services per direction, each once", "[config][milter][routing]") {
    const auto set = parse_milter_with("[routing]\noutbound_service = submission\noutbound_service = smtps\n"
                                       "inbound_service = smtp\nuntouched_service = relay-in\n");
    INFO((set.problems.empty() ? std::string() : set.problems.front()));
    REQUIRE(set.settings.has_value());
    CHECK(set.settings->routing.outbound_services == std::vector<std::string>{"submission", "smtps"});
    CHECK(set.settings->routing.inbound_services == std::vector<std::string>{"smtp"});
    CHECK(set.settings->routing.untouched_services == std::vector<std::string>{"relay-in"});
    CHECK_THAT(config::format_milter_settings(*set.settings),
               Catch::Contains("[routing]\noutbound_service = submission\noutbound_service = smtps\n"
                               "inbound_service = smtp\nuntouched_service = relay-in\n"));
    const auto twice = parse_milter_with("[routing]\noutbound_service = smtp\ninbound_service = smtp\n");
    CHECK_FALSE(twice.settings.has_value());
    REQUIRE(twice.problems.size() == 1);
    CHECK_THAT(twice.problems.front(), Catch::Contains("routing.inbound_service: \"smtp\" is given a direction twice"));
}

TEST_CASE("directory.url names the directory as sqlite:PATH or postgresql://, database still works, never both", "[config][milter]") {
    test::TempDir dir;
    test::write_file(dir / "directory.sqlite", "");
    test::write_file(dir / "master.key", "");
    ::chmod((dir / "master.key").c_str(), 0600);
    const auto parse = [&](const std::string& directory_lines) {
        const auto path = dir / "segel-milter.conf";
        test::write_file(path, "[milter]\ntemp_dir = " + dir.path().string() + "\n[directory]\n" + directory_lines +
                                   "master_key = " + (dir / "master.key").string() + "\n");
        const std::string config = path.string();
        const char* argv[] = {"segel-milter", "--config", config.c_str()};
        return config::parse_milter_command_line(3, argv);
    };
    const std::string file = (dir / "directory.sqlite").string();
    const auto by_url = parse("url = sqlite:" + file + "\n");
    INFO((by_url.problems.empty() ? std::string() : by_url.problems.front()));
    REQUIRE(by_url.settings.has_value());
    CHECK(by_url.settings->directory.database == "sqlite:" + file);
    CHECK_THAT(config::format_milter_settings(*by_url.settings), Catch::Contains("url = sqlite:" + file + "\n"));
    const auto by_path = parse("database = " + file + "\n");
    REQUIRE(by_path.settings.has_value());
    CHECK(by_path.settings->directory.database == file);
    const auto both = parse("database = " + file + "\nurl = sqlite:" + file + "\n");
    CHECK_FALSE(both.settings.has_value());
    const auto missing = parse("url = sqlite:" + (dir / "none.sqlite").string() + "\n");
    REQUIRE_FALSE(missing.settings.has_value());
    CHECK_THAT(missing.problems.front(), Catch::Contains("none.sqlite cannot be read"));
    const auto other = parse("url = mysql://segel@localhost/segel\n");
    REQUIRE_FALSE(other.settings.has_value());
    CHECK_THAT(other.problems.front(), Catch::Contains("names a backend Segel does not have"));
    // A shared directory: reached when the daemon opens it; its pool and timeouts are checked here.
    const auto shared = parse("url = postgresql://segel@db.example.go.id/segel?sslmode=verify-full\n"
                              "pool_size = 16\ntimeout_ms = 2500\n");
    INFO((shared.problems.empty() ? std::string() : shared.problems.front()));
    REQUIRE(shared.settings.has_value());
    CHECK(shared.settings->directory.pool_size == 16);
    CHECK(shared.settings->directory.timeout_ms == 2500);
    CHECK_THAT(config::format_milter_settings(*shared.settings),
               Catch::Contains("url = postgresql://segel@db.example.go.id/segel?sslmode=verify-full\n") &&
                   Catch::Contains("pool_size = 16\ntimeout_ms = 2500\n"));
    const auto bad_pool = parse("url = postgresql:///segel\npool_size = 0\ntimeout_ms = 5\n");
    REQUIRE_FALSE(bad_pool.settings.has_value());
    CHECK_THAT(bad_pool.problems.front(), Catch::Contains("directory.pool_size: must be from 1 to 200"));
    CHECK_THAT(bad_pool.problems.back(), Catch::Contains("directory.timeout_ms: must be from 100 to 600000"));
}

TEST_CASE("encryption settings: off by default with the two subject tags, anchors needed once encryption is used",
          "[config][milter][encryption]") {
    const auto defaults = parse_milter_with("");
    REQUIRE(defaults.settings.has_value());
    CHECK_FALSE(defaults.settings->encryption.enabled);
    CHECK_FALSE(defaults.settings->encrypts());
    CHECK(defaults.settings->encryption.subject_tags == std::vector<std::string>{"[rahasia]", "[encrypt]"});
    CHECK(defaults.settings->encryption.single_recipient_direct);

    // Settings only check that the file can be read; the daemon loads it.
    test::TempDir dir;
    const std::string anchors = (dir / "anchors.pem").string();
    test::write_file(anchors, "");
    const auto set = parse_milter_with("[encryption]\nenabled = on\nsubject_tag = [RAHASIA]\nanchors = " + anchors +
                                       "\nsingle_recipient_direct = off\n[routing]\nencrypt_service = segel-encrypt\n");
    INFO((set.problems.empty() ? std::string() : set.problems.front()));
    REQUIRE(set.settings.has_value());
    CHECK(set.settings->encryption.enabled);
    CHECK(set.settings->checks_revocation());
    CHECK(set.settings->encryption.subject_tags == std::vector<std::string>{"[RAHASIA]"});
    CHECK(set.settings->routing.encrypt_services == std::vector<std::string>{"segel-encrypt"});
    CHECK_FALSE(set.settings->encryption.single_recipient_direct);
    CHECK_THAT(config::format_milter_settings(*set.settings),
               Catch::Contains("encrypt_service = segel-encrypt") && Catch::Contains("[encryption]\nenabled = on") &&
                   Catch::Contains("subject_tag = [RAHASIA]"));

    // The hop alone, without any anchors file: named.
    const auto no_anchors = parse_milter_with("[routing]\nencrypt_service = segel-encrypt\n");
    CHECK_FALSE(no_anchors.settings.has_value());
    REQUIRE_FALSE(no_anchors.problems.empty());
    CHECK_THAT(no_anchors.problems.front(), Catch::Contains("encryption.anchors") && Catch::Contains("cannot be read"));
    // The verification anchors serve when encryption.anchors is not given.
    CHECK(parse_milter_with("anchors = " + anchors + "\n[encryption]\nenabled = on\n").settings.has_value());
}

TEST_CASE("a value or option name holding a Boost placeholder such as %value% is named, not looped on (fuzz)",
          "[config][milter]") {
    // Boost.Program_options builds its message by replacing "%value%" until none is left:
    // a value that contains the placeholder made what() loop for ever (found by fuzz_settings).
    const auto bad_value = parse_milter_with("clock_skew_minutes = argument ('%value%')\n");
    CHECK_FALSE(bad_value.settings.has_value());
    REQUIRE(bad_value.problems.size() == 1);
    CHECK_THAT(bad_value.problems.front(),
               Catch::Contains("segel-milter.conf") && Catch::Contains("%25value%25") &&
                   Catch::Contains("verify.clock_skew_minutes"));
    const auto bad_name = parse_milter_with("%canonical_option% = 1\n");
    REQUIRE(bad_name.problems.size() == 1);
    CHECK_THAT(bad_name.problems.front(), Catch::Contains("%25canonical_option%25"));
    const char* argv[] = {"segel-milter", "--%canonical_option%", "%value%"};
    const auto command_line = config::parse_milter_command_line(3, argv);
    REQUIRE(command_line.problems.size() == 1);
    CHECK_THAT(command_line.problems.front(), Catch::Contains("command line") && Catch::Contains("%25canonical_option%25"));
}

TEST_CASE("decryption settings: off by default, keep_encrypted and pass, checked with file and option named (DEC-02, "
          "DEC-07)",
          "[config][milter]") {
    const auto defaults = parse_milter_with("");
    REQUIRE(defaults.settings.has_value());
    CHECK_FALSE(defaults.settings->decryption.enabled);
    CHECK(defaults.settings->decryption.unprotected == "keep_encrypted");
    CHECK(defaults.settings->decryption.on_failure == config::FailureAction::pass);
    CHECK(defaults.settings->decryption.max_failures_per_hour == 20);
    CHECK_THAT(config::format_milter_settings(*defaults.settings),
               Catch::Contains("[decryption]\nenabled = off\nunprotected = keep_encrypted\non_failure = pass\n"));

    const auto set = parse_milter_with("enabled = on\nanchors = /dev/null\n[decryption]\nenabled = on\nunprotected = mark\n"
                                       "on_failure = quarantine\nmax_failures_per_hour = 5\nmax_recipient_infos = 8\n");
    INFO((set.problems.empty() ? std::string() : set.problems.front()));
    REQUIRE(set.settings.has_value());
    CHECK(set.settings->decryption.enabled);
    CHECK(set.settings->decryption.unprotected == "mark");
    CHECK(set.settings->decryption.on_failure == config::FailureAction::quarantine);
    CHECK(set.settings->decryption.max_failures_per_hour == 5);
    CHECK(set.settings->decryption.max_recipient_infos == 8);

    const auto bad = parse_milter_with("[decryption]\nenabled = on\nunprotected = open\non_failure = tempfail\n"
                                       "max_recipient_infos = 0\n");
    CHECK_FALSE(bad.settings.has_value());
    const std::string all = [&] {
        std::string text;
        for (const auto& p : bad.problems)
            text += p + "\n";
        return text;
    }();
    CHECK_THAT(all, Catch::Contains("decryption.enabled: needs verify.enabled = on"));
    CHECK_THAT(all, Catch::Contains("decryption.unprotected: \"open\" is neither keep_encrypted nor mark"));
    CHECK_THAT(all, Catch::Contains("decryption.on_failure: must be pass, quarantine or reject"));
    CHECK_THAT(all, Catch::Contains("decryption.max_recipient_infos: must be from 1 to 10000"));
}
