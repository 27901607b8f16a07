// An epoll instance with an eventfd in it, so that another thread can interrupt epoll_wait: what
// the event loops of the HTTP listener and the stream reactor each need.
#pragma once

#include <cstdint>

namespace knot::server {

class WakeableEpoll {
public:
    WakeableEpoll() = default;
    ~WakeableEpoll() { close(); }
    WakeableEpoll(const WakeableEpoll&) = delete;
    WakeableEpoll& operator=(const WakeableEpoll&) = delete;

    // Opens the epoll instance and the eventfd, the latter watched for reading with
    // `wakeup_key` as its event data. Throws std::system_error naming `what` when it cannot.
    void open(std::uint64_t wakeup_key, const char* what);
    // Makes the loop's epoll_wait return; safe from any thread, nothing when not open.
    void wake() const;
    // Takes the wake-ups out, for the loop when the wakeup key fired.
    void drain() const;
    // Closes both descriptors.
    void close();
    // The epoll instance, -1 when not open.
    int fd() const { return m_epoll; }

private:
    int m_epoll = -1;
    int m_wakeup = -1;
};

} // namespace knot::server
