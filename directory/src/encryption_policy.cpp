#include "directory/encryption_policy.hpp"

#include <algorithm>

namespace segel::directory {

namespace {

template <class Enum, std::size_t N>
std::optional<Enum> parse_word(std::string_view text, const Enum (&values)[N]) {
    for (Enum value : values)
        if (text == to_string(value))
            return value;
    return std::nullopt;
}

constexpr EncryptionMode k_modes[] = {EncryptionMode::never, EncryptionMode::opportunistic, EncryptionMode::required};
constexpr CipherChoice k_ciphers[] = {CipherChoice::automatic, CipherChoice::aes256_cbc, CipherChoice::aes256_gcm};
constexpr KeyTransportChoice k_transports[] = {KeyTransportChoice::automatic, KeyTransportChoice::rsa_pkcs1,
                                               KeyTransportChoice::rsa_oaep};

// How specific a scope is for `recipient`; nullopt when it does not match.
// Higher wins: address, exact domain, wildcards by length, then "*".
std::optional<std::size_t> specificity(const std::string& scope, const smime::Address& recipient) {
    if (scope == "*")
        return 0;
    if (scope.find('@') != std::string::npos)
        return scope == recipient.key() ? std::optional<std::size_t>(3000) : std::nullopt;
    if (!recipient.domain().matches(scope))
        return std::nullopt;
    return scope.rfind("*.", 0) == 0 ? scope.size() : std::size_t{2000};
}

} // namespace

const char* to_string(EncryptionMode mode) noexcept {
    switch (mode) {
    case EncryptionMode::never: return "never";
    case EncryptionMode::opportunistic: return "opportunistic";
    case EncryptionMode::required: return "required";
    }
    return "never";
}

const char* to_string(CipherChoice cipher) noexcept {
    switch (cipher) {
    case CipherChoice::automatic: return "auto";
    case CipherChoice::aes256_cbc: return "aes256-cbc";
    case CipherChoice::aes256_gcm: return "aes256-gcm";
    }
    return "auto";
}

const char* to_string(KeyTransportChoice transport) noexcept {
    switch (transport) {
    case KeyTransportChoice::automatic: return "auto";
    case KeyTransportChoice::rsa_pkcs1: return "rsa-pkcs1";
    case KeyTransportChoice::rsa_oaep: return "rsa-oaep";
    }
    return "auto";
}

std::optional<EncryptionMode> parse_encryption_mode(std::string_view text) { return parse_word(text, k_modes); }
std::optional<CipherChoice> parse_cipher_choice(std::string_view text) { return parse_word(text, k_ciphers); }
std::optional<KeyTransportChoice> parse_key_transport_choice(std::string_view text) {
    return parse_word(text, k_transports);
}

Result<std::string> normalise_policy_scope(std::string_view text) {
    if (text == "*")
        return std::string("*");
    if (text.find('@') != std::string_view::npos) {
        auto address = smime::Address::parse(text);
        if (!address)
            return make_error(ErrorKind::invalid_input, "policy scope " + std::string(text) + ": " + address.error().detail);
        return address->key();
    }
    const bool wildcard = text.rfind("*.", 0) == 0;
    auto domain = smime::Domain::parse(wildcard ? text.substr(2) : text);
    if (!domain)
        return make_error(ErrorKind::invalid_input, "policy scope " + std::string(text) +
                                                        " is not *, a domain, *.domain or an address: " +
                                                        domain.error().detail);
    return (wildcard ? "*." : "") + domain->str();
}

ResolvedPolicy resolve_policy(const std::vector<PolicyRule>& rules, const smime::Address& recipient) {
    std::vector<std::pair<std::size_t, const PolicyRule*>> matching;
    for (const auto& rule : rules)
        if (auto rank = specificity(rule.scope, recipient))
            matching.emplace_back(*rank, &rule);
    std::stable_sort(matching.begin(), matching.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // Least specific first, so that each more specific field overrides.
    ResolvedPolicy resolved;
    for (const auto& [rank, rule] : matching) {
        if (rule->mode) {
            resolved.mode = *rule->mode;
            resolved.mode_from = rule->scope;
        }
        if (rule->cipher) {
            resolved.cipher = *rule->cipher;
            resolved.cipher_from = rule->scope;
        }
        if (rule->key_transport) {
            resolved.key_transport = *rule->key_transport;
            resolved.key_transport_from = rule->scope;
        }
    }
    return resolved;
}

} // namespace segel::directory
