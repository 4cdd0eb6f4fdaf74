// The operator tool's settings: defaults, and one failing case per rule.
#include <catch2/catch.hpp>

#include "config/command_line.hpp"
#include "test_support.hpp"

using namespace segel;

namespace {
config::ParseOutcome parse_with(const std::string& file_content, std::vector<std::string> extra = {}) {
    static test::TempDir dir;
    static int counter = 0;
    const auto path = dir / ("segel-" + std::to_string(++counter) + ".conf");
    test::write_file(path, file_content);
    std::vector<std::string> args = {"segel", "config", "show", "--config", path.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<const char*> argv;
    for (const auto& a : args)
        argv.push_back(a.c_str());
    return config::parse_command_line(static_cast<int>(argv.size()), argv.data());
}
} // namespace

TEST_CASE("an empty settings file gives the documented defaults", "[config]") {
    const auto outcome = parse_with("");
    REQUIRE(outcome.command.has_value());
    const auto& s = std::get<config::ConfigShow>(*outcome.command).settings;
    CHECK(s.directory.database == "/var/lib/segel/directory.sqlite");
    CHECK(s.directory.master_key_file == "/etc/segel/master.key");
    CHECK(s.directory.domains == std::vector<std::string>{"tangerangkota.go.id"});
    CHECK(s.remind.days == std::vector<int>{30, 14, 3});
    CHECK(s.remind.language == "id");
    CHECK(s.crl.max_age_hours == 168);
}

TEST_CASE("the example settings file parses to the defaults", "[config]") {
    const auto outcome = parse_with(config::example_tool_settings());
    REQUIRE(outcome.command.has_value());
    CHECK(std::get<config::ConfigShow>(*outcome.command).settings.remind.days == std::vector<int>{30, 14, 3});
}

TEST_CASE("command-line options override the file", "[config]") {
    const auto outcome = parse_with("[directory]\ndatabase = /a.sqlite\ndomain = a.go.id\n",
                                    {"--database", "/b.sqlite", "--domain", "B.go.id", "--domain", "c.go.id"});
    REQUIRE(outcome.command.has_value());
    const auto& s = std::get<config::ConfigShow>(*outcome.command).settings;
    CHECK(s.directory.database == "/b.sqlite");
    CHECK(s.directory.domains == std::vector<std::string>{"b.go.id", "c.go.id"});
}

TEST_CASE("each invalid setting is named with file and option", "[config]") {
    const auto [content, problem] = GENERATE(table<std::string, std::string>({
        {"[directory]\ndomain = not a domain\n", "directory.domain: \"not a domain\" is not a domain name"},
        {"[directory]\ndatabase =\n", "directory.database: is empty"},
        {"[directory]\nmaster_key =\n", "directory.master_key: is empty"},
        {"[crl]\nmax_age_hours = 0\n", "crl.max_age_hours: must be from 1 to 8784"},
        {"[remind]\ndays = 30, -1\n", "remind.days: \"-1\""},
        {"[remind]\ndays = \n", "remind.days: at least one threshold is needed"},
        {"[remind]\nadmin = not-an-address\n", "remind.admin: \"not-an-address\" is not an email address"},
        {"[remind]\nfrom = nobody\n", "remind.from: \"nobody\" is not an email address"},
        {"[remind]\nlanguage = fr\n", "remind.language: \"fr\" is neither id nor en"},
        {"[directory]\ncolour = blue\n", "colour"},
    }));
    const auto outcome = parse_with(content);
    INFO(content);
    REQUIRE_FALSE(outcome.command.has_value());
    REQUIRE_FALSE(outcome.config_problems.empty());
    CHECK_THAT(outcome.config_problems.front(), Catch::Contains(".conf: ") && Catch::Contains(problem));
}

TEST_CASE("a settings file that cannot be read is named", "[config]") {
    const char* argv[] = {"segel", "config", "show", "--config", "/nonexistent/segel.conf"};
    const auto outcome = config::parse_command_line(5, argv);
    REQUIRE_FALSE(outcome.config_problems.empty());
    CHECK_THAT(outcome.config_problems.front(), Catch::Contains("/nonexistent/segel.conf: cannot be read"));
}

TEST_CASE("segel's options holding a Boost placeholder such as %value% are named, not looped on (fuzz)", "[config]") {
    const char* argv[] = {"segel", "directory", "expiring", "--days", "%value%"};
    const auto outcome = config::parse_command_line(5, argv);
    CHECK_FALSE(outcome.command.has_value());
    CHECK_THAT(outcome.error, Catch::Contains("%25value%25"));
    const auto from_file = parse_with("[crl]\nmax_age_hours = %value%\n");
    CHECK_FALSE(from_file.command.has_value());
    CHECK_THAT(from_file.error, Catch::Contains("%25value%25") && Catch::Contains("crl.max_age_hours"));
}

TEST_CASE("[web]: defaults, a listen address with its port, and each invalid value named", "[config]") {
    const auto defaults = std::get<config::ConfigShow>(*parse_with("").command).settings.web;
    CHECK(defaults.listen_address == "127.0.0.1");
    CHECK(defaults.listen_port == 8443);
    CHECK(defaults.accounts == "/etc/segel/admin-accounts");
    CHECK(defaults.session_minutes == 30);
    CHECK(defaults.certificate.empty());
    const auto set = parse_with("[web]\nlisten = 10.1.2.3:9443\nsession_minutes = 15\nlanguage = en\n"
                                "certificate = /c.pem\nkey = /k.pem\n");
    REQUIRE(set.command.has_value());
    const auto& web = std::get<config::ConfigShow>(*set.command).settings.web;
    CHECK(web.listen_address == "10.1.2.3");
    CHECK(web.listen_port == 9443);
    CHECK(web.language == "en");
    for (const auto& [line, option] : std::vector<std::pair<std::string, std::string>>{
             {"listen = 127.0.0.1", "web.listen"},
             {"listen = 127.0.0.1:70000", "web.listen"},
             {"certificate = /c.pem", "web.certificate and web.key"},
             {"session_minutes = 0", "web.session_minutes"},
             {"login_attempts = 1000", "web.login_attempts"},
             {"language = fr", "web.language"}}) {
        const auto outcome = parse_with("[web]\n" + line + "\n");
        INFO(line);
        REQUIRE_FALSE(outcome.command.has_value());
        REQUIRE_FALSE(outcome.config_problems.empty());
        CHECK_THAT(outcome.config_problems.front(), Catch::Contains(option));
    }
}

TEST_CASE("segel-admin takes --listen over web.listen and refuses a bad one", "[config]") {
    static test::TempDir dir;
    const auto path = dir / "segel.conf";
    test::write_file(path, "[web]\nlisten = 127.0.0.1:8000\n");
    const std::string file = path.string();
    const char* good[] = {"segel-admin", "--config", file.c_str(), "--listen", "[::1]:9000"};
    const auto outcome = config::parse_admin_command_line(5, good);
    REQUIRE(outcome.settings.has_value());
    CHECK(outcome.settings->web.listen_address == "::1");
    CHECK(outcome.settings->web.listen_port == 9000);
    const char* bad[] = {"segel-admin", "--config", file.c_str(), "--listen", "nowhere"};
    const auto refused = config::parse_admin_command_line(5, bad);
    CHECK_FALSE(refused.settings.has_value());
    CHECK_THAT(refused.error, Catch::Contains("--listen"));
    const char* help[] = {"segel-admin", "--help"};
    CHECK(config::parse_admin_command_line(2, help).help);
}
