// At most N holders at a time (SEC-07: bounded concurrency of revocation
// fetches); a caller waits for a slot up to a deadline. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace segel::smime {

class ConcurrencyLimit {
public:
    explicit ConcurrencyLimit(std::size_t slots) : m_free(slots) {}

    // A held slot, released when it goes out of scope; false when none
    // came free before the deadline.
    class Slot {
    public:
        explicit Slot(ConcurrencyLimit* owner) : m_owner(owner) {}
        Slot(Slot&& other) noexcept : m_owner(other.m_owner) { other.m_owner = nullptr; }
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        Slot& operator=(Slot&&) = delete;
        ~Slot() {
            if (m_owner != nullptr)
                m_owner->release();
        }
        explicit operator bool() const { return m_owner != nullptr; }

    private:
        ConcurrencyLimit* m_owner;
    };

    Slot acquire(std::chrono::steady_clock::duration wait) {
        std::unique_lock lock(m_mutex);
        if (!m_freed.wait_for(lock, wait, [this] { return m_free > 0; }))
            return Slot(nullptr);
        --m_free;
        return Slot(this);
    }

private:
    void release() {
        {
            std::lock_guard lock(m_mutex);
            ++m_free;
        }
        m_freed.notify_one();
    }
    std::mutex m_mutex;
    std::condition_variable m_freed;
    std::size_t m_free;
};

} // namespace segel::smime
