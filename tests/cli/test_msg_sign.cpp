// `segel msg sign` as an operator runs it: exit codes, one-line reasons,
// output files, passphrase handling.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sys/stat.h>

#include "crl_builder.hpp"
#include "external_verifiers.hpp"
#include "signed_data_builder.hpp"
#include "test_support.hpp"

using namespace segel::test;

namespace {
std::string segel_bin() { return SEGEL_BIN; }

const std::string k_message = "From: Alice <alice@tangerangkota.go.id>\nTo: warga@example.com\nSubject: cli\n\nIsi.\n";

std::vector<std::string> pkcs12_args(const std::string& user) {
    return {segel_bin(), "msg", "sign", "--pkcs12", pki_file(user + ".p12").string(), "--passphrase-file",
            pki_file("p12-passphrase").string()};
}
} // namespace

TEST_CASE("segel msg sign reads stdin and writes a verifiable message to stdout", "[cli]") {
    const auto result = run_process(pkcs12_args("alice"), k_message);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto verdict = verify_with_openssl(result.out, "alice@tangerangkota.go.id");
    INFO(verdict.detail);
    CHECK(verdict.good);
}

TEST_CASE("segel msg sign with PEM certificate, key and chain and --out", "[cli]") {
    TempDir dir;
    write_file(dir / "in.eml", k_message);
    const auto result =
        run_process({segel_bin(), "msg", "sign", "--cert", pki_file("alice.cert.pem").string(), "--key",
                     pki_file("alice.key.pem").string(), "--chain", pki_file("chain.pem").string(), "--out",
                     (dir / "out.eml").string(), (dir / "in.eml").string()});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.empty());
    const auto parts = split_signed_message(read_file(dir / "out.eml"));
    CHECK(embedded_certificate_subjects(parts.signature_der).size() == 2);
    CHECK(verify_with_openssl(read_file(dir / "out.eml"), "alice@tangerangkota.go.id").good);
}

TEST_CASE("a refusal exits 65 with one line naming the reason, and writes no output file", "[cli]") {
    TempDir dir;
    write_file(dir / "in.eml", k_message);
    auto args = pkcs12_args("eko");
    args.insert(args.end(), {"--out", (dir / "out.eml").string(), (dir / "in.eml").string()});
    const auto result = run_process(args);
    CHECK(result.exit_code == 65);
    CHECK_THAT(result.err, Catch::StartsWith("segel: refused (certificate_expired): "));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(dir / "out.eml"));
}

TEST_CASE("a From the certificate does not cover exits 65", "[cli]") {
    const auto result = run_process(pkcs12_args("bambang"), k_message);
    CHECK(result.exit_code == 65);
    CHECK_THAT(result.err, Catch::Contains("certificate_address_mismatch"));
}

TEST_CASE("an already signed message is written unchanged with a note", "[cli]") {
    const auto first = run_process(pkcs12_args("alice"), k_message);
    REQUIRE(first.exit_code == 0);
    const auto second = run_process(pkcs12_args("alice"), first.out);
    CHECK(second.exit_code == 0);
    CHECK(second.out == first.out);
    CHECK_THAT(second.err, Catch::Contains("left untouched: already S/MIME signed"));
}

TEST_CASE("a wrong passphrase exits 77, no terminal and no passphrase file says how to give one", "[cli]") {
    TempDir dir;
    write_file(dir / "wrong", "nope\n");
    ::chmod((dir / "wrong").c_str(), 0600);
    const auto wrong = run_process({segel_bin(), "msg", "sign", "--pkcs12", pki_file("alice.p12").string(),
                                    "--passphrase-file", (dir / "wrong").string()},
                                   k_message);
    CHECK(wrong.exit_code == 77);
    CHECK_THAT(wrong.err, Catch::Contains("wrong passphrase"));

    // setsid-less child still may have a tty in a developer's shell; only
    // assert the message when there is none (as in CI).
    const auto none = run_process({"setsid", "-w", segel_bin(), "msg", "sign", "--pkcs12",
                                   pki_file("alice.p12").string()},
                                  k_message);
    CHECK(none.exit_code == 77);
    CHECK_THAT(none.err, Catch::Contains("--passphrase-file"));
}

