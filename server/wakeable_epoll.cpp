// An epoll instance that another thread can wake (see wakeable_epoll.hpp).
#include "wakeable_epoll.hpp"

#include <cerrno>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

namespace knot::server {

void WakeableEpoll::open(std::uint64_t wakeup_key, const char* what) {
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeup = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll < 0 || m_wakeup < 0)
        throw std::system_error(errno, std::generic_category(), what);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = wakeup_key;
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeup, &event);
}

void WakeableEpoll::wake() const {
    if (m_wakeup < 0)
        return;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto ignored = ::write(m_wakeup, &one, sizeof one);
}

void WakeableEpoll::drain() const {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto ignored = ::read(m_wakeup, &count, sizeof count);
}

void WakeableEpoll::close() {
    for (const int fd : {m_epoll, m_wakeup})
        if (fd >= 0)
            ::close(fd);
    m_epoll = m_wakeup = -1;
}

} // namespace knot::server
