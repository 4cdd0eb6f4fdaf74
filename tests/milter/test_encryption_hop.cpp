// Outbound encryption through the pipelines, without libmilter (issue 12):
// the submission signs and marks (the subject trigger, the recipients'
// plans), the encryption hop encrypts the signed message for its one
// recipient, sends it signed only, or refuses it with a notice that names
// the recipient and the reason; every encryption is audited.
#include <catch2/catch.hpp>

#include "crl_builder.hpp"
#include "external_verifiers.hpp"
#include "milter/revocation_sources.hpp"
#include "pipeline_fixture.hpp"
#include "smime/header_text.hpp"

using namespace segel;
using directory::EncryptionMode;
using milter::EncryptionOutcome;
using milter::OutboundOutcome;
using milter::Verdict;
using test::FakeMta;
using test::k_alice;

namespace {

smime::Certificate pki_certificate(const std::string& file) {
    auto loaded = smime::Certificate::load_pem_file(test::pki_file(file).string());
    REQUIRE(loaded.has_value());
    return loaded->front();
}

struct HopFixture : test::ServiceFixture {
    HopFixture() {
        settings->encryption.enabled = true;
        settings->encryption.single_recipient_direct = false; // every message through the hop, unless a test says so
        settings->routing.encrypt_services = {"segel-encrypt"};
        for (const char* user : {"mitra", "sahabat", "rekan"})
            REQUIRE(store->import_correspondent(pki_certificate(std::string(user) + ".cert.pem"),
                                                directory::CertificateSource::operator_import, "", {"test"}));
        policy("*", EncryptionMode::opportunistic);
    }
    // A demo user's certificate (with its key) into the RA directory.
    bool import_user_certificate(const std::string& user) const {
        const auto& id = test::demo_identity(user);
        directory::ImportRequest request{id.certificate(), id.shared_private_key(), id.chain(),
                                         directory::CertificateKind::individual, {}};
        request.owner.email = id.certificate().email_addresses().front();
        return store->import_certificate(request, {"test"}).has_value();
    }
    void policy(const std::string& scope, EncryptionMode mode) const {
        directory::PolicyRule rule;
        rule.scope = scope;
        rule.mode = mode;
        REQUIRE(store->set_policy_rule(rule, {"test"}).has_value());
    }
    milter::Pipelines pipelines(std::shared_ptr<const smime::CrlStore> crls = nullptr) const {
        auto anchors = smime::TrustStore::from_certificates({pki_certificate("root.pem"), pki_certificate("issuing.pem")});
        REQUIRE(anchors.has_value());
        return milter::Pipelines(settings, store, std::nullopt, std::move(crls), nullptr, std::move(anchors).value());
    }
};

std::string letter(const std::string& to, const std::string& subject = "Rapat") {
    return test::crlf("From: Alice <" + k_alice + ">\nTo: " + to + "\nSubject: " + subject +
                      "\nMessage-ID: <hop@x>\nContent-Type: text/plain; charset=utf-8\n"
                      "Content-Transfer-Encoding: 8bit\n\nIsi surat \xc3\xa9.\n");
}

struct Submitted {
    milter::OutboundResult result;
    std::string message; // as Postfix queues it
};

Submitted submit(const milter::Pipelines& pipelines, const std::string& text, std::vector<std::string> recipients) {
    auto spooled = test::spool_shared(text);
    REQUIRE(spooled != nullptr);
    auto session = test::facts("Q1", k_alice, k_alice);
    session.recipients = std::move(recipients);
    FakeMta mta;
    auto result = pipelines.outbound().finish(session, smime::MimeEntity(spooled), mta);
    return {result, mta.rebuild(*spooled)};
}

struct Hopped {
    milter::EncryptionResult result;
    std::string message; // as delivered
    std::string reply;
};

Hopped hop(const milter::Pipelines& pipelines, const std::string& message, std::vector<std::string> recipients) {
    auto spooled = test::spool_shared(message);
    REQUIRE(spooled != nullptr);
    milter::SessionFacts session;
    session.queue_id = "Q2";
    session.envelope_sender = k_alice;
    session.daemon_name = "segel-encrypt";
    session.recipients = std::move(recipients);
    FakeMta mta;
    auto result = pipelines.encryption().finish(session, smime::MimeEntity(spooled), mta);
    return {result, mta.rebuild(*spooled), mta.reply};
}

std::string field(const std::string& message, const std::string& name) {
    const std::string header = message.substr(0, message.find("\r\n\r\n") + 2);
    const auto at = header.find("\r\n" + name + ": ");
    if (at == std::string::npos)
        return {};
    const auto start = at + name.size() + 4;
    return header.substr(start, header.find("\r\n", start) - start);
}

} // namespace

