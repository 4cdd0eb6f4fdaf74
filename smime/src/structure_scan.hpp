// A count, before GMime builds a tree, of what a message's lines could make
// into MIME entities: every delimiter line of a declared boundary and every
// Content-Type field. GMime builds one object per entity and keeps the whole
// tree, so a message of a million empty parts costs gigabytes unless it is
// refused before parsing (SM-16, SEC-07). The counts are upper bounds: lines
// that only look like delimiters or fields in a text body count too, so a
// message within the caps is never refused by this scan.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace segel::smime {

struct StructureCount {
    std::size_t delimiter_lines = 0;    // "--b" or "--b--" for any declared b
    std::size_t content_type_lines = 0; // lines starting "Content-Type" (any case)
};

// Counts up to `cap` + 1 of each, then stops reading. When given,
// `done_before(offset)` is called every few MiB with the offset of the first
// byte not yet read, so a caller can let go of what lies before it.
StructureCount count_structure(std::string_view message, std::size_t cap,
                               const std::function<void(std::size_t)>& done_before = {});

} // namespace segel::smime
