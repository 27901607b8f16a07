// Tests of server/wakeable_epoll.cpp.
#include "server/wakeable_epoll.hpp"

#include <catch2/catch.hpp>
#include <sys/epoll.h>
#include <thread>

using namespace knot::server;

namespace {

constexpr std::uint64_t k_key = 7;

// The keys epoll_wait reports within `timeout_ms`.
std::vector<std::uint64_t> ready(const WakeableEpoll& loop, int timeout_ms) {
    epoll_event events[4];
    const int n = ::epoll_wait(loop.fd(), events, 4, timeout_ms);
    std::vector<std::uint64_t> keys;
    for (int i = 0; i < n; ++i)
        keys.push_back(events[i].data.u64);
    return keys;
}

} // namespace

TEST_CASE("a wake from another thread ends the wait with the wakeup key, until drained") {
    WakeableEpoll loop;
    loop.open(k_key, "test");
    CHECK(ready(loop, 0).empty());
    std::thread waker([&] { loop.wake(); });
    CHECK(ready(loop, 10000) == std::vector<std::uint64_t>{k_key});
    waker.join();
    loop.wake(); // wake-ups pile up; one drain takes them all
    loop.drain();
    CHECK(ready(loop, 0).empty());
    loop.close();
    CHECK(loop.fd() == -1);
    loop.wake(); // closed: nothing happens
}
