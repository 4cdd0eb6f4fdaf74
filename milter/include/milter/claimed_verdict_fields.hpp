// The header fields of an inbound message that claim to be our verdict
// (AR-06): Authentication-Results whose authserv-id is ours (RFC 8601 §5:
// a receiving gateway removes them) and every copy of the plain verdict
// field. They are noted one by one as the MTA passes the header, so they
// can be removed on every path, whatever else goes wrong with the message
// (a spool error, an unreadable body, a policy refusal). Not thread-safe
// per object; one per message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "milter/mta_actions.hpp"
#include "smime/message_spool.hpp"

namespace segel::milter {

class ClaimedVerdictFields {
public:
    ClaimedVerdictFields(std::string authserv_id, std::string verdict_header);

    // One header field as received; the value may be folded.
    void note(std::string_view name, std::string_view value);
    // The same, for every top-level field of a spooled message.
    void note_all(const std::vector<smime::HeaderField>& fields);

    // Deletes the claiming fields, highest index first (PF-07).
    bool remove(MtaActions& mta) const;
    std::size_t count() const noexcept { return m_our_results.size() + static_cast<std::size_t>(m_verdict_fields); }

private:
    bool names_our_authserv_id(std::string_view value) const;

    std::string m_authserv_id;     // lowercase
    std::string m_verdict_header;
    int m_results_seen = 0;        // Authentication-Results fields so far
    std::vector<int> m_our_results; // their 1-based indexes that claim our authserv-id
    int m_verdict_fields = 0;
};

} // namespace segel::milter
