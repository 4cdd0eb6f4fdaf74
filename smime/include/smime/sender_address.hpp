// The one author of a message: RFC 5322 §3.6 allows one From field; we also
// (thread-safe; reads only the spooled header)
// insist on one mailbox in it (SEC-04), since a signature vouches for one
// person.
#pragma once

#include <string>

#include "smime/error.hpp"
#include "smime/message_spool.hpp"

namespace segel::smime {

// The addr-spec (local@domain) of the single From mailbox, or
// ambiguous_sender naming what is wrong.
Result<std::string> single_from_address(const SpooledMessage& message);

// The same for one From field's (unfolded) value, wherever it was found.
Result<std::string> single_mailbox(const std::string& value);

} // namespace segel::smime
