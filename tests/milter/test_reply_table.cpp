// The reply table (issue 11): every outcome of both directions gives its
// configured action and wording; inbound wording never speaks of signing;
// nothing else sets a reply.
#include <catch2/catch.hpp>

#include <vector>

#include "milter/reply_table.hpp"

using namespace segel;
using config::FailureAction;
using milter::InboundOutcome;
using milter::OutboundOutcome;
using milter::Verdict;

namespace {

class RecordingMta final : public milter::MtaActions {
public:
    std::vector<std::string> added;
    std::string reply, held;
    bool hold_works = true;
    bool add_header(const std::string& name, const std::string& value) override {
        added.push_back(name + ": " + value);
        return true;
    }
    bool insert_header(int, const std::string&, const std::string&) override { return true; }
    bool change_header(const std::string&, int, const std::optional<std::string>&) override { return true; }
    bool replace_body(std::string_view) override { return true; }
    bool set_reply(const std::string& rcode, const std::string& xcode, const std::string& text) override {
        reply = rcode + " " + xcode + " " + text;
        return true;
    }
    bool quarantine(const std::string& reason) override {
        held = reason;
        return hold_works;
    }
};

const std::vector<OutboundOutcome> k_outbound_failures = {
    OutboundOutcome::no_certificate,        OutboundOutcome::not_authorised, OutboundOutcome::certificate_unusable,
    OutboundOutcome::unsignable_message,    OutboundOutcome::directory_unavailable,
    OutboundOutcome::internal_error,        OutboundOutcome::unauthenticated_internal_from};

FailureAction& slot(config::MilterSettings& s, OutboundOutcome outcome) {
    switch (outcome) {
    case OutboundOutcome::no_certificate: return s.policy.no_certificate;
    case OutboundOutcome::not_authorised: return s.policy.not_authorised;
    case OutboundOutcome::certificate_unusable: return s.policy.certificate_unusable;
    case OutboundOutcome::unsignable_message: return s.policy.unsignable_message;
    case OutboundOutcome::directory_unavailable: return s.policy.directory_unavailable;
    case OutboundOutcome::unauthenticated_internal_from: return s.policy.unauthenticated_internal_from;
    default: return s.policy.internal_error;
    }
}

} // namespace

TEST_CASE("outbound: every failure outcome follows its own [policy] setting", "[reply]") {
    for (const auto outcome : k_outbound_failures) {
        const std::string name = milter::to_string(outcome);
        INFO(name);
        for (const auto action : {FailureAction::tempfail, FailureAction::reject, FailureAction::pass,
                                  FailureAction::quarantine}) {
            config::MilterSettings settings;
            // Every other outcome gets a different action, so a wrong row shows.
            for (const auto other : k_outbound_failures)
                slot(settings, other) = action == FailureAction::reject ? FailureAction::pass : FailureAction::reject;
            slot(settings, outcome) = action;
            RecordingMta mta;
            const Verdict verdict = milter::respond(outcome, settings, mta);
            switch (action) {
            case FailureAction::tempfail:
                CHECK(verdict == Verdict::tempfail);
                CHECK_THAT(mta.reply, Catch::StartsWith("451 4.7.0 "));
                break;
            case FailureAction::reject:
                CHECK(verdict == Verdict::reject);
                CHECK_THAT(mta.reply, Catch::StartsWith("550 5.7.1 "));
                break;
            case FailureAction::pass:
                CHECK(verdict == Verdict::accept);
                CHECK(mta.reply.empty());
                CHECK(mta.added == std::vector<std::string>{"X-Segel-Unsigned: " + name});
                break;
            case FailureAction::quarantine:
                CHECK(verdict == Verdict::quarantine);
                CHECK(mta.held == "Segel: not signed: " + name);
                CHECK(mta.added == std::vector<std::string>{"X-Segel-Unsigned: " + name});
                break;
            }
            CHECK_THAT(mta.reply, !Catch::Contains("@") && !Catch::Contains("%"));
        }
    }
}

TEST_CASE("outbound and inbound success outcomes accept and set nothing", "[reply]") {
    config::MilterSettings settings;
    for (const auto outcome : {OutboundOutcome::signed_message, OutboundOutcome::not_ours}) {
        RecordingMta mta;
        CHECK(milter::respond(outcome, settings, mta) == Verdict::accept);
        CHECK((mta.reply.empty() && mta.added.empty() && mta.held.empty()));
    }
    for (const auto outcome : {InboundOutcome::verified, InboundOutcome::not_checked}) {
        settings.verify.on_fail = FailureAction::reject;
        settings.verify.on_temperror = FailureAction::reject;
        RecordingMta mta;
        CHECK(milter::respond(outcome, settings, mta) == Verdict::accept);
        CHECK((mta.reply.empty() && mta.added.empty() && mta.held.empty()));
    }
}

