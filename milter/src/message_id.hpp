// The Message-ID of a spooled message as the audit log records it (the
// first field's unfolded value, leading white space removed; empty when
// there is none).
#pragma once

#include <string>

#include "smime/message_spool.hpp"

namespace segel::milter {

inline std::string message_id_of(const smime::SpooledMessage& message) {
    std::string id;
    if (const auto ids = message.fields_named("Message-ID"); !ids.empty())
        id = ids.front()->unfolded_value();
    id.erase(0, id.find_first_not_of(" \t"));
    return id;
}

} // namespace segel::milter
