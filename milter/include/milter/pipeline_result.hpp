// What a pipeline did with one message: its outcome (closed per direction,
// reply_table.hpp), the action the reply table took, and the facts for the
// log line. Plain value.
#pragma once

#include <string>
#include <vector>

#include "milter/reply_table.hpp"

namespace segel::milter {

template <class Outcome>
struct PipelineResult {
    Outcome outcome{};
    Verdict verdict = Verdict::tempfail;
    std::string from;   // the From addr-spec, when there was one
    std::string serial; // certificate serial, when one was involved
    std::string reason; // for the log: why, in words (may carry detail)
    std::vector<std::string> notice; // a refusal's reply lines naming the recipient and why (encryption)
};

using OutboundResult = PipelineResult<OutboundOutcome>;
using InboundResult = PipelineResult<InboundOutcome>;
using EncryptionResult = PipelineResult<EncryptionOutcome>;

} // namespace segel::milter
