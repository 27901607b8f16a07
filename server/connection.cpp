// One client connection (see connection.hpp).
#include "connection.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace knot::server {
namespace {

constexpr std::size_t k_read_chunk = 64 * 1024;
constexpr std::size_t k_linger_bytes = 8 * 1024 * 1024;

// Waits for `events` on `fd` until `deadline`; false when it passed first.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0)
            return false;
        pollfd pfd{fd, events, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 60000)));
        if (ready > 0)
            return true;
        if (ready < 0 && errno != EINTR)
            throw ConnectionLost(std::string("poll: ") + std::strerror(errno));
    }
}

} // namespace

ConnectionLimits::Lease::~Lease() {
    if (m_limits)
        m_limits->release(m_address);
}

std::unique_ptr<ConnectionLimits::Lease> ConnectionLimits::admit(const std::string& address) {
    std::lock_guard lock(m_mutex);
    std::size_t& open = m_open[address];
    if (open >= m_per_address || m_open_total >= m_total) {
        if (open == 0)
            m_open.erase(address);
        return nullptr;
    }
    ++open;
    ++m_open_total;
    return std::make_unique<Lease>(*this, address);
}

void ConnectionLimits::release(const std::string& address) {
    std::lock_guard lock(m_mutex);
    --m_open_total;
    const auto it = m_open.find(address);
    if (it != m_open.end() && --it->second == 0)
        m_open.erase(it);
}

Connection::Connection(int fd, std::string peer, std::unique_ptr<ConnectionLimits::Lease> lease)
    : m_fd(fd)
    , m_peer(std::move(peer))
    , m_lease(std::move(lease)) {}

Connection::~Connection() {
    // The place in the counts goes back first: once a client sees the close it may connect
    // again and must find it free.
    m_lease.reset();
    ::close(m_fd);
}

bool Connection::read_more(std::chrono::steady_clock::time_point deadline) {
    std::array<char, k_read_chunk> buffer{};
    for (;;) {
        const ssize_t got = ::recv(m_fd, buffer.data(), buffer.size(), 0);
        if (got > 0) {
            m_input.append(buffer.data(), static_cast<std::size_t>(got));
            return true;
        }
        if (got == 0)
            return false;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            throw ConnectionLost(std::string("recv: ") + std::strerror(errno));
        if (!wait_for(m_fd, POLLIN, deadline))
            throw ConnectionTimeout("the client sent nothing in time");
    }
}

std::size_t Connection::write_some(std::string_view data) {
    for (;;) {
        const ssize_t sent = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent >= 0)
            return static_cast<std::size_t>(sent);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        throw ConnectionLost(std::string("send: ") + std::strerror(errno));
    }
}

void Connection::write_all(std::string_view data, std::chrono::milliseconds stall) {
    while (!data.empty()) {
        const std::size_t sent = write_some(data);
        data.remove_prefix(sent);
        if (sent == 0 && !wait_for(m_fd, POLLOUT, std::chrono::steady_clock::now() + stall))
            throw ConnectionTimeout("the client took nothing in time");
    }
}

void Connection::close_after(std::string_view data, std::chrono::milliseconds linger) {
    const auto deadline = std::chrono::steady_clock::now() + linger;
    try {
        while (!data.empty()) {
            const std::size_t sent = write_some(data);
            data.remove_prefix(sent);
            if (sent == 0 && !wait_for(m_fd, POLLOUT, deadline))
                return;
        }
        ::shutdown(m_fd, SHUT_WR);
        std::array<char, k_read_chunk> buffer{};
        std::size_t dropped = 0;
        while (dropped < k_linger_bytes) {
            const ssize_t got = ::recv(m_fd, buffer.data(), buffer.size(), 0);
            if (got > 0) {
                dropped += static_cast<std::size_t>(got);
            } else if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ||
                       !wait_for(m_fd, POLLIN, deadline)) {
                return;
            }
        }
    } catch (const ConnectionLost&) {
        // The client went away: nothing left to protect.
    }
}

} // namespace knot::server
