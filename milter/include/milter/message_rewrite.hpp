// The one generic rewrite: applies a final MimeEntity to the message the
// MTA holds (the entity's origin). Fields the entity removed go, highest
// index first (PF-07); added fields are appended; a replaced body is sent
// as one contiguous run after every header edit (PF-08). Returns false as
// soon as the MTA refuses an edit (the caller tempfails the message).
#pragma once

#include <cstddef>

#include "milter/mta_actions.hpp"
#include "smime/mime_entity.hpp"

namespace segel::milter {

bool apply_rewrite(const smime::MimeEntity& entity, MtaActions& mta, std::size_t chunk_bytes);

} // namespace segel::milter