TEST_CASE("encryption hop: the submission signs and marks, the hop encrypts for the recipient, inner signature holds",
          "[milter][encryption]") {
    HopFixture f;
    const auto pipelines = f.pipelines();
    const auto submitted = submit(pipelines, letter("mitra@mitra.example"), {"mitra@mitra.example"});
    REQUIRE(submitted.result.outcome == OutboundOutcome::signed_message);
    CHECK(field(submitted.message, "X-Segel-Encrypt") == "opportunistic-all");
    CHECK_THAT(submitted.result.reason, Catch::Contains("marked for the encryption hop"));

    const auto hopped = hop(pipelines, submitted.message, {"mitra@mitra.example"});
    REQUIRE(hopped.result.outcome == EncryptionOutcome::encrypted);
    CHECK(hopped.result.verdict == Verdict::accept);
    CHECK(field(hopped.message, "X-Segel-Encrypt").empty());
    CHECK_THAT(field(hopped.message, "Content-Type"), Catch::Contains("application/pkcs7-mime") &&
                                                          Catch::Contains("enveloped-data"));
    CHECK(field(hopped.message, "Subject") == "Rapat");
    CHECK_THAT(hopped.result.reason, Catch::Contains("aes256-cbc") && Catch::Contains("rsa-pkcs1") &&
                                         Catch::Contains("operator_import"));
    const auto opened = test::decrypt_with_openssl(hopped.message, "mitra");
    INFO(opened.detail);
    REQUIRE(opened.ok);
    CHECK(test::verify_with_openssl(opened.content, k_alice).good); // sign-then-encrypt (RFC 8551 3.7)
    // Only the recipient's certificate: another key does not open it.
    CHECK_FALSE(test::decrypt_with_openssl(hopped.message, "sahabat").ok);

    // ENC-09: the audit log names the certificate, its source, cipher and key transport.
    const auto entries = f.store->audit_entries();
    REQUIRE(entries.has_value());
    const auto& last = entries->back();
    CHECK(last.action == "encrypt");
    CHECK_THAT(last.detail, Catch::Contains("to=mitra@mitra.example") &&
                                Catch::Contains(pki_certificate("mitra.cert.pem").sha256_fingerprint_hex()) &&
                                Catch::Contains("source:operator_import") && Catch::Contains("cipher=aes256-cbc") &&
                                Catch::Contains("key_transport=rsa-pkcs1"));
}

TEST_CASE("encryption hop: advertised GCM and OAEP are used, an EC recipient gets ECDH (RFC 4262, RFC 5753)",
          "[milter][encryption]") {
    HopFixture f;
    const auto pipelines = f.pipelines();
    for (const auto& [recipient, user, cipher, transport] :
         std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
             {"sahabat@example.net", "sahabat", "aes256-gcm", "rsa-oaep"},
             {"rekan@example.org", "rekan", "aes256-cbc", "ecdh"}}) {
        INFO(recipient);
        const auto submitted = submit(pipelines, letter(recipient), {recipient});
        const auto hopped = hop(pipelines, submitted.message, {recipient});
        REQUIRE(hopped.result.outcome == EncryptionOutcome::encrypted);
        CHECK_THAT(hopped.result.reason, Catch::Contains(cipher) && Catch::Contains(transport));
        const auto opened = test::decrypt_with_openssl(hopped.message, user);
        INFO(opened.detail);
        REQUIRE(opened.ok);
        CHECK(test::verify_with_openssl(opened.content, k_alice).good);
    }
}

