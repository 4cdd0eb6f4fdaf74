#include "smime/verdict_headers.hpp"

namespace segel::smime {

namespace {

// AR-08: printable ASCII only, at most `limit` characters.
std::string printable(const std::string& text, std::size_t limit = 200) {
    std::string out;
    for (char c : text) {
        if (out.size() >= limit)
            break;
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

std::string comment(const std::string& text) {
    std::string out = "(";
    for (char c : printable(text)) {
        if (c == '(' || c == ')' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + ")";
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : printable(text)) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

// An addr-spec fit for a pvalue: no spaces, quotes or parentheses.
bool plain_address(const std::string& address) {
    if (address.empty() || address.find('@') == std::string::npos)
        return false;
    for (char c : address)
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '(' || c == ')' || c == ';' || c == '\\')
            return false;
    return true;
}

std::string common_name(const std::string& dn) {
    const auto at = dn.find("CN=");
    if (at == std::string::npos)
        return dn;
    const auto end = dn.find(',', at);
    return dn.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

} // namespace

std::string authentication_results_value(const VerificationReport& report, const std::string& authserv_id) {
    std::string value = printable(authserv_id, 100) + ";";
    if (report.verdict == Verdict::none && report.signers.empty())
        return value + " none";
    value += " smime=" + std::string(to_string(report.verdict)) + " " + comment(report.reason);
    const SignerReport* signer = report.passing_signer();
    if (signer == nullptr && !report.signers.empty() && report.signers.front().certificate)
        signer = &report.signers.front();
    if (signer != nullptr && signer->certificate) {
        std::string identifier = report.verdict == Verdict::pass ? report.from : std::string();
        if (identifier.empty()) {
            const auto emails = signer->certificate->email_addresses();
            identifier = emails.empty() ? std::string() : emails.front();
        }
        if (plain_address(identifier))
            value += "\n\tbody.smime-identifier=" + identifier;
        // AR-03: a top-level multipart/signed has its signature in part 2.
        value += " body.smime-part=" + std::string(report.form == "multipart/signed" ? "2" : "1");
        // AR-03: serial and issuer come together.
        value += "\n\tbody.smime-serial=" + printable(signer->certificate->serial_hex(), 80) +
                 " body.smime-issuer=" + quoted(signer->certificate->issuer());
    }
    return value;
}

std::string plain_verdict_value(const VerificationReport& report, const std::string& language) {
    const bool english = language == "en";
    const SignerReport* signer = report.passing_signer();
    const std::string who = signer != nullptr && signer->certificate
                                ? printable(common_name(signer->certificate->subject()), 80) + " <" + printable(report.from, 80) + ">"
                                : std::string();
    const std::string issuer = signer != nullptr && signer->certificate
                                   ? printable(common_name(signer->certificate->issuer()), 80)
                                   : std::string();
    switch (report.verdict) {
    case Verdict::pass:
        return english ? "Valid signature: signed by " + who + ", certified by " + issuer
                       : "Tanda tangan sah: ditandatangani oleh " + who + ", disertifikasi oleh " + issuer;
    case Verdict::none:
        return english ? "Not signed" : "Tidak ditandatangani";
    case Verdict::fail:
        return english ? "INVALID signature: " + printable(report.reason)
                       : "Tanda tangan TIDAK SAH: " + printable(report.reason);
    case Verdict::policy:
        return english ? "Signature not accepted: " + printable(report.reason)
                       : "Tanda tangan tidak dapat diterima: " + printable(report.reason);
    case Verdict::temperror:
        return english ? "Signature not checked yet (temporary problem): " + printable(report.reason)
                       : "Tanda tangan belum dapat diperiksa (gangguan sementara): " + printable(report.reason);
    case Verdict::neutral:
    case Verdict::permerror:
        break;
    }
    return english ? "Signature cannot be checked: " + printable(report.reason)
                   : "Tanda tangan tidak dapat diperiksa: " + printable(report.reason);
}

} // namespace segel::smime
