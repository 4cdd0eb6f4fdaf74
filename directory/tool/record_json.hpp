// Directory records as JSON, as `segel ... --json` and the web page's API
// give them: certificates (never the private key), correspondents'
// certificates, policy rules and what applies to an address.
#pragma once

#include <string>

#include "directory/admin/policy_operations.hpp"
#include "directory/correspondents.hpp"
#include "directory/model.hpp"

namespace segel::tool {

std::string record_json(const directory::CertificateRecord& r, directory::TimePoint now);
std::string correspondent_json(const directory::CorrespondentRecord& r);
std::string rule_json(const directory::PolicyRule& rule);
// "serial S (source, until DAY)" and why it may not be used.
std::string candidate_line(const directory::EncryptionCandidate& c);
std::string view_json(const directory::admin::PolicyView& view);

} // namespace segel::tool
