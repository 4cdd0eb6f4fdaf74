// `segel msg verify`: what the verifier says of one message, for the
// administrator answering "why does this say invalid?".
#include <chrono>
#include <iostream>

#include <sysexits.h>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "message_input.hpp"
#include "output.hpp"
#include "directory/ra_sync.hpp"
#include "smime/crl_store.hpp"
#include "smime/trust_store.hpp"
#include "smime/verdict_headers.hpp"
#include "smime/verifier.hpp"

namespace segel::tool {

namespace {
const char* yes_no(bool value) { return value ? "yes" : "no"; }
} // namespace

int run_msg_verify(const config::MsgVerifyCommand& command) {
    auto anchors = smime::TrustStore::load_pem_file(command.trust_file);
    if (!anchors) {
        std::cerr << "segel: --trust: " << anchors.error().detail << "\n";
        return EX_DATAERR;
    }
    int input_exit = EX_OK;
    auto message = read_message(command.input, temp_dir_for({}), input_exit);
    if (!message) {
        std::cerr << "segel: " << message.error().detail << "\n";
        return input_exit != EX_OK ? input_exit : exit_code_for(message.error().kind);
    }
    smime::VerifyOptions options;
    options.clock_skew = std::chrono::minutes(command.clock_skew_minutes);
    options.eku_policy = smime::parse_eku_policy(command.eku_policy).value_or(smime::EkuPolicy::any_eku);
    if (!command.at.empty()) {
        options.at = directory::parse_effective_date(command.at);
        if (!options.at) {
            std::cerr << "segel: --at: \"" << command.at << "\" is not YYYY-MM-DD[THH:MM[:SS](Z|+hh:mm)]\n";
            return EX_USAGE;
        }
    }
    std::optional<smime::CrlStore> crls;
    if (!command.crl_files.empty() || command.require_crl) {
        auto loaded = smime::CrlStore::load_files(command.crl_files, std::chrono::hours(24 * 7), command.require_crl);
        if (!loaded) {
            std::cerr << "segel: --crl: " << loaded.error().detail << "\n";
            return EX_DATAERR;
        }
        crls = std::move(*loaded);
        const auto checked_at = options.at.value_or(std::chrono::system_clock::now());
        options.revocation = [&crls, checked_at](const smime::Certificate& signer, const smime::Certificate& issuer) {
            return crls->check(signer, issuer, checked_at);
        };
    }
    auto report = smime::verify_message(*message, *anchors, options);
    if (!report) {
        std::cerr << "segel: " << report.error().detail << "\n";
        return exit_code_for(report.error().kind);
    }
    if (command.json) {
        std::cout << "{\"verdict\": " << json_string(std::string(smime::to_string(report->verdict)))
                  << ", \"reason\": " << json_string(report->reason) << ", \"form\": " << json_string(report->form)
                  << ", \"from\": " << json_string(report->from) << ", \"layers\": " << report->layers << ", \"signers\": [";
        for (std::size_t i = 0; i < report->signers.size(); ++i) {
            const auto& s = report->signers[i];
            std::cout << (i ? ", " : "") << "{\"subject\": "
                      << json_string(s.certificate ? s.certificate->subject() : std::string())
                      << ", \"serial\": " << json_string(s.certificate ? s.certificate->serial_hex() : std::string())
                      << ", \"emails\": "
                      << json_string_array(s.certificate ? s.certificate->email_addresses() : std::vector<std::string>())
                      << ", \"digest\": " << json_string(s.digest) << ", \"digest_matches\": " << (s.digest_matches ? "true" : "false")
                      << ", \"signature_valid\": " << (s.signature_valid ? "true" : "false")
                      << ", \"chain_valid\": " << (s.chain_valid ? "true" : "false")
                      << ", \"chain_error\": " << json_string(s.chain_error)
                      << ", \"weak\": " << (s.weak ? "true" : "false")
                      << ", \"bound_to_from\": " << (s.bound_to_from ? "true" : "false")
                      << ", \"signing_time_problem\": " << json_string(s.signing_time_problem)
                      << ", \"revocation\": " << json_string(s.revocation.detail) << "}";
        }
        std::cout << "]}\n";
        return EX_OK;
    }
    std::cout << "verdict: smime=" << smime::to_string(report->verdict) << "\n"
              << "reason:  " << report->reason << "\n";
    if (!report->form.empty())
        std::cout << "form:    " << report->form << (report->layers > 1 ? ", " + std::to_string(report->layers) + " signed layers" : "")
                  << "\n";
    std::cout << "from:    " << (report->from.empty() ? "(not a single mailbox)" : report->from) << "\n";
    for (std::size_t i = 0; i < report->signers.size(); ++i) {
        const auto& s = report->signers[i];
        std::cout << "signer " << i + 1 << ": ";
        if (!s.certificate) {
            std::cout << "certificate missing from the message\n";
            continue;
        }
        std::string emails;
        for (const auto& e : s.certificate->email_addresses())
            emails += (emails.empty() ? "" : ", ") + e;
        std::cout << s.certificate->subject() << "\n"
                  << "  issuer:    " << s.certificate->issuer() << "\n"
                  << "  serial:    " << s.certificate->serial_hex() << "; emails: " << emails << "\n"
                  << "  digest " << s.digest << " matches: " << yes_no(s.digest_matches)
                  << "; signature valid: " << yes_no(s.signature_valid) << "; attributes valid: " << yes_no(s.attributes_valid)
                  << "\n  chain to a trusted root: " << yes_no(s.chain_valid)
                  << (s.chain_error.empty() ? "" : " (" + s.chain_error + ")") << "; weak algorithm: " << yes_no(s.weak)
                  << "; names the From address: " << yes_no(s.bound_to_from) << "\n";
        if (!s.signing_time_problem.empty())
            std::cout << "  signing time: " << s.signing_time_problem << "\n";
        if (!s.revocation.detail.empty())
            std::cout << "  revocation: " << s.revocation.detail << "\n";
    }
    std::cout << "\nheader fields the gateway would stamp:\n"
              << "Authentication-Results: " << smime::authentication_results_value(*report, command.authserv_id) << "\n"
              << "X-Segel-Verifikasi: " << smime::plain_verdict_value(*report, command.language) << "\n";
    return EX_OK;
}

} // namespace segel::tool
