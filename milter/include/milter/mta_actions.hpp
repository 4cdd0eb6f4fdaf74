// What the signing logic may ask of the MTA at end of message, behind an
// interface so tests can drive the logic without libmilter (OpenDKIM's test
// mode idea). The libmilter implementation lives in callbacks.cpp. Every
// call returns false when the MTA refused it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace segel::milter {

class MtaActions {
public:
    virtual ~MtaActions() = default;
    virtual bool add_header(const std::string& name, const std::string& value) = 0;
    // At position `index` among the header fields (smfi_insheader; with
    // Postfix, 1 lands just after its own Received field, PF-07).
    virtual bool insert_header(int index, const std::string& name, const std::string& value) = 0;
    // index counts from 1 per header name; no value deletes (smfi_chgheader).
    virtual bool change_header(const std::string& name, int index, const std::optional<std::string>& value) = 0;
    // Calls must be contiguous and come after every header edit (PF-08).
    virtual bool replace_body(std::string_view chunk) = 0;
    virtual bool set_reply(const std::string& rcode, const std::string& xcode, const std::string& text) = 0;
    // A reply of several lines (smfi_setmlreply, at most 32); by default
    // the lines joined into one.
    virtual bool set_reply_lines(const std::string& rcode, const std::string& xcode,
                                 const std::vector<std::string>& lines) {
        std::string text;
        for (const auto& line : lines)
            text += (text.empty() ? "" : " ") + line;
        return set_reply(rcode, xcode, text);
    }
    // Puts the message on hold in the MTA's queue (smfi_quarantine).
    virtual bool quarantine(const std::string& reason) = 0;
};

} // namespace segel::milter
