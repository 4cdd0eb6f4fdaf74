// Authentication-Results and the plain-language field (AR-01..AR-03, AR-08, AR-09).
#include <catch2/catch.hpp>

#include <set>

#include "smime/verdict_headers.hpp"
#include "test_support.hpp"

using namespace segel;
using smime::Verdict;

namespace {
smime::VerificationReport passing_report() {
    smime::VerificationReport report;
    report.verdict = Verdict::pass;
    report.finding = smime::Finding::signed_by_sender;
    report.reason = "signed by alice@tangerangkota.go.id";
    report.form = "multipart/signed";
    report.from = "alice@tangerangkota.go.id";
    smime::SignerReport signer;
    signer.certificate = test::demo_identity("alice").certificate();
    signer.digest_matches = signer.signature_valid = signer.attributes_valid = signer.chain_valid = true;
    signer.bound_to_from = true;
    signer.revocation.status = smime::RevocationAnswer::Status::good;
    report.signers.push_back(signer);
    return report;
}
} // namespace

TEST_CASE("AR-01, AR-03: a pass names identifier, part, serial and issuer", "[smime][headers]") {
    const std::string value = smime::authentication_results_value(passing_report(), "tangerangkota.go.id");
    CHECK_THAT(value, Catch::StartsWith("tangerangkota.go.id; smime=pass (signed by alice@tangerangkota.go.id)"));
    CHECK_THAT(value, Catch::Contains("body.smime-identifier=alice@tangerangkota.go.id") &&
                          Catch::Contains("body.smime-part=2") &&
                          Catch::Contains("body.smime-serial=" + test::demo_identity("alice").certificate().serial_hex()) &&
                          Catch::Contains("body.smime-issuer=\"CN=Demo BSrE CA DS G1,"));
    CHECK(value.find('\r') == std::string::npos); // folded with LF + TAB only (MLT-04)
}

TEST_CASE("AR-02: an unsigned message is 'none'", "[smime][headers]") {
    smime::VerificationReport report;
    CHECK(smime::authentication_results_value(report, "tangerangkota.go.id") == "tangerangkota.go.id; none");
    CHECK(smime::plain_verdict_value(report, "id") == "Tidak ditandatangani");
}

TEST_CASE("AR-08: values from the message cannot inject fields or break the syntax", "[smime][headers]") {
    smime::VerificationReport report = passing_report();
    report.verdict = Verdict::policy;
    report.reason = "evil (reason)\r\nX-Injected: yes \\ \"q\"";
    const std::string value = smime::authentication_results_value(report, "tangerangkota.go.id");
    CHECK(value.find("\r\nX-Injected") == std::string::npos);
    CHECK(value.find('\r') == std::string::npos);
    CHECK_THAT(value, Catch::Contains("smime=policy (evil \\(reason\\)??X-Injected: yes \\\\ \"q\")"));
    const std::string plain = smime::plain_verdict_value(report, "en");
    CHECK(plain.find('\n') == std::string::npos);
}

TEST_CASE("AR-09: the plain field says who signed and who certified, in Indonesian or English", "[smime][headers]") {
    const auto report = passing_report();
    CHECK(smime::plain_verdict_value(report, "id") ==
          "Tanda tangan sah: ditandatangani oleh Alice Rahmawati <alice@tangerangkota.go.id>, disertifikasi oleh "
          "Demo BSrE CA DS G1");
    CHECK_THAT(smime::plain_verdict_value(report, "en"), Catch::StartsWith("Valid signature: signed by Alice Rahmawati"));
}

TEST_CASE("AR-09: every finding has its own Indonesian words, English keeps the verifier's reason", "[smime][headers]") {
    std::set<std::string> seen;
    for (int f = static_cast<int>(smime::Finding::partly_signed); f < static_cast<int>(smime::Finding::signed_by_sender); ++f) {
        smime::VerificationReport report = passing_report();
        report.verdict = Verdict::policy;
        report.finding = static_cast<smime::Finding>(f);
        report.reason = "the English reason";
        report.signers.front().chain_error = "unable to get local issuer certificate";
        const std::string indonesian = smime::plain_verdict_value(report, "id");
        INFO("finding " << f << ": " << indonesian);
        CHECK_THAT(indonesian, Catch::StartsWith("Tanda tangan tidak dapat diterima: "));
        CHECK(indonesian.find("English") == std::string::npos);
        CHECK(seen.insert(indonesian).second);
        CHECK(smime::plain_verdict_value(report, "en") == "Signature not accepted: the English reason");
    }
}

