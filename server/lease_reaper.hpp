// The background thread that ends file-lock leases on time, so an idle room's expired locks
// are freed (and announced) even when nobody touches them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace knot::server {

class Store;

class LeaseReaper {
public:
    // Starts the thread: every `interval` it expires the due locks of each room in one
    // transaction per room (one lock.expired event per lock). `on_released`, when set, is called
    // after a transaction that queued integration runs the expired locks held.
    // `sweep`, when set, runs each round too (the review deadlines); true from it also calls
    // `on_released`.
    explicit LeaseReaper(Store& store, std::chrono::milliseconds interval = std::chrono::seconds(1),
                         std::function<void()> on_released = {}, std::function<bool()> sweep = {});
    // Stops and joins the thread at once, without waiting for the interval to pass.
    ~LeaseReaper();
    LeaseReaper(const LeaseReaper&) = delete;
    LeaseReaper& operator=(const LeaseReaper&) = delete;

private:
    void run();
    void reap();

    Store& m_store;
    const std::chrono::milliseconds m_interval;
    std::function<void()> m_on_released;
    std::function<bool()> m_sweep;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace knot::server
