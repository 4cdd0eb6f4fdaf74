#include "milter/routing.hpp"

#include <algorithm>

namespace segel::milter {

namespace {
bool listed(const std::vector<std::string>& services, const std::string& name) {
    return !name.empty() && std::find(services.begin(), services.end(), name) != services.end();
}

Route inbound(const SessionFacts& facts, const config::MilterSettings& settings, std::string reason) {
    const bool internal_from_rule = facts.auth_login.empty() &&
                                    settings.policy.unauthenticated_internal_from != config::FailureAction::pass;
    if (!settings.verify.enabled && !internal_from_rule)
        return {Direction::untouched, reason + ", nothing to check (verification is off)"};
    return {Direction::inbound, std::move(reason)};
}
} // namespace

const char* to_string(Direction direction) noexcept {
    switch (direction) {
    case Direction::outbound: return "outbound";
    case Direction::inbound: return "inbound";
    case Direction::untouched: return "untouched";
    case Direction::encrypt: return "encrypt";
    case Direction::decrypt: return "decrypt";
    }
    return "untouched";
}

Route route(const SessionFacts& facts, const config::MilterSettings& settings) {
    const auto& routing = settings.routing;
    if (listed(routing.untouched_services, facts.daemon_name))
        return {Direction::untouched, "service " + facts.daemon_name + " is untouched"};
    if (facts.envelope_sender.empty())
        return {Direction::untouched, "bounce (null sender)"};
    if (listed(routing.encrypt_services, facts.daemon_name))
        return {Direction::encrypt, "service " + facts.daemon_name + " is the encryption hop"};
    if (listed(routing.decrypt_services, facts.daemon_name))
        return {Direction::decrypt, "service " + facts.daemon_name + " is the decryption hop"};
    if (listed(routing.outbound_services, facts.daemon_name))
        return {Direction::outbound, "service " + facts.daemon_name + " is outbound"};
    if (listed(routing.inbound_services, facts.daemon_name))
        return inbound(facts, settings, "service " + facts.daemon_name + " is inbound");
    if (!facts.auth_login.empty())
        return {Direction::outbound, "SMTP AUTH"};
    return inbound(facts, settings, "no SMTP AUTH");
}

std::string envelope_address(const char* argument) {
    std::string address = argument != nullptr ? argument : "";
    if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
        address = address.substr(1, address.size() - 2);
    return address;
}

} // namespace segel::milter