TEST_CASE("passphrases are never accepted on the command line", "[cli]") {
    auto args = pkcs12_args("alice");
    args.push_back("--passphrase=demo-pass");
    const auto result = run_process(args, k_message);
    CHECK(result.exit_code == 64);
}

TEST_CASE("a key, PKCS#12 or passphrase file every user may read exits 77 with one line, no usage text", "[cli]") {
    TempDir dir;
    for (const char* name : {"alice.key.pem", "alice.p12", "p12-passphrase"}) {
        write_file(dir / name, read_file(pki_file(name)));
        ::chmod((dir / name).c_str(), 0644);
    }
    const std::vector<std::vector<std::string>> unsafe = {
        {segel_bin(), "msg", "sign", "--cert", pki_file("alice.cert.pem").string(), "--key", (dir / "alice.key.pem").string()},
        {segel_bin(), "msg", "sign", "--pkcs12", (dir / "alice.p12").string(), "--passphrase-file",
         pki_file("p12-passphrase").string()},
        {segel_bin(), "msg", "sign", "--pkcs12", pki_file("alice.p12").string(), "--passphrase-file",
         (dir / "p12-passphrase").string()},
    };
    for (const auto& args : unsafe) {
        const auto result = run_process(args, k_message);
        INFO(result.err);
        CHECK(result.exit_code == 77);
        CHECK_THAT(result.err, Catch::Contains("is readable by every user; chmod o-r it"));
        CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
        CHECK(result.out.empty());
    }
}

TEST_CASE("usage errors exit 64 and name the problem", "[cli]") {
    CHECK(run_process({segel_bin()}).exit_code == 64);
    CHECK(run_process({segel_bin(), "msg", "frobnicate"}).exit_code == 64);
    const auto both = run_process({segel_bin(), "msg", "sign", "--pkcs12", pki_file("alice.p12").string(), "--cert",
                                   pki_file("alice.cert.pem").string()});
    CHECK(both.exit_code == 64);
    CHECK_THAT(both.err, Catch::Contains("either --pkcs12 or --cert"));
    const auto missing = run_process({segel_bin(), "msg", "sign", "--pkcs12", "/nonexistent.p12"});
    CHECK(missing.exit_code == 64);
    CHECK_THAT(missing.err, Catch::Contains("/nonexistent.p12 does not exist"));
}

TEST_CASE("--help documents every option and exits 0", "[cli]") {
    const auto top = run_process({segel_bin(), "--help"});
    CHECK(top.exit_code == 0);
    CHECK_THAT(top.out, Catch::Contains("msg sign"));
    const auto sign = run_process({segel_bin(), "msg", "sign", "--help"});
    CHECK(sign.exit_code == 0);
    for (const char* option : {"--pkcs12", "--cert", "--key", "--chain", "--passphrase-file", "--out", "--temp-dir"})
        CHECK_THAT(sign.out, Catch::Contains(option));
}

TEST_CASE("a malformed message exits 65 naming the problem", "[cli]") {
    const auto result = run_process(pkcs12_args("alice"), "From: alice@tangerangkota.go.id\nthis is not a header\n");
    CHECK(result.exit_code == 65);
    CHECK_THAT(result.err, Catch::Contains("malformed_message") && Catch::Contains("header line 2"));
}

TEST_CASE("without --passphrase-file the passphrase is asked on the terminal", "[cli]") {
    // script(1) gives segel a pseudo-terminal; what we pipe in is typed there.
    TempDir dir;
    write_file(dir / "in.eml", k_message);
    const std::string command = segel_bin() + " msg sign --pkcs12 " + pki_file("alice.p12").string() + " --out " +
                                (dir / "out.eml").string() + " " + (dir / "in.eml").string();
    const auto typed = read_file(pki_file("p12-passphrase"));
    const auto result = run_process({"script", "-q", "-e", "-c", command, "/dev/null"}, typed);
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("Passphrase for "));
    CHECK(verify_with_openssl(read_file(dir / "out.eml"), "alice@tangerangkota.go.id").good);
}

