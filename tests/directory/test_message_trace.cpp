// The message trace on every backend: batches recorded, found by
// Message-ID, queue id, sender or recipient (any case, any part) and by
// date, newest first with a limit, pruned by age, and carried by a copy.
#include <catch2/catch.hpp>

#include "directory/directory_copy.hpp"
#include "directory_fixture.hpp"

using namespace segel;
using segel::test::DirectoryFixture;
using directory::TraceQuery;
using directory::TraceRecord;

namespace {

TraceRecord record(int minutes_ago, const std::string& queue_id, const std::string& sender,
                   std::vector<std::string> recipients, const std::string& decision) {
    const auto at = std::chrono::system_clock::now() - std::chrono::minutes(minutes_ago);
    return TraceRecord{std::chrono::time_point_cast<std::chrono::seconds>(at), queue_id,
                       "<" + queue_id + "@tangerangkota.go.id>", "outbound", decision, "accept", "alice", sender,
                       std::move(recipients), "1000", "signed; why: " + decision};
}

std::vector<std::string> queue_ids(const std::vector<TraceRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.queue_id);
    return out;
}

} // namespace

TEST_CASE("the message trace is recorded in batches and found by any of its keys and by date", "[directory][trace]") {
    DirectoryFixture f;
    REQUIRE(f.store->record_trace({record(30, "4QAA1", "alice@tangerangkota.go.id", {"warga@example.com"}, "signed"),
                                   record(20, "4QBB2", "bambang@tangerangkota.go.id",
                                          {"Mitra@Mitra.example", "rekan@example.org"}, "signed_and_encrypted")}));
    REQUIRE(f.store->record_trace({record(10, "4QCC3", "eko@tangerangkota.go.id", {"warga@example.com"},
                                          "certificate_revoked")}));
    auto all = f.store->find_trace({});
    REQUIRE(all);
    CHECK(queue_ids(*all) == std::vector<std::string>{"4QCC3", "4QBB2", "4QAA1"});
    CHECK(all->at(1).recipients == std::vector<std::string>{"Mitra@Mitra.example", "rekan@example.org"});
    CHECK(all->at(1).reason == "signed; why: signed_and_encrypted");

    CHECK(queue_ids(*f.store->find_trace({"4qbb2", {}, {}, 200})) == std::vector<std::string>{"4QBB2"});
    CHECK(queue_ids(*f.store->find_trace({"<4QAA1@", {}, {}, 200})) == std::vector<std::string>{"4QAA1"});
    CHECK(queue_ids(*f.store->find_trace({"BAMBANG@", {}, {}, 200})) == std::vector<std::string>{"4QBB2"});
    CHECK(queue_ids(*f.store->find_trace({"mitra.example", {}, {}, 200})) == std::vector<std::string>{"4QBB2"});
    CHECK(queue_ids(*f.store->find_trace({"warga@", {}, {}, 1})) == std::vector<std::string>{"4QCC3"});
    CHECK(f.store->find_trace({"50%_", {}, {}, 200})->empty()); // no wildcards
    const auto now = std::chrono::system_clock::now();
    CHECK(queue_ids(*f.store->find_trace({"", now - std::chrono::minutes(25), now - std::chrono::minutes(15), 200})) ==
          std::vector<std::string>{"4QBB2"});

    auto pruned = f.store->prune_trace(now - std::chrono::minutes(15));
    REQUIRE(pruned);
    CHECK(*pruned == 2);
    CHECK(queue_ids(*f.store->find_trace({})) == std::vector<std::string>{"4QCC3"});
}

TEST_CASE("a directory copy carries the message trace", "[directory][trace]") {
    DirectoryFixture f({"tangerangkota.go.id"}, "sqlite");
    REQUIRE(f.store->record_trace({record(5, "4QAA1", "alice@tangerangkota.go.id", {"warga@example.com"}, "signed")}));
    const std::string target = "sqlite:" + (f.dir / "copy.sqlite").string();
    directory::DirectoryOptions options;
    options.create = true;
    auto copied = directory::copy_directory(f.url(), target, options, test::k_test_actor);
    REQUIRE(copied);
    CHECK(copied->trace_records == 1);
    auto opened = f.open_url(target);
    CHECK(queue_ids(*opened->find_trace({})) == std::vector<std::string>{"4QAA1"});
}
