// Records what segel-milter decided for each message in the directory's
// message trace (directory/message_trace.hpp) without touching the reply
// path: record() only queues; a thread of its own writes what waits in
// batches (one transaction each, every `interval` or at 256 records) and,
// once an hour, deletes records older than the retention. While the
// directory cannot be written the batch waits and is tried again; past
// 10,000 waiting records the oldest are dropped and counted. The destructor
// writes what is left (one try) and stops. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "directory/directory_service.hpp"

namespace segel::milter {

class TraceRecorder {
public:
    using Problem = std::function<void(const std::string&)>; // told of each failure (rate-limited)

    TraceRecorder(std::shared_ptr<directory::DirectoryService> directory, std::chrono::hours retention,
                  Problem problem, std::chrono::milliseconds interval = std::chrono::seconds(1));
    ~TraceRecorder();
    TraceRecorder(const TraceRecorder&) = delete;
    TraceRecorder& operator=(const TraceRecorder&) = delete;

    void record(directory::TraceRecord record);
    std::uint64_t dropped() const;

private:
    void run();
    bool write_waiting(std::unique_lock<std::mutex>& lock);
    void prune_if_due();
    void tell(const std::string& problem);

    std::shared_ptr<directory::DirectoryService> m_directory;
    std::chrono::hours m_retention;
    Problem m_problem;
    std::chrono::milliseconds m_interval;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<directory::TraceRecord> m_waiting;
    std::uint64_t m_dropped = 0;
    bool m_stopping = false;
    std::chrono::steady_clock::time_point m_last_prune{}, m_last_problem{};
    std::thread m_thread; // last: starts once the rest is ready
};

} // namespace segel::milter