TEST_CASE("segel msg verify --json stays valid UTF-8 when a certificate's email is not", "[cli][verify]") {
    TempDir dir;
    write_file(dir / "c.cnf", "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=Odd\n[ext]\n"
                              "subjectAltName=email:caf\xe9@example.org\nkeyUsage=digitalSignature\n");
    REQUIRE(run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", (dir / "k.pem").string(),
                         "-out", (dir / "c.pem").string(), "-config", (dir / "c.cnf").string(), "-extensions", "ext",
                         "-days", "3"})
                .exit_code == 0);
    write_file(dir / "m.eml", "From: x@example.org\r\nTo: y@example.org\r\nSubject: s\r\n\r\nhi\r\n");
    REQUIRE(run_process({"openssl", "smime", "-sign", "-in", (dir / "m.eml").string(), "-signer", (dir / "c.pem").string(),
                         "-inkey", (dir / "k.pem").string(), "-out", (dir / "s.eml").string()})
                .exit_code == 0);
    const auto result = run_process({segel_bin(), "msg", "verify", "--json", "--trust", pki_file("root.pem").string(),
                                     (dir / "s.eml").string()});
    INFO(result.err);
    CHECK_THAT(result.out, Catch::Contains("\"caf\\ufffd@example.org\""));
    CHECK(result.out.find('\xe9') == std::string::npos);
}

TEST_CASE("segel msg verify prints the verdict and the signer, --trust is required", "[cli][verify]") {
    const auto signed_message = run_process(pkcs12_args("alice"), k_message);
    REQUIRE(signed_message.exit_code == 0);
    const auto good = run_process({segel_bin(), "msg", "verify", "--trust", pki_file("root.pem").string()},
                                  signed_message.out);
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.out, Catch::StartsWith("verdict: smime=pass\n") && Catch::Contains("CN=Alice Rahmawati"));
    std::string tampered = signed_message.out;
    tampered.replace(tampered.find("Isi."), 4, "Isi!");
    const auto bad = run_process({segel_bin(), "msg", "verify", "--json", "--trust", pki_file("root.pem").string()},
                                 tampered);
    CHECK_THAT(bad.out, Catch::Contains("\"verdict\": \"fail\"") && Catch::Contains("\"digest_matches\": false"));
    CHECK(run_process({segel_bin(), "msg", "verify"}, signed_message.out).exit_code == 64);
}

TEST_CASE("segel msg verify: a signingTime ahead of the clock is policy unless --clock-skew-minutes allows it (CH-10)",
          "[cli][verify]") {
    const std::string message =
        "From: alice@tangerangkota.go.id\nTo: warga@example.com\nSubject: waktu\n" +
        opaque_signed_at(crlf("Content-Type: text/plain\n\nIsi.\n"), pki_file("alice.cert.pem").string(),
                         pki_file("alice.key.pem").string(), pki_file("chain.pem").string(),
                         std::chrono::system_clock::now() + std::chrono::hours(2));
    const std::string trust = pki_file("root.pem").string();
    const auto strict = run_process({segel_bin(), "msg", "verify", "--trust", trust}, message);
    CHECK(strict.exit_code == 0);
    CHECK_THAT(strict.out, Catch::StartsWith("verdict: smime=policy\n") &&
                               Catch::Contains("signing time: the signing time lies in the future"));
    const auto lenient =
        run_process({segel_bin(), "msg", "verify", "--clock-skew-minutes", "180", "--trust", trust}, message);
    CHECK_THAT(lenient.out, Catch::StartsWith("verdict: smime=pass\n"));
    const auto wrong = run_process({segel_bin(), "msg", "verify", "--clock-skew-minutes", "2000", "--trust", trust}, message);
    CHECK(wrong.exit_code == 64);
    CHECK_THAT(wrong.err, Catch::Contains("--clock-skew-minutes"));
}

