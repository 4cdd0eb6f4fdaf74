#include "milter/trace_recorder.hpp"

#include <vector>

namespace segel::milter {
namespace {
constexpr std::size_t k_batch = 256;
constexpr std::size_t k_most_waiting = 10000;
constexpr auto k_prune_every = std::chrono::hours(1);
constexpr auto k_problem_every = std::chrono::minutes(1);
} // namespace

TraceRecorder::TraceRecorder(std::shared_ptr<directory::DirectoryService> directory, std::chrono::hours retention,
                             Problem problem, std::chrono::milliseconds interval)
    : m_directory(std::move(directory)), m_retention(retention), m_problem(std::move(problem)), m_interval(interval),
      m_thread([this] { run(); }) {}

TraceRecorder::~TraceRecorder() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void TraceRecorder::record(directory::TraceRecord record) {
    std::lock_guard lock(m_mutex);
    if (m_waiting.size() >= k_most_waiting) {
        m_waiting.pop_front();
        ++m_dropped;
    }
    m_waiting.push_back(std::move(record));
    if (m_waiting.size() >= k_batch)
        m_wake.notify_one();
}

std::uint64_t TraceRecorder::dropped() const {
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

void TraceRecorder::run() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_wake.wait_for(lock, m_interval, [this] { return m_stopping || m_waiting.size() >= k_batch; });
        const bool stopping = m_stopping;
        while (!m_waiting.empty() && write_waiting(lock)) {
        }
        if (stopping)
            return;
        lock.unlock();
        prune_if_due();
        lock.lock();
    }
}

// Writes one batch with the lock released; false when it failed (the batch
// goes back to the front to be tried again).
bool TraceRecorder::write_waiting(std::unique_lock<std::mutex>& lock) {
    const std::size_t count = std::min(m_waiting.size(), k_batch);
    std::vector<directory::TraceRecord> batch(std::make_move_iterator(m_waiting.begin()),
                                              std::make_move_iterator(m_waiting.begin() + static_cast<long>(count)));
    m_waiting.erase(m_waiting.begin(), m_waiting.begin() + static_cast<long>(count));
    lock.unlock();
    auto written = m_directory->record_trace(batch);
    if (!written)
        tell("trace: " + std::to_string(batch.size()) + " records wait: " + written.error().detail);
    lock.lock();
    if (written)
        return true;
    for (auto it = batch.rbegin(); it != batch.rend() && m_waiting.size() < k_most_waiting; ++it)
        m_waiting.push_front(std::move(*it));
    return false;
}

void TraceRecorder::prune_if_due() {
    const auto now = std::chrono::steady_clock::now();
    if (m_last_prune != std::chrono::steady_clock::time_point{} && now - m_last_prune < k_prune_every)
        return;
    m_last_prune = now;
    if (auto pruned = m_directory->prune_trace(std::chrono::system_clock::now() - m_retention); !pruned)
        tell("trace: cannot prune: " + pruned.error().detail);
}

void TraceRecorder::tell(const std::string& problem) {
    const auto now = std::chrono::steady_clock::now();
    if (m_last_problem != std::chrono::steady_clock::time_point{} && now - m_last_problem < k_problem_every)
        return;
    m_last_problem = now;
    if (m_problem)
        m_problem(problem);
}

} // namespace segel::milter
