// Who acts on the directory through an admin operation: a person, the roles
// they hold, and the channel they came through (the segel tool or the web
// page). Operations check the role before they read or change anything, and
// the audit log names the person and the channel. Plain values.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "directory/admin/operation_error.hpp"
#include "directory/certificate_directory.hpp"

namespace segel::directory::admin {

// The RA's roles (Tangerang art. 19, 22): an RA operator keeps certificates
// in step with BSrE, an auditor reads everything and checks the audit log,
// an administrator runs the directory itself (master key, accounts).
enum class Role { ra_operator, auditor, administrator };
enum class Channel { cli, web };

// What an operation needs of its operator.
enum class Permission {
    read,                // certificates, people, reports, the audit log
    change_certificates, // import, revoke, authorise, RA and CRL sync, reminders
    administer,          // create the directory, rotate the master key
};

struct Operator {
    std::string who;      // a login name ("budi")
    std::set<Role> roles; // empty: no rights at all
    Channel channel = Channel::cli;
};

// Anyone with a role may read; changes need an RA operator (or an
// administrator); running the directory needs an administrator.
bool permits(const Operator& person, Permission permission);
// A not_permitted Failure naming the person, or nothing when permitted.
std::optional<Failure> refusal(const Operator& person, Permission permission);

// The audit log's actor: "admin:budi" through the tool (as before the admin
// library existed), "web:budi" through the web page.
Actor audit_actor(const Operator& person);

std::string_view to_string(Role role) noexcept;
std::string_view to_string(Channel channel) noexcept;

} // namespace segel::directory::admin
