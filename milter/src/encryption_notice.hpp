// The words a sender reads when a message could not go encrypted to a
// recipient (issue 12 item 8): the SMTP reply of the encryption hop, which
// Postfix puts into its delivery status notice to the sender. Indonesian
// first, then English: the recipient, the reason (no certificate, expired,
// revoked, untrusted, key usage, ...) and what to do. SMTP-safe ASCII
// (RFC 5321 §4.2; no '%', MLT-08).
#pragma once

#include <string>
#include <vector>

#include "directory/encryption_plan.hpp"

namespace segel::milter {

std::vector<std::string> encryption_refusal_notice(const directory::RecipientPlan& plan);

} // namespace segel::milter