TEST_CASE("encryption hop: the subject trigger raises to required and is removed, decoded or not", "[milter][encryption]") {
    HopFixture f;
    f.policy("*", EncryptionMode::never);
    const auto pipelines = f.pipelines();
    for (const auto& [subject, left] : std::vector<std::pair<std::string, std::string>>{
             {"[RAHASIA] Rapat anggaran", "Rapat anggaran"},
             {"Rapat [encrypt]", "Rapat"},
             {"=?UTF-8?Q?[rahasia]_Rapat_=C3=A9?=", "=?UTF-8?b?UmFwYXQgw6k=?="}}) {
        INFO(subject);
        const auto submitted = submit(pipelines, letter("mitra@mitra.example", subject), {"mitra@mitra.example"});
        REQUIRE(submitted.result.outcome == OutboundOutcome::signed_message);
        CHECK(field(submitted.message, "X-Segel-Encrypt") == "required");
        CHECK(smime::decode_header_text(field(submitted.message, "Subject")) == smime::decode_header_text(left));
        CHECK(hop(pipelines, submitted.message, {"mitra@mitra.example"}).result.outcome == EncryptionOutcome::encrypted);
    }
    // Without a tag, policy never: not marked, no extra hop; a field the sender wrote goes.
    const auto plain = submit(pipelines, letter("mitra@mitra.example", "Rapat\nX-Segel-Encrypt: required"),
                              {"mitra@mitra.example"});
    REQUIRE(plain.result.outcome == OutboundOutcome::signed_message);
    CHECK(field(plain.message, "X-Segel-Encrypt").empty());
}

TEST_CASE("encryption hop: required without a usable certificate is refused naming the recipient and why, in "
          "Indonesian and English",
          "[milter][encryption]") {
    HopFixture f;
    REQUIRE(f.store->import_correspondent(pki_certificate("mitra-old.cert.pem"),
                                          directory::CertificateSource::operator_import, "", {"test"}));
    f.policy("example.com", EncryptionMode::required);
    const auto pipelines = f.pipelines();
    const auto submitted = submit(pipelines, letter("x@example.com, mitra@mitra.example"),
                                  {"x@example.com", "mitra@mitra.example"});
    CHECK(field(submitted.message, "X-Segel-Encrypt") == "opportunistic-all");

    const auto refused = hop(pipelines, submitted.message, {"x@example.com"});
    CHECK(refused.result.outcome == EncryptionOutcome::recipient_refused);
    CHECK(refused.result.verdict == Verdict::reject);
    CHECK_THAT(refused.reply, Catch::StartsWith("550 5.7.1") && Catch::Contains("x@example.com") &&
                                  Catch::Contains("tidak ada sertifikat enkripsi") &&
                                  Catch::Contains("no encryption certificate is known"));
    // The other recipient still goes, encrypted.
    CHECK(hop(pipelines, submitted.message, {"mitra@mitra.example"}).result.outcome == EncryptionOutcome::encrypted);

    f.policy("mitra.example", EncryptionMode::required);
    REQUIRE(f.store->remove_correspondent(pki_certificate("mitra.cert.pem").sha256_fingerprint_hex(), {"test"}));
    const auto expired = hop(pipelines, submitted.message, {"mitra@mitra.example"});
    CHECK(expired.result.outcome == EncryptionOutcome::recipient_refused);
    CHECK_THAT(expired.reply, Catch::Contains("kedaluwarsa") && Catch::Contains("has expired"));
}

