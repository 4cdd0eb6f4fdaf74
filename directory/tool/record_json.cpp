#include "record_json.hpp"

#include "output.hpp"
#include "directory/admin/policy_operations.hpp"
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

std::string correspondent_json(const directory::CorrespondentRecord& r) {
    return "{\"fingerprint\": " + json_string(r.fingerprint) + ", \"serial\": " + json_string(r.serial) +
           ", \"subject\": " + json_string(r.subject) + ", \"issuer\": " + json_string(r.issuer) +
           ", \"emails\": " + json_string_array(r.emails) + ", \"domain\": " + json_string(r.domain) +
           ", \"source\": " + json_string(std::string(directory::to_string(r.source))) +
           ", \"pending\": " + (r.pending ? "true" : "false") +
           ", \"learned\": " + json_string(smime::format_utc(r.learned_at)) +
           ", \"not_before\": " + json_string(smime::format_utc(r.not_before)) +
           ", \"not_after\": " + json_string(smime::format_utc(r.not_after)) + "}";
}

std::string rule_json(const directory::PolicyRule& rule) {
    const auto field = [](const auto& value) { return value ? json_string(directory::to_string(*value)) : "null"; };
    return "{\"scope\": " + json_string(rule.scope) + ", \"mode\": " + field(rule.mode) +
           ", \"cipher\": " + field(rule.cipher) + ", \"key_transport\": " + field(rule.key_transport) +
           ", \"set_by\": " + json_string(rule.set_by) + ", \"set_at\": " + json_string(smime::format_utc(rule.set_at)) +
           "}";
}

std::string candidate_line(const directory::EncryptionCandidate& c) {
    return "serial " + c.certificate.serial_hex() + " (" + std::string(directory::to_string(c.source)) + ", until " +
           smime::format_utc(c.certificate.not_after()).substr(0, 10) + ")" + (c.usable ? "" : ": " + c.why_not);
}

std::string view_json(const directory::admin::PolicyView& view) {
    const auto& plan = view.plan;
    std::vector<std::string> usable, unusable;
    for (const auto& c : plan.certificates)
        usable.push_back(candidate_line(c));
    for (const auto& c : plan.unusable)
        unusable.push_back(candidate_line(c));
    return "{\"address\": " + json_string(plan.recipient) + ", \"mode\": " + json_string(directory::to_string(plan.policy.mode)) +
           ", \"mode_from\": " + json_string(plan.policy.mode_from) +
           ", \"cipher\": " + json_string(directory::to_string(plan.policy.cipher)) +
           ", \"cipher_from\": " + json_string(plan.policy.cipher_from) +
           ", \"key_transport\": " + json_string(directory::to_string(plan.policy.key_transport)) +
           ", \"key_transport_from\": " + json_string(plan.policy.key_transport_from) +
           ", \"treatment\": " + json_string(directory::to_string(plan.treatment)) +
           ", \"reason\": " + json_string(plan.reason) + ", \"path_checked\": " + (view.path_checked ? "true" : "false") +
           ", \"usable\": " + json_string_array(usable) + ", \"unusable\": " + json_string_array(unusable) + "}";
}

} // namespace segel::tool
