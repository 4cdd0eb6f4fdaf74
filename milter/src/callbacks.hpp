// The libmilter callbacks (xxfi_*) and their registration. Each callback is
// a noexcept trampoline: exceptions become a logged SMFIS_TEMPFAIL and never
// cross into libmilter's C frames.
#pragma once

struct smfiDesc;

namespace segel::milter {

// The filter description to pass to smfi_register.
smfiDesc& filter_description();

} // namespace segel::milter