TEST_CASE("encryption hop: opportunistic sends signed only when a recipient of the message has no certificate",
          "[milter][encryption]") {
    HopFixture f;
    const auto pipelines = f.pipelines();
    const auto submitted = submit(pipelines, letter("mitra@mitra.example, x@example.com"),
                                  {"mitra@mitra.example", "x@example.com"});
    // Nothing would be encrypted: no extra hop at all.
    CHECK(field(submitted.message, "X-Segel-Encrypt").empty());
    // Marked by another reason (a required recipient), the opportunistic one stays clear.
    f.policy("example.com", EncryptionMode::required);
    const auto marked = submit(pipelines, letter("mitra@mitra.example, y@example.net"),
                               {"mitra@mitra.example", "y@example.net", "z@example.com"});
    CHECK(field(marked.message, "X-Segel-Encrypt") == "opportunistic-partial");
    const auto clear = hop(pipelines, marked.message, {"mitra@mitra.example"});
    CHECK(clear.result.outcome == EncryptionOutcome::sent_clear);
    CHECK(field(clear.message, "X-Segel-Encrypt").empty());
    const auto verdict = test::verify_with_openssl(clear.message, k_alice);
    INFO(verdict.detail);
    CHECK(verdict.good);
}

TEST_CASE("encryption hop: one recipient per transaction, unsigned or encrypted mail left as it is",
          "[milter][encryption]") {
    HopFixture f;
    const auto pipelines = f.pipelines();
    const auto submitted = submit(pipelines, letter("mitra@mitra.example"), {"mitra@mitra.example"});
    const auto several = hop(pipelines, submitted.message, {"mitra@mitra.example", "sahabat@example.net"});
    CHECK(several.result.outcome == EncryptionOutcome::several_recipients);
    CHECK_THAT(several.reply, Catch::StartsWith("451 4.5.3"));

    const auto unsigned_mail = hop(pipelines, letter("mitra@mitra.example"), {"mitra@mitra.example"});
    CHECK(unsigned_mail.result.outcome == EncryptionOutcome::left_as_is);
    CHECK(unsigned_mail.reply.empty());
    const auto encrypted = hop(pipelines, submitted.message, {"mitra@mitra.example"});
    REQUIRE(encrypted.result.outcome == EncryptionOutcome::encrypted);
    CHECK(hop(pipelines, encrypted.message, {"mitra@mitra.example"}).result.outcome == EncryptionOutcome::left_as_is);
}

TEST_CASE("encryption hop: a recipient certificate revoked by CRL stops encryption to it at the next message (CH-01)",
          "[milter][encryption]") {
    HopFixture f;
    f.policy("mitra.example", EncryptionMode::required);
    const auto submitted = submit(f.pipelines(), letter("mitra@mitra.example"), {"mitra@mitra.example"});
    test::CrlSpec spec;
    spec.issuer_cert_pem = test::pki_file("issuing.pem").string();
    spec.signer_key_pem = test::pki_file("issuing.key.pem").string();
    spec.revoked.push_back({pki_certificate("mitra.cert.pem").serial_hex(), 1}); // keyCompromise
    const std::string crl = (f.dir / "issuing.crl").string();
    test::write_crl(spec, crl);
    f.settings->verify.crls = {crl};
    std::string problem;
    auto crls = milter::load_crls(*f.settings, problem);
    REQUIRE(problem.empty());
    const auto refused = hop(f.pipelines(crls), submitted.message, {"mitra@mitra.example"});
    CHECK(refused.result.outcome == EncryptionOutcome::recipient_refused);
    CHECK_THAT(refused.reply, Catch::Contains("dicabut") && Catch::Contains("revoked"));
}

