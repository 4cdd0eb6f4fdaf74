// Encryption policy (issue 12, ENC-03): when outbound mail is encrypted, and
// with which algorithms, decided per recipient address by rules kept in the
// directory so that every node and `segel` see the same ones.
//
// A rule's scope is "*" (global), a domain ("example.org"), a domain
// wildcard ("*.example.org": its subdomains, not the domain itself) or one
// address. Each field of a rule may be unset, and each field is inherited
// on its own: address, then the exact domain, then the most specific
// matching wildcard, then "*", then the built-in defaults (never, automatic
// cipher, automatic key transport). Domains and addresses compare by the
// address rules (smime/address.hpp: case-insensitive domains).
//
// never:         send signed only.
// opportunistic: encrypt when every recipient has a usable certificate,
//                else send signed only.
// required:      a recipient without a usable certificate is refused with
//                the reason; nothing goes to them in clear.
// A per-message trigger (the subject tag) raises a message to required;
// nothing lowers a required policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/certificate_directory.hpp"
#include "directory/model.hpp"
#include "smime/address.hpp"

namespace segel::directory {

enum class EncryptionMode { never, opportunistic, required };
// automatic: AES-256-GCM when the recipient advertised it, else AES-256-CBC
// (what NSS, Outlook and gpgsm read: RFC 8551 §2.7).
enum class CipherChoice { automatic, aes256_cbc, aes256_gcm };
// automatic: RSA-OAEP (SHA-256) when the recipient advertised it, else
// PKCS#1 v1.5; EC recipients always use ECDH (RFC 5753).
enum class KeyTransportChoice { automatic, rsa_pkcs1, rsa_oaep };

const char* to_string(EncryptionMode mode) noexcept;
const char* to_string(CipherChoice cipher) noexcept;
const char* to_string(KeyTransportChoice transport) noexcept;
std::optional<EncryptionMode> parse_encryption_mode(std::string_view text);
std::optional<CipherChoice> parse_cipher_choice(std::string_view text);
std::optional<KeyTransportChoice> parse_key_transport_choice(std::string_view text);

struct PolicyRule {
    std::string scope; // normalised: "*", "example.org", "*.example.org", "user@example.org"
    std::optional<EncryptionMode> mode;
    std::optional<CipherChoice> cipher;
    std::optional<KeyTransportChoice> key_transport;
    TimePoint set_at;
    std::string set_by;
};

// A scope as typed by an operator, normalised (lower-case domain, address
// key); invalid_input naming the problem otherwise.
Result<std::string> normalise_policy_scope(std::string_view text);

// What applies to one address, and which scope each field came from
// ("default" for the built-in value).
struct ResolvedPolicy {
    EncryptionMode mode = EncryptionMode::never;
    CipherChoice cipher = CipherChoice::automatic;
    KeyTransportChoice key_transport = KeyTransportChoice::automatic;
    std::string mode_from = "default", cipher_from = "default", key_transport_from = "default";
};

// Pure: the rules that match `recipient`, most specific first, merged.
ResolvedPolicy resolve_policy(const std::vector<PolicyRule>& rules, const smime::Address& recipient);

class EncryptionPolicies {
public:
    virtual ~EncryptionPolicies() = default;
    virtual Result<std::vector<PolicyRule>> policy_rules() = 0; // by scope
    // Sets the fields given in `rule` on its scope (unset fields keep their
    // stored value); audited.
    virtual Result<PolicyRule> set_policy_rule(const PolicyRule& rule, const Actor& actor) = 0;
    // Removes a scope's rule; not_found when there is none. Audited.
    virtual Result<void> remove_policy_rule(std::string_view scope, const Actor& actor) = 0;
    virtual Result<ResolvedPolicy> policy_for(const smime::Address& recipient) = 0;
};

} // namespace segel::directory
