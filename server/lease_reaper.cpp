// The lease reaper thread (see lease_reaper.hpp).
#include "lease_reaper.hpp"

#include "libknot/protocol/protocol.hpp"
#include "lock_table.hpp"
#include "log.hpp"
#include "push_locks.hpp"
#include "store.hpp"

namespace knot::server {

LeaseReaper::LeaseReaper(Store& store, std::chrono::milliseconds interval,
                         std::function<void()> on_released, std::function<bool()> sweep)
    : m_store(store)
    , m_interval(interval)
    , m_on_released(std::move(on_released))
    , m_sweep(std::move(sweep))
    , m_thread([this] { run(); }) {}

LeaseReaper::~LeaseReaper() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void LeaseReaper::run() {
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, m_interval, [this] { return m_stopping; })) {
        lock.unlock();
        // A thread's body is its own top level: an error here (a full disk) must not end the
        // process, and the next round retries; lock operations expire leases themselves anyway.
        try {
            reap();
        } catch (const std::exception& error) {
            log_line(std::string("error: expiring leases: ") + error.what());
        }
        lock.lock();
    }
}

void LeaseReaper::reap() {
    const std::int64_t now = unix_now();
    std::vector<std::string> rooms;
    m_store.read([&](const Reader& reader) { rooms = reader.rooms_with_due_locks(now); });
    for (const std::string& room_id : rooms) {
        bool released = false;
        m_store.write([&](Transaction& transaction) {
            expire_due_locks(transaction, room_id, now);
            released = released_held_runs(transaction);
        });
        if (released && m_on_released)
            m_on_released();
    }
    if (m_sweep && m_sweep() && m_on_released)
        m_on_released();
}

} // namespace knot::server