TEST_CASE("signatures name the sender's encryption certificate (SMIMEEncryptionKeyPreference) and carry it "
          "(RFC 8551 2.5.3)",
          "[milter][encryption]") {
    HopFixture f;
    REQUIRE(f.import_user_certificate("alice-enc"));
    const auto submitted = submit(f.pipelines(), letter("warga@example.net"), {"warga@example.net"});
    REQUIRE(submitted.result.outcome == OutboundOutcome::signed_message);
    CHECK(test::verify_with_openssl(submitted.message, k_alice).good);
    const auto parts = test::split_signed_message(submitted.message);
    // The other verifiers accept the attribute too.
    const auto gpgsm = test::verify_with_gpgsm(parts, k_alice);
    const auto nss = test::verify_with_nss(parts, "Alice Rahmawati");
    INFO(gpgsm.detail << nss.detail);
    CHECK(gpgsm.good);
    CHECK(nss.good);
    test::TempDir dir;
    test::write_file(dir / "sig.der", parts.signature_der);
    const auto printed = test::run_process({"openssl", "cms", "-inform", "DER", "-cmsout", "-print", "-in",
                                            (dir / "sig.der").string()});
    REQUIRE(printed.exit_code == 0);
    const auto encryption = pki_certificate("alice-enc.cert.pem");
    CHECK_THAT(printed.out, Catch::Contains("id-smime-aa-encrypKeyPref"));
    // The preference (issuer and serial, [0]) names it; the certificate set carries it.
    const std::string preference = printed.out.substr(printed.out.find("id-smime-aa-encrypKeyPref"));
    CHECK_THAT(preference, Catch::Contains("cont [ 0 ]") && Catch::Contains("Demo BSrE CA DS G1"));
    const std::string integer = preference.substr(preference.find("INTEGER"));
    CHECK_THAT(integer.substr(0, integer.find('\n')), Catch::EndsWith(":" + encryption.serial_hex()));
    CHECK_THAT(printed.out, Catch::Contains("serialNumber: " + std::to_string(std::stoul(encryption.serial_hex(), nullptr, 16))));
    CHECK(test::embedded_certificate_subjects(parts.signature_der).size() == 3); // signer, issuing CA, encryption

    // Without an encryption certificate: no preference.
    test::ServiceFixture plain;
    FakeMta mta;
    auto spooled = test::spool_shared(letter("warga@example.net"));
    REQUIRE(plain.service().outbound().finish(test::facts("Q3", k_alice, k_alice), smime::MimeEntity(spooled), mta)
                .outcome == OutboundOutcome::signed_message);
    const auto bare = test::split_signed_message(mta.rebuild(*spooled));
    test::write_file(dir / "bare.der", bare.signature_der);
    CHECK_THAT(test::run_process({"openssl", "cms", "-inform", "DER", "-cmsout", "-print", "-in", (dir / "bare.der").string()})
                   .out,
               !Catch::Contains("encrypKeyPref"));
}

TEST_CASE("encryption hop: a copy too large once encrypted is refused, never sent in clear instead (PF-09)",
          "[milter][encryption]") {
    HopFixture f;
    const auto submitted = submit(f.pipelines(), letter(std::string("mitra@mitra.example")), {std::string("mitra@mitra.example")});
    REQUIRE(submitted.result.outcome == OutboundOutcome::signed_message);
    f.settings->milter.max_message_bytes = static_cast<long long>(submitted.message.size() + 100);
    const auto hopped = hop(f.pipelines(), submitted.message, {std::string("mitra@mitra.example")});
    CHECK(hopped.result.outcome == EncryptionOutcome::too_large_encrypted);
    CHECK(hopped.result.verdict == Verdict::reject);
    CHECK_THAT(hopped.reply, Catch::StartsWith("550 5.7.1") && Catch::Contains("too large once encrypted"));
    CHECK(hopped.message == submitted.message); // nothing half-applied
}