TEST_CASE("segel msg verify --crl: a revoked signer is fail, --require-crl without one is temperror (REV-01)",
          "[cli][verify][revocation]") {
    const auto signed_message = run_process(pkcs12_args("alice"), k_message);
    REQUIRE(signed_message.exit_code == 0);
    TempDir dir;
    CrlSpec spec;
    spec.revoked = {{segel::test::demo_identity("alice").certificate().serial_hex(), 1}};
    spec.issuer_cert_pem = pki_file("issuing.pem").string();
    spec.signer_key_pem = pki_file("issuing.key.pem").string();
    write_crl(spec, (dir / "issuing.crl").string());
    const std::string trust = pki_file("root.pem").string();
    const auto revoked = run_process({segel_bin(), "msg", "verify", "--trust", trust, "--crl", (dir / "issuing.crl").string()},
                                     signed_message.out);
    CHECK_THAT(revoked.out, Catch::StartsWith("verdict: smime=fail\n") && Catch::Contains("revocation: key compromise"));
    const auto unknown = run_process({segel_bin(), "msg", "verify", "--trust", trust, "--require-crl"}, signed_message.out);
    CHECK_THAT(unknown.out, Catch::StartsWith("verdict: smime=temperror\n"));
    const auto missing = run_process({segel_bin(), "msg", "verify", "--trust", trust, "--crl", (dir / "none.crl").string()},
                                     signed_message.out);
    CHECK(missing.exit_code == 64);
    CHECK_THAT(missing.err, Catch::Contains("--crl"));
}

TEST_CASE("segel msg verify --at validates as of another time (OSSL-07)", "[cli][verify]") {
    // fajar's certificate becomes valid next month.
    const auto in_two_months = std::chrono::system_clock::now() + std::chrono::hours(24 * 61);
    const std::string message =
        "From: fajar@tangerangkota.go.id\nTo: warga@example.com\nSubject: nanti\n" +
        opaque_signed_at(crlf("Content-Type: text/plain\n\nSurat nanti.\n"), pki_file("fajar.cert.pem").string(),
                         pki_file("fajar.key.pem").string(), pki_file("chain.pem").string(), in_two_months);
    const std::string trust = pki_file("root.pem").string();
    const auto today = run_process({segel_bin(), "msg", "verify", "--trust", trust}, message);
    CHECK_THAT(today.out, Catch::StartsWith("verdict: smime=policy\n") && Catch::Contains("not yet valid"));
    char then[32];
    const std::time_t t = std::chrono::system_clock::to_time_t(in_two_months + std::chrono::hours(1));
    std::strftime(then, sizeof then, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    const auto later = run_process({segel_bin(), "msg", "verify", "--trust", trust, "--at", then}, message);
    INFO(later.out << later.err);
    CHECK_THAT(later.out, Catch::StartsWith("verdict: smime=pass\n"));
    const auto wrong = run_process({segel_bin(), "msg", "verify", "--trust", trust, "--at", "kemarin"}, message);
    CHECK(wrong.exit_code == 64);
    CHECK_THAT(wrong.err, Catch::Contains("--at"));
}

TEST_CASE("segel msg verify --eku-policy: anyExtendedKeyUsage passes by default, not under absent-ok (CH-07)",
          "[cli][verify]") {
    // segel msg sign refuses joko's certificate (OpenSSL recipients would, OSSL-03): the OpenSSL CLI signs.
    const std::string signed_message = "From: joko@tangerangkota.go.id\nSubject: eku\n" +
                                       openssl_opaque_signed(crlf("Content-Type: text/plain\n\nIsi.\n"), {"joko"});
    const std::string trust = pki_file("root.pem").string();
    CHECK_THAT(run_process({segel_bin(), "msg", "verify", "--trust", trust}, signed_message).out,
               Catch::StartsWith("verdict: smime=pass\n"));
    CHECK_THAT(run_process({segel_bin(), "msg", "verify", "--trust", trust, "--eku-policy", "absent-ok"}, signed_message).out,
               Catch::StartsWith("verdict: smime=policy\n"));
    CHECK(run_process({segel_bin(), "msg", "verify", "--trust", trust, "--eku-policy", "anyEKU"}, signed_message).exit_code == 64);
}