TEST_CASE("AR-09: Indonesian words for the common failures", "[smime][headers]") {
    smime::VerificationReport report = passing_report();
    report.verdict = Verdict::fail;
    report.finding = smime::Finding::content_changed;
    CHECK(smime::plain_verdict_value(report, "id") == "Tanda tangan TIDAK SAH: isi surel diubah setelah ditandatangani");
    report.verdict = Verdict::policy;
    report.finding = smime::Finding::untrusted;
    report.signers.front().chain_error = "certificate has expired";
    CHECK(smime::plain_verdict_value(report, "id") ==
          "Tanda tangan tidak dapat diterima: sertifikat penanda tangan sudah kedaluwarsa");
    report.signers.front().chain_error = "unsuitable certificate purpose"; // OpenSSL 3's X509_V_ERR_INVALID_PURPOSE
    CHECK(smime::plain_verdict_value(report, "id") ==
          "Tanda tangan tidak dapat diterima: sertifikat penanda tangan bukan untuk tanda tangan surel");
    report.finding = smime::Finding::not_the_sender;
    report.from = "bambang@tangerangkota.go.id";
    CHECK(smime::plain_verdict_value(report, "id") ==
          "Tanda tangan tidak dapat diterima: penanda tangan bukan pengirim bambang@tangerangkota.go.id");
}

TEST_CASE("an encrypted message is not called unsigned", "[smime][headers]") {
    smime::VerificationReport report;
    report.finding = smime::Finding::encrypted;
    CHECK(smime::plain_verdict_value(report, "id") == "Terenkripsi: periksa tanda tangannya di aplikasi surel Anda");
    CHECK(smime::plain_verdict_value(report, "en") == "Encrypted: check the signature in your mail client");
}

TEST_CASE("CMS-04: with several signers the fields name the deciding one and every signer", "[smime][headers]") {
    smime::VerificationReport report = passing_report();
    smime::SignerReport forged = report.signers.front();
    forged.certificate = test::demo_identity("bambang").certificate();
    forged.digest_matches = false;
    report.signers.push_back(forged);
    report.verdict = Verdict::fail;
    report.finding = smime::Finding::content_changed;
    report.reason = "the content was changed after it was signed (signer 2 of 2)";
    report.deciding_signer = 1;
    const std::string plain = smime::plain_verdict_value(report, "id");
    CHECK_THAT(plain, Catch::StartsWith("Tanda tangan TIDAK SAH: isi surel diubah setelah ditandatangani") &&
                          Catch::Contains("penanda tangan: alice@tangerangkota.go.id, bambang@tangerangkota.go.id"));
    const std::string results = smime::authentication_results_value(report, "tangerangkota.go.id");
    CHECK_THAT(results, Catch::Contains("smime=fail") &&
                            Catch::Contains("body.smime-serial=" + test::demo_identity("bambang").certificate().serial_hex()));
}

TEST_CASE("CH-04: a display name showing another address is worded plainly", "[smime][headers]") {
    smime::VerificationReport report = passing_report();
    report.from = "bambang@tangerangkota.go.id";
    report.verdict = Verdict::policy;
    report.finding = smime::Finding::display_name_address;
    report.shown_address = "alice@tangerangkota.go.id";
    report.reason = "the From display name shows another address: alice@tangerangkota.go.id";
    CHECK(smime::plain_verdict_value(report, "id") ==
          "Tanda tangan tidak dapat diterima: nama pengirim memuat alamat lain (alice@tangerangkota.go.id), bukan "
          "alamat pengirim sebenarnya bambang@tangerangkota.go.id");
    CHECK_THAT(smime::plain_verdict_value(report, "en"), Catch::Contains("shows another address: alice@"));
}