TEST_CASE("single recipient: one external recipient is encrypted or refused at the submission, with no hop",
          "[milter][encryption]") {
    HopFixture f;
    f.settings->encryption.single_recipient_direct = true;
    f.policy("example.com", EncryptionMode::required);
    const auto pipelines = f.pipelines();
    const std::string mitra = "mitra@mitra.example";
    const auto encrypted = submit(pipelines, letter(mitra), {mitra});
    REQUIRE(encrypted.result.outcome == OutboundOutcome::signed_and_encrypted);
    CHECK(encrypted.result.verdict == Verdict::accept);
    CHECK(field(encrypted.message, "X-Segel-Encrypt").empty());
    CHECK_THAT(encrypted.result.reason, Catch::Contains("encrypted to mitra@mitra.example"));
    const auto opened = test::decrypt_with_openssl(encrypted.message, "mitra");
    REQUIRE(opened.ok);
    CHECK(test::verify_with_openssl(opened.content, k_alice).good);
    CHECK(f.store->audit_entries()->back().action == "encrypt");

    // Refused at once, the sender's client sees the notice.
    auto spooled = test::spool_shared(letter("x@example.com"));
    auto session = test::facts("Q5", k_alice, k_alice);
    session.recipients = {"x@example.com"};
    FakeMta mta;
    const auto refused = pipelines.outbound().finish(session, smime::MimeEntity(spooled), mta);
    CHECK(refused.outcome == OutboundOutcome::recipient_refused);
    CHECK(refused.verdict == Verdict::reject);
    CHECK_THAT(mta.reply, Catch::StartsWith("550 5.7.1") && Catch::Contains("x@example.com") &&
                              Catch::Contains("tidak ada sertifikat enkripsi"));
    CHECK(mta.body.empty());

    // An internal recipient may be an alias: it goes through the hop.
    const auto internal = submit(pipelines, letter("tim@tangerangkota.go.id"), {"tim@tangerangkota.go.id"});
    CHECK(field(internal.message, "X-Segel-Encrypt") == "opportunistic-all");
}

TEST_CASE("replies to a message the gateway decrypted are encrypted at least opportunistically, required where "
          "configured (DEC-09)",
          "[milter][encryption][decryption]") {
    HopFixture f;
    f.policy("*", EncryptionMode::never);
    // The gateway decrypted <enc-1@mitra.example> for alice earlier.
    directory::DecryptionEvent decrypted;
    decrypted.sender = "mitra@mitra.example";
    decrypted.recipients = {k_alice};
    decrypted.message_id = "<enc-1@mitra.example>";
    decrypted.cipher = "AES-256-CBC";
    REQUIRE(f.import_user_certificate("alice-enc"));
    decrypted.key = f.store->find_certificates({})->front();
    REQUIRE(f.store->record_decryption(decrypted, {"test"}));
    CHECK(*f.store->decrypted_any({"<other@x>", "<enc-1@mitra.example>"}));
    const auto pipelines = f.pipelines();
    const std::string reply = "In-Reply-To: <enc-1@mitra.example>\nReferences: <a@b> <enc-1@mitra.example>\n";

    // Policy never, yet the reply is marked with the floor and encrypted at the hop.
    const auto submitted = submit(pipelines, letter("mitra@mitra.example", "Re: Rahasia\n" + reply), {"mitra@mitra.example"});
    REQUIRE(submitted.result.outcome == OutboundOutcome::signed_message);
    CHECK(field(submitted.message, "X-Segel-Encrypt") == "opportunistic-all; floor=opportunistic");
    CHECK(hop(pipelines, submitted.message, {"mitra@mitra.example"}).result.outcome == EncryptionOutcome::encrypted);
    // The same letter without the reference is signed only, unmarked.
    const auto unrelated = submit(pipelines, letter("mitra@mitra.example"), {"mitra@mitra.example"});
    CHECK(field(unrelated.message, "X-Segel-Encrypt").empty());
    // Opportunistic: a recipient without a certificate gets it signed only.
    const auto no_certificate = submit(pipelines, letter("x@example.com", "Re: Rahasia\n" + reply), {"x@example.com"});
    CHECK(field(no_certificate.message, "X-Segel-Encrypt").empty());

    // replies_to_decrypted = required: such a recipient is refused.
    f.settings->encryption.replies_to_decrypted = "required";
    const auto strict = f.pipelines();
    const auto marked = submit(strict, letter("x@example.com", "Re: Rahasia\n" + reply), {"x@example.com"});
    CHECK(field(marked.message, "X-Segel-Encrypt") == "required");
    CHECK(hop(strict, marked.message, {"x@example.com"}).result.outcome == EncryptionOutcome::recipient_refused);
}
