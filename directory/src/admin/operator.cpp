#include "directory/admin/operator.hpp"

namespace segel::directory::admin {

bool permits(const Operator& person, Permission permission) {
    const auto has = [&person](Role role) { return person.roles.count(role) != 0; };
    switch (permission) {
    case Permission::read:
        return !person.roles.empty();
    case Permission::change_certificates:
        return has(Role::ra_operator) || has(Role::administrator);
    case Permission::administer:
        return has(Role::administrator);
    }
    return false;
}

std::optional<Failure> refusal(const Operator& person, Permission permission) {
    if (permits(person, permission))
        return std::nullopt;
    return Failure{FailureKind::not_permitted, "the role of " + person.who + " does not permit this"};
}

Actor audit_actor(const Operator& person) {
    return {std::string(person.channel == Channel::web ? "web:" : "admin:") + person.who};
}

std::string_view to_string(Role role) noexcept {
    switch (role) {
    case Role::ra_operator:
        return "ra_operator";
    case Role::auditor:
        return "auditor";
    case Role::administrator:
        return "administrator";
    }
    return "unknown";
}

std::string_view to_string(Channel channel) noexcept {
    return channel == Channel::web ? "web" : "cli";
}

} // namespace segel::directory::admin
