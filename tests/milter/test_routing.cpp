// Routing (issue 11): every combination of login, {daemon_name}, sender and
// settings gives one direction (PF-03, PF-04).
#include <catch2/catch.hpp>

#include "milter/routing.hpp"

using segel::config::FailureAction;
using segel::config::MilterSettings;
using segel::milter::Direction;
using segel::milter::route;
using segel::milter::SessionFacts;

namespace {
SessionFacts facts(const std::string& login, const std::string& daemon, const std::string& sender = "a@x.example") {
    SessionFacts f;
    f.auth_login = login;
    f.daemon_name = daemon;
    f.envelope_sender = sender;
    return f;
}
} // namespace

TEST_CASE("routing by default: SMTP AUTH is outbound, no AUTH inbound when there is something to check",
          "[routing]") {
    MilterSettings settings;
    for (const bool verify : {false, true})
        for (const auto rule : {FailureAction::pass, FailureAction::reject, FailureAction::tempfail,
                                FailureAction::quarantine}) {
            settings.verify.enabled = verify;
            settings.policy.unauthenticated_internal_from = rule;
            INFO("verify=" << verify << " rule=" << segel::config::to_string(rule));
            CHECK(route(facts("alice", ""), settings).direction == Direction::outbound);
            CHECK(route(facts("alice", "smtpd"), settings).direction == Direction::outbound);
            const Direction unauthenticated = verify || rule != FailureAction::pass ? Direction::inbound
                                                                                     : Direction::untouched;
            CHECK(route(facts("", ""), settings).direction == unauthenticated);
            CHECK(route(facts("", "smtpd"), settings).direction == unauthenticated);
        }
}

TEST_CASE("PF-04: a bounce is untouched in every direction and service", "[routing]") {
    MilterSettings settings;
    settings.verify.enabled = true;
    settings.routing.outbound_services = {"submission"};
    settings.routing.inbound_services = {"smtp"};
    for (const char* login : {"", "alice"})
        for (const char* daemon : {"", "submission", "smtp", "other"}) {
            INFO(login << " " << daemon);
            const auto decided = route(facts(login, daemon, ""), settings);
            CHECK(decided.direction == Direction::untouched);
            CHECK(decided.reason == "bounce (null sender)");
        }
}

TEST_CASE("routing per Postfix service ({daemon_name}) overrides the AUTH default", "[routing]") {
    MilterSettings settings;
    settings.verify.enabled = true;
    settings.routing.outbound_services = {"submission"};
    settings.routing.inbound_services = {"smtp"};
    settings.routing.untouched_services = {"internal-relay"};
    // Outbound service: outbound even without AUTH (the pipeline then
    // refuses to sign: PF-03).
    CHECK(route(facts("", "submission"), settings).direction == Direction::outbound);
    CHECK(route(facts("alice", "submission"), settings).direction == Direction::outbound);
    // Inbound service: inbound even with AUTH.
    CHECK(route(facts("alice", "smtp"), settings).direction == Direction::inbound);
    CHECK(route(facts("", "smtp"), settings).direction == Direction::inbound);
    // Untouched service: untouched whatever the session.
    CHECK(route(facts("alice", "internal-relay"), settings).direction == Direction::untouched);
    CHECK(route(facts("", "internal-relay"), settings).direction == Direction::untouched);
    // A service in no list follows the default.
    CHECK(route(facts("alice", "other"), settings).direction == Direction::outbound);
    CHECK(route(facts("", "other"), settings).direction == Direction::inbound);
    CHECK(route(facts("", "other"), settings).reason == "no SMTP AUTH");
    CHECK(route(facts("alice", "submission"), settings).reason == "service submission is outbound");
}

TEST_CASE("an inbound service with nothing to check passes untouched", "[routing]") {
    MilterSettings settings;
    settings.verify.enabled = false;
    settings.routing.inbound_services = {"smtp"};
    // With AUTH the internal-From rule does not apply; without, it is pass.
    CHECK(route(facts("alice", "smtp"), settings).direction == Direction::untouched);
    CHECK(route(facts("", "smtp"), settings).direction == Direction::untouched);
    settings.policy.unauthenticated_internal_from = FailureAction::reject;
    CHECK(route(facts("", "smtp"), settings).direction == Direction::inbound);
    CHECK(route(facts("alice", "smtp"), settings).direction == Direction::untouched);
}

TEST_CASE("envelope addresses lose their angle brackets only", "[routing]") {
    CHECK(segel::milter::envelope_address("<alice@x.example>") == "alice@x.example");
    CHECK(segel::milter::envelope_address("<>").empty());
    CHECK(segel::milter::envelope_address("alice@x.example") == "alice@x.example");
    CHECK(segel::milter::envelope_address(nullptr).empty());
}

TEST_CASE("the encryption and decryption hops are routed by their service names, with or without AUTH", "[routing]") {
    MilterSettings settings;
    settings.verify.enabled = true;
    settings.routing.encrypt_services = {"segel-encrypt"};
    settings.routing.decrypt_services = {"segel-decrypt"};
    for (const char* login : {"", "alice"}) {
        CHECK(route(facts(login, "segel-encrypt"), settings).direction == Direction::encrypt);
        const auto decrypt = route(facts(login, "segel-decrypt"), settings);
        CHECK(decrypt.direction == Direction::decrypt);
        CHECK(decrypt.reason == "service segel-decrypt is the decryption hop");
    }
    CHECK(route(facts("", "segel-decrypt", ""), settings).direction == Direction::untouched); // a bounce
}