TEST_CASE("inbound: stamped verdicts follow on_fail and on_temperror in inbound words", "[reply][inbound]") {
    struct Row {
        InboundOutcome outcome;
        FailureAction config::VerifySettings::*setting;
        const char* refusal;
        const char* held;
    };
    const Row rows[] = {
        {InboundOutcome::signature_failed, &config::VerifySettings::on_fail,
         "550 5.7.1 The message's S/MIME signature is not valid", "Segel: smime=fail"},
        {InboundOutcome::signature_unreadable, &config::VerifySettings::on_fail,
         "550 5.7.1 The message's S/MIME signature cannot be checked", "Segel: smime=permerror"},
        {InboundOutcome::verification_temperror, &config::VerifySettings::on_temperror,
         "550 5.7.1 The message's S/MIME signature could not be checked", "Segel: smime=temperror"},
    };
    for (const auto& row : rows) {
        INFO(milter::to_string(row.outcome));
        config::MilterSettings settings;
        settings.verify.on_fail = settings.verify.on_temperror = FailureAction::pass;
        RecordingMta passed;
        CHECK(milter::respond(row.outcome, settings, passed) == Verdict::accept);
        CHECK((passed.reply.empty() && passed.added.empty()));

        settings.verify.*row.setting = FailureAction::reject;
        RecordingMta rejected;
        CHECK(milter::respond(row.outcome, settings, rejected) == Verdict::reject);
        CHECK_THAT(rejected.reply, Catch::StartsWith(row.refusal));

        settings.verify.*row.setting = FailureAction::tempfail;
        RecordingMta deferred;
        CHECK(milter::respond(row.outcome, settings, deferred) == Verdict::tempfail);
        CHECK(deferred.reply == "451 4.7.0 The message's S/MIME signature cannot be checked now, please try again later");

        settings.verify.*row.setting = FailureAction::quarantine;
        RecordingMta held;
        CHECK(milter::respond(row.outcome, settings, held) == Verdict::quarantine);
        CHECK(held.held == row.held);
        CHECK(held.added.empty()); // no "unsigned" field on inbound mail

        RecordingMta not_held;
        not_held.hold_works = false;
        CHECK(milter::respond(row.outcome, settings, not_held) == Verdict::tempfail);
        CHECK(not_held.reply == "451 4.7.0 The message cannot be held for review now, please try again later");
    }
}

TEST_CASE("inbound failures of ours and the internal-From rule answer in inbound words", "[reply][inbound]") {
    config::MilterSettings settings;
    RecordingMta unavailable;
    CHECK(milter::respond(InboundOutcome::verification_unavailable, settings, unavailable) == Verdict::tempfail);
    CHECK(unavailable.reply == "451 4.7.0 The message cannot be checked now, please try again later");
    settings.policy.internal_error = FailureAction::quarantine;
    RecordingMta held;
    CHECK(milter::respond(InboundOutcome::verification_unavailable, settings, held) == Verdict::quarantine);
    CHECK(held.added.empty());
    CHECK(held.held == "Segel: not checked: verification_unavailable");

    settings.policy.unauthenticated_internal_from = FailureAction::reject;
    RecordingMta refused;
    CHECK(milter::respond(InboundOutcome::unauthenticated_internal_from, settings, refused) == Verdict::reject);
    CHECK(refused.reply == "550 5.7.1 Mail from this domain must be sent with authentication");
    for (const auto outcome : {InboundOutcome::signature_failed, InboundOutcome::signature_unreadable,
                               InboundOutcome::verification_temperror, InboundOutcome::verification_unavailable}) {
        settings.verify.on_fail = settings.verify.on_temperror = settings.policy.internal_error = FailureAction::tempfail;
        RecordingMta mta;
        milter::respond(outcome, settings, mta);
        CHECK_THAT(mta.reply, !Catch::Contains("Sign") && !Catch::Contains("sign "));
    }
}

TEST_CASE("session answers come from the table too", "[reply]") {
    const auto restarting = milter::session_reply(milter::SessionEvent::restarting);
    CHECK(std::string(restarting.rcode) + " " + restarting.xcode == "451 4.3.2");
    const auto local = milter::session_reply(milter::SessionEvent::local_problem);
    CHECK(std::string(local.rcode) + " " + local.xcode + " " + local.text ==
          "451 4.3.0 Temporary local problem, please try again later");
}
