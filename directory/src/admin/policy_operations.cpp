#include "directory/admin/policy_operations.hpp"

#include <chrono>

namespace segel::directory::admin {

OperationResult<PolicyRule> set_policy(DirectoryService& directory, const Operator& person, const PolicyChange& change) {
    if (auto refused = refusal(person, Permission::administer))
        return *refused;
    PolicyRule rule;
    rule.scope = change.scope;
    rule.mode = change.mode;
    rule.cipher = change.cipher;
    rule.key_transport = change.key_transport;
    auto stored = directory.set_policy_rule(rule, audit_actor(person));
    if (!stored)
        return directory_failure(stored.error(), "cannot set the encryption policy of " + change.scope);
    return std::move(stored).value();
}

OperationResult<std::string> remove_policy(DirectoryService& directory, const Operator& person, const std::string& scope) {
    if (auto refused = refusal(person, Permission::administer))
        return *refused;
    auto normalised = normalise_policy_scope(scope);
    if (!normalised)
        return directory_failure(normalised.error(), "cannot remove the encryption policy");
    if (auto removed = directory.remove_policy_rule(*normalised, audit_actor(person)); !removed)
        return directory_failure(removed.error(), "cannot remove the encryption policy of " + *normalised);
    return std::move(normalised).value();
}

OperationResult<std::vector<PolicyRule>> list_policies(DirectoryService& directory, const Operator& person) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto rules = directory.policy_rules();
    if (!rules)
        return directory_failure(rules.error(), "cannot read the encryption policy");
    return std::move(rules).value();
}

OperationResult<PolicyView> show_policy(DirectoryService& directory, const Operator& person, const std::string& address,
                                        const smime::TrustStore* anchors, const std::vector<std::string>& internal_domains) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto parsed = smime::Address::parse(address);
    if (!parsed)
        return Failure{FailureKind::invalid_request, "address " + address + ": " + parsed.error().detail};
    PlanInputs inputs;
    inputs.anchors = anchors;
    inputs.internal_recipient = parsed->domain().is_one_of(internal_domains);
    inputs.now = std::chrono::system_clock::now();
    inputs.skip_path_check = anchors == nullptr;
    auto plan = plan_recipient(directory, directory, *parsed, inputs);
    if (!plan)
        return directory_failure(plan.error(), "cannot show the policy of " + address);
    PolicyView view{*plan, choose_algorithms(*plan), anchors != nullptr};
    return view;
}

} // namespace segel::directory::admin
