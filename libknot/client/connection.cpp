// A byte stream to a server (see connection.hpp). The socket is non-blocking from the start:
// connect, TLS and every read and write wait in poll() with the timeout, never in the kernel.
#include "libknot/client/connection.hpp"

#include "libknot/client/tls_loader.hpp"
#include "libknot/tls/tls_module.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace knot {
namespace {

using Kind = TransportError::Kind;

[[noreturn]] void fail(Kind kind, const std::string& why) {
    throw TransportError(kind, why);
}

// A non-blocking TCP socket connected to `address`, or -1 with errno set.
int connect_to(const addrinfo& address, std::chrono::milliseconds timeout) {
    const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            address.ai_protocol);
    if (fd < 0)
        return -1;
    if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0 && errno != EINPROGRESS) {
        const int error = errno;
        ::close(fd);
        errno = error;
        return -1;
    }
    pollfd waiting{fd, POLLOUT, 0};
    int ready = 0;
    do
        ready = ::poll(&waiting, 1, static_cast<int>(timeout.count()));
    while (ready < 0 && errno == EINTR);
    int error = ETIMEDOUT;
    socklen_t size = sizeof error;
    if (ready > 0)
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) {
        ::close(fd);
        errno = error;
        return -1;
    }
    const int on = 1; // requests are small and answered: no Nagle delay between head and body
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return fd;
}

} // namespace

Connection::Connection(const std::string& host, std::uint16_t port, Security security,
                       std::chrono::milliseconds timeout)
    : m_timeout(timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int resolved = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (resolved != 0)
        fail(Kind::unresolved, "cannot resolve " + host + ": " + ::gai_strerror(resolved));
    int error = 0;
    for (const addrinfo* address = found; address && m_fd < 0; address = address->ai_next) {
        m_fd = connect_to(*address, timeout);
        if (m_fd < 0)
            error = errno;
    }
    ::freeaddrinfo(found);
    if (m_fd < 0) {
        if (error == ECONNREFUSED)
            fail(Kind::refused, "connection refused");
        if (error == ETIMEDOUT)
            fail(Kind::timed_out, "no answer in time");
        fail(Kind::broken, std::strerror(error));
    }
    if (security == Security::plain)
        return;
    try {
        m_tls_module = &tls_module();
        char why[256] = "";
        m_tls = m_tls_module->open(m_fd, host.c_str(), why, sizeof why);
        if (!m_tls)
            fail(Kind::tls, why);
        for (;;) {
            const long step = m_tls_module->handshake(m_tls, why, sizeof why);
            if (step == 1)
                break;
            if (step == knot_tls_failed || step == 0)
                fail(Kind::tls, *why ? why : "the server closed the connection during TLS");
            if (!wait_for(step == knot_tls_want_read ? POLLIN : POLLOUT, m_timeout))
                fail(Kind::timed_out, "no answer in time");
        }
    } catch (...) {
        close();
        throw;
    }
}

Connection::~Connection() {
    close();
}

Connection::Connection(Connection&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_tls_module(other.m_tls_module)
    , m_tls(std::exchange(other.m_tls, nullptr))
    , m_timeout(other.m_timeout)
    , m_input(std::move(other.m_input))
    , m_input_start(other.m_input_start) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_tls_module = other.m_tls_module;
        m_tls = std::exchange(other.m_tls, nullptr);
        m_timeout = other.m_timeout;
        m_input = std::move(other.m_input);
        m_input_start = other.m_input_start;
    }
    return *this;
}

void Connection::close() {
    if (m_tls)
        m_tls_module->close(m_tls);
    m_tls = nullptr;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

bool Connection::wait_for(short events, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd waiting{m_fd, events, 0};
        const int ready = ::poll(&waiting, 1, static_cast<int>(std::max<long>(left.count(), 0)));
        if (ready > 0)
            return true;
        if (ready == 0)
            return false;
        if (errno != EINTR)
            fail(Kind::broken, std::strerror(errno));
    }
}

std::size_t Connection::read_some(char* data, std::size_t size, std::chrono::milliseconds timeout) {
    constexpr std::size_t k_read_ahead = 16 * 1024;
    if (m_input_start == m_input.size() && size < k_read_ahead) {
        std::string ahead(k_read_ahead, '\0');
        ahead.resize(receive(ahead.data(), ahead.size(), timeout));
        if (ahead.empty())
            return 0;
        m_input = std::move(ahead);
        m_input_start = 0;
    }
    if (m_input_start < m_input.size()) {
        const std::size_t count = std::min(size, m_input.size() - m_input_start);
        std::memcpy(data, m_input.data() + m_input_start, count);
        m_input_start += count;
        return count;
    }
    return receive(data, size, timeout);
}

std::size_t Connection::receive(char* data, std::size_t size, std::chrono::milliseconds timeout) {
    if (m_fd < 0)
        fail(Kind::broken, "the connection is closed");
    for (;;) {
        short wanted = POLLIN;
        if (m_tls) {
            char why[256] = "";
            const long got = m_tls_module->read(m_tls, data, size, why, sizeof why);
            if (got >= 0)
                return static_cast<std::size_t>(got);
            if (got == knot_tls_failed)
                fail(Kind::broken, why);
            wanted = got == knot_tls_want_write ? POLLOUT : POLLIN;
        } else {
            const ssize_t got = ::recv(m_fd, data, size, 0);
            if (got >= 0)
                return static_cast<std::size_t>(got);
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fail(Kind::broken, std::strerror(errno));
        }
        if (!wait_for(wanted, timeout))
            fail(Kind::timed_out, "no answer in time");
    }
}

void Connection::write_all(std::string_view data) {
    if (m_fd < 0)
        fail(Kind::broken, "the connection is closed");
    while (!data.empty()) {
        short wanted = POLLOUT;
        if (m_tls) {
            char why[256] = "";
            const long put = m_tls_module->write(m_tls, data.data(), data.size(), why, sizeof why);
            if (put > 0) {
                data.remove_prefix(static_cast<std::size_t>(put));
                continue;
            }
            if (put == knot_tls_failed)
                fail(Kind::broken, why);
            wanted = put == knot_tls_want_read ? POLLIN : POLLOUT;
        } else {
            const ssize_t put = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (put > 0) {
                data.remove_prefix(static_cast<std::size_t>(put));
                continue;
            }
            if (put < 0 && errno == EINTR)
                continue;
            if (put < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                fail(Kind::broken, std::strerror(errno));
        }
        if (!wait_for(wanted, m_timeout))
            fail(Kind::timed_out, "no answer in time");
    }
}

void Connection::put_back(std::string_view data) {
    m_input = std::string(data) + m_input.substr(m_input_start);
    m_input_start = 0;
}

bool Connection::stale() const {
    if (m_fd < 0 || m_input_start < m_input.size())
        return true;
    pollfd waiting{m_fd, POLLIN, 0};
    // Readable between requests means closed (a read would return 0), reset, or data that
    // belongs to no request: none of it can carry the next one.
    return ::poll(&waiting, 1, 0) != 0;
}

} // namespace knot
