#include "external_verifiers.hpp"

#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "test_support.hpp"

namespace segel::test {

namespace {

std::string base64_decode(const std::string& text) {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned int buffer = 0;
    int bits = 0;
    for (char c : text) {
        const auto index = alphabet.find(c);
        if (index == std::string::npos)
            continue; // line ends, padding
        buffer = (buffer << 6) | static_cast<unsigned int>(index);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

std::string unfold(std::string value) {
    std::string out;
    for (char c : value)
        if (c != '\r' && c != '\n')
            out += c;
    return out;
}

// A gpgsm home and an NSS database that trust only the demo root, made once.
struct TrustStores {
    TempDir gnupg_home;
    TempDir nss_db;

    TrustStores() {
        const std::string root = pki_file("root.pem").string();
        write_file(gnupg_home / "gpgsm.conf", "disable-crl-checks\ndisable-dirmngr\n");
        write_file(gnupg_home / "gpg-agent.conf", "allow-loopback-pinentry\n");
        const auto env = home_env();
        auto imported = run_process({"gpgsm", "--batch", "--import", root}, {}, env);
        if (imported.exit_code != 0)
            throw std::runtime_error("gpgsm --import failed: " + imported.err);
        auto fingerprint = run_process({"openssl", "x509", "-in", root, "-noout", "-fingerprint", "-sha1"});
        const auto eq = fingerprint.out.find('=');
        write_file(gnupg_home / "trustlist.txt", fingerprint.out.substr(eq + 1, 59) + " S\n");

        const std::string db = "sql:" + nss_db.path().string();
        if (run_process({"certutil", "-N", "-d", db, "--empty-password"}).exit_code != 0 ||
            run_process({"certutil", "-A", "-d", db, "-n", "demo-root", "-t", "C,C,C", "-i", root}).exit_code != 0)
            throw std::runtime_error("cannot set up the NSS database");
    }
    ~TrustStores() { run_process({"gpgconf", "--kill", "gpg-agent"}, {}, home_env()); }

    std::vector<std::string> home_env() const { return {"GNUPGHOME=" + gnupg_home.path().string()}; }

    // The user's key in both stores, once. gpgsm 2.2 cannot read OpenSSL 3's
    // default PKCS#12 (PBES2), so it gets a legacy one (3DES, SHA-1 MAC).
    void import_key(const std::string& user) {
        std::lock_guard lock(mutex);
        if (!keys_imported.insert(user).second)
            return;
        const std::string passphrase = "demo-pass";
        TempDir dir;
        const auto legacy = (dir / "legacy.p12").string();
        const auto exported = run_process({"openssl", "pkcs12", "-export", "-keypbe", "PBE-SHA1-3DES", "-certpbe",
                                           "PBE-SHA1-3DES", "-macalg", "sha1", "-inkey",
                                           pki_file(user + ".key.pem").string(), "-in",
                                           pki_file(user + ".cert.pem").string(), "-passout", "pass:" + passphrase,
                                           "-out", legacy});
        const auto to_gpgsm = run_process({"gpgsm", "--batch", "--pinentry-mode", "loopback", "--passphrase-fd", "0",
                                           "--import", legacy},
                                          passphrase + "\n", home_env());
        const auto to_nss = run_process({"pk12util", "-i", pki_file(user + ".p12").string(), "-d",
                                         "sql:" + nss_db.path().string(), "-w", pki_file("p12-passphrase").string(),
                                         "-K", ""});
        if (exported.exit_code != 0 || to_gpgsm.exit_code != 0 || to_nss.exit_code != 0)
            throw std::runtime_error("cannot import the key of " + user + ": " + exported.err + to_gpgsm.err + to_nss.err);
    }

    std::mutex mutex;
    std::set<std::string> keys_imported;
};

TrustStores& trust_stores() {
    static std::once_flag once;
    static std::unique_ptr<TrustStores> stores;
    std::call_once(once, [] { stores = std::make_unique<TrustStores>(); });
    return *stores;
}

} // namespace

SignedParts split_signed_message(const std::string& message) {
    SignedParts parts;
    const auto header_end = message.find("\r\n\r\n");
    if (header_end == std::string::npos)
        throw std::runtime_error("no CRLF CRLF after the header");
    parts.header = message.substr(0, header_end + 2);
    std::smatch match;
    static const std::regex content_type(R"((^|\r\n)Content-Type:((?:[^\r]|\r\n[ \t])*))", std::regex::icase);
    if (!std::regex_search(parts.header, match, content_type))
        throw std::runtime_error("no top-level Content-Type");
    parts.content_type = unfold(match[2].str());
    static const std::regex boundary(R"(boundary="([^"]+)\")", std::regex::icase);
    if (!std::regex_search(parts.content_type, match, boundary))
        throw std::runtime_error("no quoted boundary parameter");
    parts.boundary = match[1].str();

    const std::string body = message.substr(header_end + 4);
    const std::string delimiter = "--" + parts.boundary;
    // The first delimiter may open the body or follow a preamble line.
    std::size_t first = body.rfind(delimiter + "\r\n", 0) == 0 ? 0 : body.find("\r\n" + delimiter + "\r\n");
    if (first == std::string::npos)
        throw std::runtime_error("no opening delimiter");
    if (first != 0)
        first += 2;
    const std::size_t part1_start = first + delimiter.size() + 2;
    // RFC 2046: the CRLF before a delimiter belongs to the delimiter.
    const std::size_t part1_end = body.find("\r\n" + delimiter + "\r\n", part1_start);
    if (part1_end == std::string::npos)
        throw std::runtime_error("no second delimiter");
    parts.part1 = body.substr(part1_start, part1_end - part1_start);
    const std::size_t part2_start = part1_end + 2 + delimiter.size() + 2;
    const std::size_t part2_end = body.find("\r\n" + delimiter + "--", part2_start);
    if (part2_end == std::string::npos)
        throw std::runtime_error("no closing delimiter");
    parts.part2 = body.substr(part2_start, part2_end - part2_start);
    const auto part2_body = parts.part2.find("\r\n\r\n");
    if (part2_body == std::string::npos)
        throw std::runtime_error("part 2 has no header/body separator");
    parts.signature_der = base64_decode(parts.part2.substr(part2_body + 4));
    return parts;
}

Verdict verify_with_openssl(const std::string& message, const std::string& expected_email) {
    TempDir dir;
    write_file(dir / "message.eml", message);
    const std::vector<std::string> trust = {"-CAfile", pki_file("root.pem").string(), "-no-CApath", "-no-CAstore",
                                            "-purpose", "smimesign"};
    // 1. OpenSSL's own MIME reader over the whole message. (Not -binary: with
    //    it, OpenSSL 3.0 keeps the delimiter's CRLF in part 1; our part 1 is
    //    already canonical, so text mode changes nothing.)
    std::vector<std::string> whole = {"openssl", "cms", "-verify", "-inform", "SMIME", "-in",
                                      (dir / "message.eml").string(), "-signer", (dir / "signer.pem").string(),
                                      "-out", (dir / "content").string()};
    whole.insert(whole.end(), trust.begin(), trust.end());
    auto result = run_process(whole);
    if (result.exit_code != 0)
        return {false, "whole message: " + result.err};
    // 2. The detached signature over the exact bytes of part 1 (OSSL-10).
    const SignedParts parts = split_signed_message(message);
    write_file(dir / "sig.der", parts.signature_der);
    write_file(dir / "part1", parts.part1);
    std::vector<std::string> exact = {"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                                      (dir / "sig.der").string(), "-content", (dir / "part1").string(), "-out",
                                      "/dev/null"};
    exact.insert(exact.end(), trust.begin(), trust.end());
    result = run_process(exact);
    if (result.exit_code != 0)
        return {false, "exact part 1 bytes: " + result.err};
    auto email = run_process({"openssl", "x509", "-in", (dir / "signer.pem").string(), "-noout", "-email"});
    if (email.out.find(expected_email) == std::string::npos)
        return {false, "signer email is \"" + email.out + "\", want " + expected_email};
    return {true, result.err};
}

Verdict verify_with_gpgsm(const SignedParts& parts, const std::string& expected_email) {
    auto& stores = trust_stores();
    TempDir dir;
    write_file(dir / "sig.p7s", parts.signature_der);
    write_file(dir / "content", parts.part1);
    auto result = run_process({"gpgsm", "--batch", "--status-fd", "1", "--verify", (dir / "sig.p7s").string(),
                               (dir / "content").string()},
                              {}, stores.home_env());
    const std::string said = result.out + result.err;
    const bool good = result.exit_code == 0 && said.find("[GNUPG:] GOODSIG") != std::string::npos &&
                      said.find("[GNUPG:] TRUST_FULLY") != std::string::npos;
    if (!good)
        return {false, said};
    if (said.find("aka \"" + expected_email + "\"") == std::string::npos)
        return {false, "gpgsm names no signer email " + expected_email + ": " + said};
    return {true, said};
}

Verdict verify_with_nss(const SignedParts& parts, const std::string& expected_name) {
    auto& stores = trust_stores();
    TempDir dir;
    write_file(dir / "sig.der", parts.signature_der);
    write_file(dir / "content", parts.part1);
    auto result = run_process({"cmsutil", "-D", "-i", (dir / "sig.der").string(), "-c", (dir / "content").string(),
                               "-d", "sql:" + stores.nss_db.path().string(), "-u", "4", "-n", "-h", "2"});
    const std::string said = result.out + result.err;
    const bool good = result.exit_code == 0 && said.find("signer0.status=GoodSignature;") != std::string::npos &&
                      said.find("signer0.id=\"" + expected_name + "\"") != std::string::npos;
    return {good, said};
}

std::string enveloped_der(const std::string& message) {
    const auto header_end = message.find("\r\n\r\n");
    if (header_end == std::string::npos)
        throw std::runtime_error("the message has no header end");
    return base64_decode(message.substr(header_end + 4));
}

Decrypted decrypt_with_gpgsm(const std::string& der, const std::string& user) {
    auto& stores = trust_stores();
    stores.import_key(user);
    TempDir dir;
    write_file(dir / "m.p7m", der);
    // gpgsm exits non-zero when it does not know some other recipient's
    // certificate, although it decrypts: its status line says whether it did.
    auto result = run_process({"gpgsm", "--batch", "--status-fd", "2", "--pinentry-mode", "loopback", "--passphrase-fd",
                               "0", "--decrypt", (dir / "m.p7m").string()},
                              "demo-pass\n", stores.home_env());
    const bool decrypted = result.err.find("[GNUPG:] DECRYPTION_OKAY") != std::string::npos &&
                           result.err.find("[GNUPG:] DECRYPTION_FAILED") == std::string::npos;
    return {decrypted, result.out, result.err};
}

Decrypted decrypt_with_nss(const std::string& der, const std::string& user) {
    auto& stores = trust_stores();
    stores.import_key(user);
    TempDir dir;
    write_file(dir / "m.p7m", der);
    auto result = run_process({"cmsutil", "-D", "-i", (dir / "m.p7m").string(), "-d",
                               "sql:" + stores.nss_db.path().string()});
    return {result.exit_code == 0, result.out, result.err};
}

std::string with_enveloped_byte_flipped(const std::string& message, std::size_t from_end, unsigned char mask) {
    std::string der = enveloped_der(message);
    if (from_end == 0 || from_end > der.size())
        throw std::runtime_error("the byte to flip is outside the DER");
    der[der.size() - from_end] = static_cast<char>(der[der.size() - from_end] ^ mask);
    TempDir dir;
    write_file(dir / "der", der);
    const auto b64 = run_process({"openssl", "base64", "-in", (dir / "der").string()});
    if (b64.exit_code != 0)
        throw std::runtime_error("openssl base64 failed: " + b64.err);
    return message.substr(0, message.find("\r\n\r\n") + 4) + crlf(b64.out);
}

std::string openssl_encrypted_message(const std::string& outer_fields, const std::string& entity,
                                      const std::vector<std::string>& users, const std::vector<std::string>& extra) {
    TempDir dir;
    write_file(dir / "entity", entity);
    std::vector<std::string> argv = {"openssl", "cms", "-encrypt", "-binary", "-in", (dir / "entity").string()};
    for (const auto& user : users)
        argv.insert(argv.end(), {"-recip", pki_file(user + ".cert.pem").string()});
    argv.insert(argv.end(), extra.begin(), extra.end()); // -keyopt applies to the last -recip
    const auto result = run_process(argv);
    if (result.exit_code != 0)
        throw std::runtime_error("openssl cms -encrypt failed: " + result.err);
    // Without -crlfeol the CLI writes bare LF: the message as SMTP carries it.
    return outer_fields + crlf(result.out);
}

Decrypted decrypt_with_openssl(const std::string& message, const std::string& user) {
    TempDir dir;
    write_file(dir / "in.eml", message);
    auto result = run_process({"openssl", "cms", "-decrypt", "-binary", "-in", (dir / "in.eml").string(), "-recip",
                               pki_file(user + ".cert.pem").string(), "-inkey", pki_file(user + ".key.pem").string()});
    return {result.exit_code == 0, result.out, result.err};
}

Decrypted decrypt_with_bouncy_castle(const std::string& der, const std::string& user) {
    TempDir dir;
    write_file(dir / "m.p7m", der);
    const std::string jars = "/usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar";
    auto result = run_process({"java", "-cp", jars, SEGEL_BC_DECRYPT, (dir / "m.p7m").string(),
                               pki_file(user + ".cert.pem").string(), pki_file(user + ".key.pem").string()});
    return {result.exit_code == 0, result.out, result.err};
}

std::vector<std::string> embedded_certificate_subjects(const std::string& signature_der) {
    TempDir dir;
    write_file(dir / "sig.der", signature_der);
    auto result = run_process({"openssl", "pkcs7", "-inform", "DER", "-in", (dir / "sig.der").string(),
                               "-print_certs", "-noout"});
    std::vector<std::string> subjects;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("subject=", 0) == 0)
            subjects.push_back(line.substr(8));
    return subjects;
}

} // namespace segel::test
