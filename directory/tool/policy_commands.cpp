// `segel policy set|unset|list|show`: presenters over the admin operations
// of directory/admin/policy_operations.hpp.
#include <iostream>

#include <sysexits.h>

#include "commands.hpp"
#include "directory/admin/policy_operations.hpp"
#include "directory_session.hpp"
#include "output.hpp"
#include "record_json.hpp"

namespace segel::tool {

namespace admin = directory::admin;

namespace {

template <class Enum>
std::string field_text(const std::optional<Enum>& value) {
    return value ? directory::to_string(*value) : "(inherit)";
}

// A word of the command line as the enum it names; the usage error otherwise.
template <class Enum, class Parse>
bool read_word(const std::string& option, const std::string& text, Parse parse, std::optional<Enum>& into) {
    if (text.empty())
        return true;
    into = parse(text);
    if (!into)
        std::cerr << "segel: --" << option << ": \"" << text << "\" is not one of the listed values\n";
    return into.has_value();
}




void print_view(const admin::PolicyView& view) {
    const auto& plan = view.plan;
    std::cout << "address:       " << plan.recipient << "\nmode:          " << directory::to_string(plan.policy.mode)
              << " (from " << plan.policy.mode_from << ")\ncipher:        " << directory::to_string(plan.policy.cipher)
              << " (from " << plan.policy.cipher_from << ")\nkey transport: "
              << directory::to_string(plan.policy.key_transport) << " (from " << plan.policy.key_transport_from << ")\n";
    std::cout << "now:           " << directory::to_string(plan.treatment)
              << (plan.reason.empty() ? "" : " (" + plan.reason + ")") << "\n";
    if (plan.treatment == directory::Treatment::encrypt)
        std::cout << "algorithms:    " << smime::to_string(view.algorithms.cipher) << ", RSA "
                  << smime::to_string(view.algorithms.rsa_transport) << " (" << view.algorithms.why << ")\n";
    for (const auto& c : plan.certificates)
        std::cout << "usable:        " << candidate_line(c) << "\n";
    for (const auto& c : plan.unusable)
        std::cout << "not usable:    " << candidate_line(c) << "\n";
    if (!view.path_checked)
        std::cout << "(the path to a trust anchor was not checked: give --trust FILE)\n";
}

} // namespace

int run_policy_set(const config::PolicySetCommand& command) {
    admin::PolicyChange change{command.scope, std::nullopt, std::nullopt, std::nullopt};
    if (!read_word("mode", command.mode, directory::parse_encryption_mode, change.mode) ||
        !read_word("cipher", command.cipher, directory::parse_cipher_choice, change.cipher) ||
        !read_word("key-transport", command.key_transport, directory::parse_key_transport_choice, change.key_transport))
        return EX_USAGE;
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    auto rule = admin::set_policy(*directory, current_operator(), change);
    if (!rule)
        return report_failure(rule.error());
    std::cout << rule->scope << ": mode " << field_text(rule->mode) << ", cipher " << field_text(rule->cipher)
              << ", key transport " << field_text(rule->key_transport) << "\n";
    return EX_OK;
}

int run_policy_unset(const config::PolicyUnsetCommand& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    auto removed = admin::remove_policy(*directory, current_operator(), command.scope);
    if (!removed)
        return report_failure(removed.error());
    std::cout << "removed the rule of " << *removed << "; it inherits again\n";
    return EX_OK;
}

int run_policy_list(const config::PolicyListCommand& command) {
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    auto rules = admin::list_policies(*directory, current_operator());
    if (!rules)
        return report_failure(rules.error());
    if (command.json) {
        std::cout << "[";
        for (std::size_t i = 0; i < rules->size(); ++i)
            std::cout << (i ? ",\n " : "") << rule_json((*rules)[i]);
        std::cout << "]\n";
        return EX_OK;
    }
    std::vector<Row> rows;
    for (const auto& r : *rules)
        rows.push_back({r.scope, field_text(r.mode), field_text(r.cipher), field_text(r.key_transport), r.set_by,
                        smime::format_utc(r.set_at).substr(0, 10)});
    std::cout << format_table({"SCOPE", "MODE", "CIPHER", "KEY TRANSPORT", "SET BY", "SET"}, rows);
    return EX_OK;
}

int run_policy_show(const config::PolicyShowCommand& command) {
    std::optional<smime::TrustStore> anchors;
    if (!command.trust_file.empty()) {
        auto loaded = smime::TrustStore::load_pem_file(command.trust_file);
        if (!loaded) {
            std::cerr << "segel: --trust " << command.trust_file << ": " << loaded.error().detail << "\n";
            return EX_DATAERR;
        }
        anchors = std::move(loaded).value();
    }
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, admin::KeyNeed::none, admin::Access::read, exit_code);
    if (!directory)
        return exit_code;
    auto view = admin::show_policy(*directory, current_operator(), command.address, anchors ? &*anchors : nullptr,
                                   command.settings.directory.domains);
    if (!view)
        return report_failure(view.error());
    if (command.json)
        std::cout << view_json(*view) << "\n";
    else
        print_view(*view);
    return EX_OK;
}

} // namespace segel::tool
