#include "smime/verdict_headers.hpp"

#include <openssl/x509_vfy.h>

#include "ascii.hpp"

namespace segel::smime {

namespace {

// AR-08: printable ASCII only, at most `limit` characters.
std::string printable(const std::string& text, std::size_t limit = 200) {
    return ascii::printable(text, limit, ascii::Cut::silent);
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

// The finding in Indonesian, for the plain field civil servants read (AR-09).
// Details that come from outside (a chain error, the RA's reason) stay as
// they are, in parentheses.
std::string indonesian_reason(const VerificationReport& report) {
    const SignerReport* deciding = report.deciding();
    switch (report.finding) {
    case Finding::not_signed: return "surel tidak ditandatangani";
    case Finding::partly_signed: return "hanya sebagian surel yang ditandatangani";
    case Finding::encrypted: return "surel terenkripsi";
    case Finding::unreadable_message: return "surel tidak dapat diproses";
    case Finding::unreadable_signature: return "tanda tangan tidak dapat dibaca";
    case Finding::over_limit: return "surel melampaui batas pemeriksaan (lapisan, bagian, ukuran, sertifikat atau kunci)";
    case Finding::signed_ciphertext: return "tanda tangan hanya menutupi bagian terenkripsi yang isinya belum tentu dilihat penanda tangan";
    case Finding::econtent_confusion: return "tanda tangan membawa isi lain (kemungkinan pemalsuan)";
    case Finding::no_signer: return "tanda tangan tidak memiliki penanda tangan";
    case Finding::certificate_missing: return "sertifikat penanda tangan tidak disertakan";
    case Finding::content_changed: return "isi surel diubah setelah ditandatangani";
    case Finding::signature_invalid: return "tanda tangan tidak cocok";
    case Finding::untrusted: {
        const std::string why = deciding != nullptr ? deciding->chain_error : std::string();
        // OpenSSL's words for the errors, as the verifier recorded them.
        if (why == X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED))
            return "sertifikat penanda tangan sudah kedaluwarsa";
        if (why == X509_verify_cert_error_string(X509_V_ERR_CERT_NOT_YET_VALID))
            return "sertifikat penanda tangan belum berlaku";
        if (why == X509_verify_cert_error_string(X509_V_ERR_INVALID_PURPOSE) || why.rfind("no emailProtection", 0) == 0)
            return "sertifikat penanda tangan bukan untuk tanda tangan surel";
        return "sertifikat penanda tangan tidak diterbitkan oleh CA yang dipercaya" + (why.empty() ? "" : " (" + why + ")");
    }
    case Finding::revoked:
        return "sertifikat penanda tangan sudah dicabut" +
               (deciding != nullptr && !deciding->revocation.detail.empty() ? " (" + deciding->revocation.detail + ")" : "");
    case Finding::revocation_unknown: return "status pencabutan sertifikat belum dapat diperiksa";
    case Finding::weak_algorithm: return "algoritme tanda tangan terlalu lemah";
    case Finding::implausible_signing_time: return "waktu penandatanganan tidak wajar";
    case Finding::no_single_from: return "surel tidak memiliki satu alamat pengirim";
    case Finding::duplicate_fields: return "surel memuat kolom kepala MIME ganda";
    case Finding::unprotected_from: return "alamat pengirim di luar tanda tangan berbeda dengan yang ditandatangani";
    case Finding::not_the_sender: return "penanda tangan bukan pengirim " + report.from;
    case Finding::display_name_address:
        return "nama pengirim memuat alamat lain (" + report.shown_address + "), bukan alamat pengirim sebenarnya " +
               report.from;
    case Finding::signed_by_sender: return "ditandatangani oleh " + report.from;
    }
    return report.reason;
}

// CMS-04: with several signers, the reader is told every one.
std::string indonesian_signer_list(const VerificationReport& report) {
    if (report.signers.size() < 2)
        return {};
    std::string list;
    for (const auto& signer : report.signers)
        list += (list.empty() ? "" : ", ") + signer_name(signer);
    return " (penanda tangan: " + list + ")";
}

// The words AR's comment starts with, for a decryption.
std::string decryption_words(const DecryptionNote& note) {
    const std::string key = "with the key of certificate serial " + printable(note.serial, 80) +
                            (note.key_compromised ? ", revoked for key compromise" : "") +
                            (note.outer_signature_set_aside ? ", a signature over the ciphertext not counted" : "");
    switch (note.state) {
    case DecryptionNote::State::decrypted: return "decrypted by the gateway " + key + "; ";
    case DecryptionNote::State::unprotected: return "decrypted by the gateway " + key + ", integrity not protected; ";
    default: return {};
    }
}

// The sentence that comes before the signature's in the plain field.
std::string decryption_sentence(const DecryptionNote& note, bool english) {
    const std::string serial = printable(note.serial, 80);
    std::string sentence;
    switch (note.state) {
    case DecryptionNote::State::decrypted:
        sentence = english ? "Decrypted by the gateway (encryption certificate serial " + serial + "). "
                           : "Didekripsi oleh gateway (sertifikat enkripsi nomor seri " + serial + "). ";
        break;
    case DecryptionNote::State::unprotected:
        sentence = english ? "Decrypted by the gateway (encryption certificate serial " + serial +
                                 "), but its integrity is NOT protected (no valid signature): beware of odd links "
                                 "and content. "
                           : "Didekripsi oleh gateway (sertifikat enkripsi nomor seri " + serial +
                                 "), tetapi keutuhan isinya TIDAK terlindungi (tanpa tanda tangan yang sah): waspadai "
                                 "tautan dan isi yang janggal. ";
        break;
    case DecryptionNote::State::nested:
        return english ? "An encrypted part inside the message was not opened by the gateway. "
                       : "Bagian terenkripsi di dalam surel tidak dibuka oleh gateway. ";
    default: return {};
    }
    if (note.outer_signature_set_aside)
        sentence += english ? "A signature around the encrypted part was not counted. "
                            : "Tanda tangan di luar bagian terenkripsi tidak dihitung. ";
    if (note.key_compromised)
        sentence += english ? "WARNING: that certificate was revoked because its key leaked; others may have read "
                              "this message. "
                            : "PERINGATAN: sertifikat itu dicabut karena kuncinya bocor; isi surel ini mungkin telah "
                              "dibaca pihak lain. ";
    return sentence;
}

// The signature's verdict in a sentence.
std::string verdict_sentence(const VerificationReport& report, bool english) {
    const SignerReport* signer = report.passing_signer();
    if (report.verdict == Verdict::pass && signer != nullptr && signer->certificate) {
        const std::string who = printable(common_name(signer->certificate->subject()), 80) + " <" + printable(report.from, 80) + ">";
        const std::string issuer = printable(common_name(signer->certificate->issuer()), 80);
        return english ? "Valid signature: signed by " + who + ", certified by " + issuer
                       : "Tanda tangan sah: ditandatangani oleh " + who + ", disertifikasi oleh " + issuer;
    }
    if (report.verdict == Verdict::none)
        return report.finding != Finding::encrypted ? (english ? "Not signed" : "Tidak ditandatangani")
                                                    : (english ? "Encrypted: check the signature in your mail client"
                                                               : "Terenkripsi: periksa tanda tangannya di aplikasi surel Anda");
    std::string opening;
    switch (report.verdict) {
    case Verdict::fail: opening = english ? "INVALID signature: " : "Tanda tangan TIDAK SAH: "; break;
    case Verdict::policy: opening = english ? "Signature not accepted: " : "Tanda tangan tidak dapat diterima: "; break;
    case Verdict::temperror:
        opening = english ? "Signature not checked yet (temporary problem): "
                          : "Tanda tangan belum dapat diperiksa (gangguan sementara): ";
        break;
    default: opening = english ? "Signature cannot be checked: " : "Tanda tangan tidak dapat diperiksa: "; break;
    }
    return opening + printable(english ? report.reason : indonesian_reason(report) + indonesian_signer_list(report));
}

} // namespace

std::string authentication_results_value(const VerificationReport& report, const std::string& authserv_id,
                                         const DecryptionNote& decryption) {
    std::string value = printable(authserv_id, 100) + ";";
    if (report.verdict == Verdict::none && report.signers.empty() && decryption_words(decryption).empty())
        return value + " none";
    value += " smime=" + std::string(to_string(report.verdict)) + " " +
             comment(decryption_words(decryption) + report.reason);
    const SignerReport* signer = report.passing_signer();
    if (signer == nullptr && report.deciding() != nullptr && report.deciding()->certificate)
        signer = report.deciding();
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

std::string plain_verdict_value(const VerificationReport& report, const std::string& language,
                                const DecryptionNote& decryption) {
    const bool english = language == "en";
    if (decryption.state == DecryptionNote::State::not_decrypted)
        return english ? "Encrypted, not opened by the gateway (it cannot be decrypted here, or its integrity is not "
                         "protected): open it in your mail client"
                       : "Terenkripsi, tidak dibuka oleh gateway (tidak dapat didekripsi di sini, atau keutuhan "
                         "isinya tidak terlindungi): buka di aplikasi surel Anda";
    return decryption_sentence(decryption, english) + verdict_sentence(report, english);
}

} // namespace segel::smime
