// Routing: which way a message goes, decided once at MAIL FROM from the
// session facts and the settings, with nothing else (a pure function, so
// every combination is tested without libmilter).
//
// Order: a service listed as untouched passes; a bounce (null sender) is
// never signed (PF-04) nor read; a service listed as the encryption hop,
// outbound or inbound takes that direction; otherwise SMTP AUTH means outbound (PF-03) and its
// absence inbound. Inbound mail with nothing to do (verification off, and
// no rule about an unauthenticated internal From) passes without being
// read. The Postfix service name is the {daemon_name} macro, which Postfix
// sends with the connect macros (master.cf: -o milter_macro_daemon_name=).
#pragma once

#include <string>
#include <vector>

#include "config/milter_settings.hpp"

namespace segel::milter {

// What libmilter told us about the session and the message so far.
struct SessionFacts {
    std::string queue_id;
    std::string auth_login;              // {auth_authen}; empty: not authenticated
    std::string daemon_name;             // {daemon_name}: the Postfix service
    std::string client_address;          // {client_addr}
    std::string envelope_sender;         // MAIL FROM without brackets; empty: bounce
    std::vector<std::string> recipients; // RCPT TO addresses without brackets, in order
};

// encrypt: the encryption hop, where Postfix hands back signed mail one
// recipient per transaction, after alias expansion (encryption_pipeline.hpp).
// decrypt: the decryption hop, where Postfix hands back encrypted inbound
// mail one recipient per transaction, after alias expansion
// (inbound_decryption.hpp).
enum class Direction { outbound, inbound, untouched, encrypt, decrypt };
const char* to_string(Direction direction) noexcept;

struct Route {
    Direction direction = Direction::untouched;
    std::string reason; // plain words for the log
};

Route route(const SessionFacts& facts, const config::MilterSettings& settings);

// RCPT TO's first argument without its angle brackets.
std::string envelope_address(const char* argument);

} // namespace segel::milter
