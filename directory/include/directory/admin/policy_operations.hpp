// Admin operations on the encryption policy (issue 12 items 3 and 10): set
// and remove a scope's rule (administrators: it decides what leaves the
// city in clear), list the rules, and show what applies to one address:
// the resolved policy with the scope each field came from, and every
// certificate the directory holds for it with whether it may be used (with
// `anchors`, the path to a trust anchor is checked too; revocation beyond
// the directory's status is the daemon's, at every send).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "directory/admin/operation_error.hpp"
#include "directory/admin/operator.hpp"
#include "directory/directory_service.hpp"
#include "directory/encryption_plan.hpp"
#include "smime/trust_store.hpp"

namespace segel::directory::admin {

struct PolicyChange {
    std::string scope; // "*", "example.org", "*.example.org" or an address
    std::optional<EncryptionMode> mode;
    std::optional<CipherChoice> cipher;
    std::optional<KeyTransportChoice> key_transport;
};

struct PolicyView {
    RecipientPlan plan;       // resolved policy, mode in force and what would happen now
    AlgorithmChoice algorithms;
    bool path_checked = false; // anchors were given
};

OperationResult<PolicyRule> set_policy(DirectoryService& directory, const Operator& person, const PolicyChange& change);
OperationResult<std::string> remove_policy(DirectoryService& directory, const Operator& person, const std::string& scope);
OperationResult<std::vector<PolicyRule>> list_policies(DirectoryService& directory, const Operator& person);
OperationResult<PolicyView> show_policy(DirectoryService& directory, const Operator& person, const std::string& address,
                                        const smime::TrustStore* anchors, const std::vector<std::string>& internal_domains);

} // namespace segel::directory::admin
