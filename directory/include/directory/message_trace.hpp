// The message trace: what segel-milter decided for each message and why
// (signed with which certificate, refused for which reason, encrypted,
// verified with which verdict), kept for the RA's web page to search by
// Message-ID, queue id, sender, recipient or date, and pruned after a
// retention period. Operational records, not audit entries: the daemon
// writes them in batches, off the reply path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "directory/model.hpp"

namespace segel::directory {

struct TraceRecord {
    TimePoint at;
    std::string queue_id;    // Postfix's, or "NOQUEUE"
    std::string message_id;  // the Message-ID header field's value, as given
    std::string direction;   // outbound, inbound, encrypt, decrypt
    std::string decision;    // the outcome's name (the reply table's)
    std::string action;      // accept, tempfail, reject, discard ...
    std::string login;       // SMTP AUTH login, "" when none
    std::string sender;      // the From address, "" when none
    std::vector<std::string> recipients; // the envelope's
    std::string serial;      // the certificate involved, "" when none
    std::string reason;      // in words
};

struct TraceQuery {
    std::string text;                 // part of the Message-ID, queue id, sender or a recipient; "": any
    std::optional<TimePoint> since;   // at or after
    std::optional<TimePoint> until;   // before
    int limit = 200;                  // newest first; 0: all, oldest first (copying a site)
};

} // namespace segel::directory
