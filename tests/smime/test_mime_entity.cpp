// MIME entities and the steps that compose on them (issue 11): an entity
// is written back as it came, rewrites compose, the sign step takes an
// entity and the verify step verifies the entity it produced.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "smime/mime_entity.hpp"
#include "smime/signer.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"
#include "external_verifiers.hpp"
#include "test_support.hpp"

using namespace segel;
using namespace segel::test;

namespace {

const std::string k_message = crlf("From: Alice <alice@tangerangkota.go.id>\nTo: warga@example.com\nSubject: x\n"
                                   "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                                   "Isi surat \xc3\xa9.\nBaris kedua.\n");

smime::TrustStore anchors() {
    auto store = smime::TrustStore::load_pem_file(pki_file("root.pem").string());
    REQUIRE(store.has_value());
    return std::move(store).value();
}

smime::MimeEntity signed_entity(const smime::MimeEntity& entity) {
    auto outcome = smime::sign(entity, demo_identity("alice"));
    REQUIRE(outcome.has_value());
    REQUIRE(std::holds_alternative<smime::SignedEntity>(*outcome));
    return std::get<smime::SignedEntity>(*outcome).entity;
}

} // namespace

TEST_CASE("an unchanged entity is written back byte for byte", "[entity]") {
    const auto entity = entity_of(k_message);
    CHECK_FALSE(entity.changed());
    CHECK(entity_text(entity, 7) == k_message);
    CHECK(*entity.size() == k_message.size());
}

TEST_CASE("rewrites compose: removal by name reaches earlier additions, sizes are exact", "[entity]") {
    const auto start = entity_of(k_message);
    auto body = smime::BodyStream();
    body.append("new body\r\n");
    const auto first = start.rewritten({"subject"}, {{"X-One", "1"}, {"X-Two", "2"}});
    CHECK_FALSE(first.body_replaced());
    const auto second = first.rewritten({"X-One", "Content-Transfer-Encoding"}, {{"X-Three", "3"}}, std::move(body));
    CHECK(second.body_replaced());
    CHECK(second.removed_fields() == std::vector<std::string>{"subject", "Content-Transfer-Encoding"});
    REQUIRE(second.added_fields().size() == 2);
    CHECK(second.added_fields()[0].name == "X-Two");
    CHECK(second.added_fields()[1].name == "X-Three");
    const std::string text = entity_text(second, 7);
    CHECK(text == crlf("From: Alice <alice@tangerangkota.go.id>\nTo: warga@example.com\n"
                       "Content-Type: text/plain; charset=utf-8\nX-Two: 2\nX-Three: 3\n\nnew body\n"));
    CHECK(*second.size() == text.size());
    // The origin is untouched by its rewrites.
    CHECK(entity_text(start, 7) == k_message);
}

TEST_CASE("materialise spools the entity again, the same bytes as written", "[entity]") {
    auto body = smime::BodyStream();
    body.append("line\r\n").append(std::string(3 << 20, 'x')).append("\r\n");
    const auto entity = entity_of(k_message).rewritten({}, {{"X-Big", "yes"}}, std::move(body));
    auto spooled = entity.materialise(std::filesystem::temp_directory_path());
    REQUIRE(spooled.has_value());
    CHECK(spooled->size() == *entity.size());
    CHECK(entity_text(smime::MimeEntity::of(std::move(spooled).value())) == entity_text(entity, 7));
}

TEST_CASE("sign an entity, then verify the result as an entity (SM-04)", "[entity][sign]") {
    const auto result = signed_entity(entity_of(k_message));
    CHECK(result.changed());
    CHECK_THAT(entity_text(result, 7), Catch::Contains("multipart/signed"));
    auto report = smime::verify(result, anchors());
    REQUIRE(report.has_value());
    CHECK(report->verdict == smime::Verdict::pass);
    CHECK(verify_with_openssl(entity_text(result, 7), "alice@tangerangkota.go.id").good);
}

TEST_CASE("steps compose: a changed entity is signed as it is now", "[entity][sign]") {
    const auto changed = entity_of(k_message).rewritten({"Subject"}, {{"Subject", "Perihal baru"}});
    const auto result = signed_entity(changed);
    const std::string text = entity_text(result, 7);
    CHECK_THAT(text, Catch::Contains("Subject: Perihal baru") && !Catch::Contains("Subject: x"));
    auto report = smime::verify(result, anchors());
    REQUIRE(report.has_value());
    CHECK(report->verdict == smime::Verdict::pass);
    // A change after signing is seen by verification of the entity.
    auto tampered_body = smime::BodyStream();
    std::string body_text = text.substr(text.find("\r\n\r\n") + 4);
    REQUIRE(body_text.find("Baris kedua") != std::string::npos);
    body_text.replace(body_text.find("Baris kedua"), 11, "Baris ketiga");
    tampered_body.append(body_text);
    auto tampered = smime::verify(result.rewritten({}, {}, std::move(tampered_body)), anchors());
    REQUIRE(tampered.has_value());
    CHECK(tampered->verdict != smime::Verdict::pass);
}

TEST_CASE("a body stream gives the same bytes in any chunk size and when read twice", "[entity]") {
    TempDir dir;
    auto file = smime::TempFile::create(dir.path());
    REQUIRE(file.has_value());
    REQUIRE(file->write_all("middle-from-a-file"));
    smime::BodyStream body;
    body.append("head;").append(std::move(file).value()).append(";tail");
    for (std::size_t chunk : {1u, 3u, 1000u}) {
        std::string out;
        REQUIRE(body.stream(chunk, [&](std::string_view piece) {
            CHECK(piece.size() <= chunk);
            out.append(piece);
            return true;
        }));
        CHECK(out == "head;middle-from-a-file;tail");
    }
    CHECK(*body.size() == 28);
    CHECK_FALSE(body.stream(4, [](std::string_view) { return false; }).has_value());
}
