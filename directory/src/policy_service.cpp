// DirectoryService: encryption policy rules (encryption_policy.hpp).
#include "audit_chain.hpp"
#include "directory/directory_service.hpp"

namespace segel::directory {

namespace {

template <class Enum>
std::string field_text(const std::optional<Enum>& value) {
    return value ? to_string(*value) : "inherit";
}

std::string describe(const PolicyRule& rule) {
    return "scope=" + rule.scope + "; mode=" + field_text(rule.mode) + "; cipher=" + field_text(rule.cipher) +
           "; key_transport=" + field_text(rule.key_transport);
}

} // namespace

Result<std::vector<PolicyRule>> DirectoryService::policy_rules() {
    auto session = this->session();
    if (!session)
        return session.error();
    return (*session)->policy_rules();
}

Result<PolicyRule> DirectoryService::set_policy_rule(const PolicyRule& rule, const Actor& actor) {
    auto scope = normalise_policy_scope(rule.scope);
    if (!scope)
        return scope.error();
    if (!rule.mode && !rule.cipher && !rule.key_transport)
        return make_error(ErrorKind::invalid_input, "nothing to set for " + *scope + ": give a mode, a cipher or a key transport");
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    auto rules = s.policy_rules();
    if (!rules)
        return rules.error();
    PolicyRule merged;
    merged.scope = *scope;
    for (const auto& existing : *rules)
        if (existing.scope == *scope)
            merged = existing;
    if (rule.mode)
        merged.mode = rule.mode;
    if (rule.cipher)
        merged.cipher = rule.cipher;
    if (rule.key_transport)
        merged.key_transport = rule.key_transport;
    merged.set_at = std::chrono::system_clock::now();
    merged.set_by = actor.name;
    if (auto stored = s.put_policy_rule(merged); !stored)
        return stored.error();
    if (auto logged = audit::append(s, actor, "policy_set", describe(merged)); !logged)
        return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    return merged;
}

Result<void> DirectoryService::remove_policy_rule(std::string_view scope_text, const Actor& actor) {
    auto scope = normalise_policy_scope(scope_text);
    if (!scope)
        return scope.error();
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    auto removed = s.delete_policy_rule(*scope);
    if (!removed)
        return removed.error();
    if (!*removed)
        return make_error(ErrorKind::not_found, "no encryption policy is set for " + *scope);
    if (auto logged = audit::append(s, actor, "policy_remove", "scope=" + *scope); !logged)
        return logged.error();
    return s.commit();
}

Result<void> DirectoryService::remember_capabilities(const smime::Address& sender,
                                                    const smime::AdvertisedAlgorithms& advertised, TimePoint at) {
    auto session = write_session();
    if (!session)
        return session.error();
    if (auto stored = (*session)->put_capabilities(sender.key(), advertised, at); !stored)
        return stored;
    return (*session)->commit();
}

Result<std::optional<smime::AdvertisedAlgorithms>> DirectoryService::remembered_capabilities(
    const smime::Address& address) {
    auto session = this->session();
    if (!session)
        return session.error();
    return (*session)->capabilities(address.key());
}

Result<ResolvedPolicy> DirectoryService::policy_for(const smime::Address& recipient) {
    auto rules = policy_rules();
    if (!rules)
        return rules.error();
    return resolve_policy(*rules, recipient);
}

} // namespace segel::directory
