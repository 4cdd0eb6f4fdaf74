#include "record_json.hpp"

#include "output.hpp"
#include "smime/certificate.hpp"

namespace segel::tool {

using directory::CertificateRecord;

std::string record_json(const CertificateRecord& r, directory::TimePoint now) {
    std::string out = "{";
    out += "\"fingerprint\": " + json_string(r.fingerprint);
    out += ", \"serial\": " + json_string(r.serial);
    out += ", \"subject\": " + json_string(r.subject);
    out += ", \"issuer\": " + json_string(r.issuer);
    out += ", \"emails\": " + json_string_array(r.emails);
    out += ", \"owner\": " + json_string(r.owner_email);
    out += ", \"kind\": " + json_string(std::string(directory::to_string(r.kind)));
    out += ", \"status\": " + json_string(std::string(directory::to_string(r.status_at(now))));
    out += ", \"recorded_status\": " + json_string(std::string(directory::to_string(r.status)));
    out += ", \"reason\": " + (r.reason ? json_string(std::string(directory::to_string(*r.reason))) : std::string("null"));
    out += ", \"rfc5280_reason_code\": " + (r.reason ? std::to_string(directory::rfc5280_code(*r.reason)) : std::string("null"));
    out += ", \"status_effective\": " + (r.status_effective ? json_string(smime::format_utc(*r.status_effective)) : std::string("null"));
    out += ", \"not_before\": " + json_string(smime::format_utc(r.not_before));
    out += ", \"not_after\": " + json_string(smime::format_utc(r.not_after));
    out += ", \"authorised_logins\": " + json_string_array(r.authorised_logins);
    out += ", \"private_key\": " + std::string(r.has_private_key ? "true" : "false");
    return out + "}";
}

} // namespace segel::tool
