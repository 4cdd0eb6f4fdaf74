// The trace recorder: what it is given reaches the directory's message
// trace in the background, waits (and is told about) while the directory
// cannot be written, and is written when the recorder stops.
#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <thread>

#include <sqlite3.h>

#include "milter/trace_recorder.hpp"
#include "pipeline_fixture.hpp"

using namespace segel;
using segel::test::ServiceFixture;

namespace {

directory::TraceRecord traced(const std::string& queue_id) {
    return directory::TraceRecord{std::chrono::system_clock::now(), queue_id, "<" + queue_id + "@x>", "outbound",
                                  "signed", "accept", "alice", "alice@tangerangkota.go.id", {"warga@example.com"},
                                  "1000", "signed"};
}

std::size_t traced_count(directory::DirectoryService& directory) {
    auto found = directory.find_trace({});
    return found ? found->size() : 0;
}

bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 200; ++i) {
        if (condition())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
}

} // namespace

TEST_CASE("trace: records reach the directory in the background, and what is left when it stops", "[milter][trace]") {
    ServiceFixture f;
    {
        milter::TraceRecorder recorder(f.store, std::chrono::hours(24), nullptr, std::chrono::milliseconds(50));
        recorder.record(traced("Q1"));
        recorder.record(traced("Q2"));
        CHECK(eventually([&] { return traced_count(*f.store) == 2; }));
    }
    {
        milter::TraceRecorder slow(f.store, std::chrono::hours(24), nullptr, std::chrono::hours(1));
        slow.record(traced("Q3"));
    }
    CHECK(traced_count(*f.store) == 3);
}

TEST_CASE("trace: while the directory is locked records wait, the problem is told, then they are written",
          "[milter][trace]") {
    ServiceFixture f;
    directory::DirectoryOptions options;
    options.busy_timeout = std::chrono::milliseconds(50);
    std::shared_ptr<directory::DirectoryService> impatient(
        std::move(directory::open_directory((f.dir / "d.sqlite").string(), options)).value());
    sqlite3* holder = nullptr;
    REQUIRE(sqlite3_open((f.dir / "d.sqlite").c_str(), &holder) == SQLITE_OK);
    REQUIRE(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    std::atomic<int> told{0};
    milter::TraceRecorder recorder(impatient, std::chrono::hours(24), [&](const std::string&) { ++told; },
                                   std::chrono::milliseconds(50));
    recorder.record(traced("Q1"));
    CHECK(eventually([&] { return told > 0; }));
    sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(holder);
    CHECK(eventually([&] { return traced_count(*f.store) == 1; }));
    CHECK(recorder.dropped() == 0);
}
