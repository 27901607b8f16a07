// The front of the server (see http_listener.hpp).
#include "http_listener.hpp"

#include "api_error.hpp"
#include "connection.hpp"
#include "http_head.hpp"
#include "http_io.hpp"
#include "log.hpp"
#include "stream_reactor.hpp"

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace knot::server {
namespace {

// epoll's data: the wake-up descriptor, the listening socket, then each connection's fd + 2.
constexpr std::uint64_t k_wakeup_key = 0;
constexpr std::uint64_t k_listen_key = 1;
constexpr std::uint64_t k_first_connection_key = 2;
// How often deadlines are checked: they are met within this.
constexpr auto k_scan_interval = std::chrono::milliseconds(250);
// How long a refused connection is read and dropped so its client sees the answer, not a reset.
constexpr auto k_linger = std::chrono::seconds(1);
constexpr std::size_t k_linger_bytes = 1024 * 1024;
// When the process is out of descriptors, accepting waits this long instead of spinning.
constexpr auto k_accept_pause = std::chrono::milliseconds(100);
constexpr std::size_t k_read_chunk = 16 * 1024;
// How long a worker that just answered waits for the same client's next request (see
// next_request).
constexpr int k_next_request_wait_ms = 2;

std::string address_of(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text,
                    sizeof text);
    else if (address.ss_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text,
                    sizeof text);
    return text;
}

} // namespace

struct HttpListener::Waiting {
    std::unique_ptr<Connection> connection;
    std::chrono::steady_clock::time_point deadline;
    bool kept_alive = false; // between two requests, rather than a new connection
    bool started = false;    // part of a head has come
    bool lingering = false;  // refused: its answer is sent, the rest of its input is dropped
    std::size_t dropped = 0;
};

struct HttpListener::Job {
    std::unique_ptr<Connection> connection;
    RequestHead head;
};

HttpListener::HttpListener(int listen_fd, ConnectionLimits& limits, StreamReactor& streams,
                           ListenerOptions options, Serve serve)
    : m_listen_fd(listen_fd)
    , m_limits(limits)
    , m_streams(streams)
    , m_options(options)
    , m_serve(std::move(serve)) {}

HttpListener::~HttpListener() {
    stop();
    if (m_listen_fd >= 0)
        ::close(m_listen_fd);
}

void HttpListener::start() {
    m_loop.open(k_wakeup_key, "listener");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = k_listen_key;
    ::epoll_ctl(m_loop.fd(), EPOLL_CTL_ADD, m_listen_fd, &event);
    for (int i = 0; i < m_options.workers; ++i)
        m_workers.emplace_back([this] { work(); });
    m_thread = std::thread([this] { run(); });
}

void HttpListener::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped)
            return;
        m_stopped = true;
    }
    m_work_ready.notify_all();
    m_loop.wake();
    if (m_thread.joinable())
        m_thread.join();
    for (auto& worker : m_workers)
        worker.join();
    m_workers.clear();
    m_jobs.clear();
    m_resumed.clear();
    m_loop.close();
    if (m_listen_fd >= 0)
        ::close(m_listen_fd);
    m_listen_fd = -1;
}

void HttpListener::run() {
    std::array<epoll_event, 256> events{};
    auto next_scan = std::chrono::steady_clock::now() + k_scan_interval;
    for (;;) {
        const int n = ::epoll_wait(m_loop.fd(), events.data(), static_cast<int>(events.size()),
                                   static_cast<int>(k_scan_interval.count()));
        for (int i = 0; i < n; ++i) {
            const std::uint64_t key = events[static_cast<std::size_t>(i)].data.u64;
            if (key == k_wakeup_key) {
                m_loop.drain();
            } else if (key == k_listen_key) {
                accept_all();
            } else {
                on_readable(static_cast<int>(key - k_first_connection_key));
            }
        }
        {
            std::lock_guard lock(m_mutex);
            if (m_stopped)
                break;
        }
        take_resumed();
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_scan) {
            next_scan = now + k_scan_interval;
            expire(now);
            if (m_accept_paused_until != std::chrono::steady_clock::time_point{} &&
                now >= m_accept_paused_until) {
                m_accept_paused_until = {};
                epoll_event event{};
                event.events = EPOLLIN;
                event.data.u64 = k_listen_key;
                ::epoll_ctl(m_loop.fd(), EPOLL_CTL_MOD, m_listen_fd, &event);
            }
        }
    }
    m_waiting.clear(); // closes every connection that waits for a request
}

void HttpListener::accept_all() {
    for (;;) {
        sockaddr_storage address{};
        socklen_t size = sizeof address;
        const int fd = ::accept4(m_listen_fd, reinterpret_cast<sockaddr*>(&address), &size,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // Out of descriptors or memory: stop listening for a moment rather than spin.
                m_accept_paused_until = std::chrono::steady_clock::now() + k_accept_pause;
                epoll_event event{};
                event.data.u64 = k_listen_key;
                ::epoll_ctl(m_loop.fd(), EPOLL_CTL_MOD, m_listen_fd, &event);
            }
            return;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        std::string peer = address_of(address);
        auto lease = m_limits.admit(peer);
        if (!lease) {
            // Refused before its request is read: a best-effort answer, then the connection
            // closes. The count is what protects the server, so nothing here may wait.
            const std::string answer = error_response_bytes(
                error_code::too_many_connections,
                "too many connections from " + peer + " (at most " +
                    std::to_string(m_limits.per_address()) + "); close some and retry");
            [[maybe_unused]] const auto ignored =
                ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            ::close(fd);
            continue;
        }
        watch(std::make_unique<Connection>(fd, std::move(peer), std::move(lease)), false);
    }
}

void HttpListener::watch(std::unique_ptr<Connection> connection, bool kept_alive, bool registered) {
    const int fd = connection->fd();
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u64 = static_cast<std::uint64_t>(fd) + k_first_connection_key;
    if (!registered && ::epoll_ctl(m_loop.fd(), EPOLL_CTL_ADD, fd, &event) != 0)
        return; // the connection closes as it goes out of scope
    auto waiting = std::make_unique<Waiting>();
    waiting->connection = std::move(connection);
    waiting->kept_alive = kept_alive;
    waiting->deadline = std::chrono::steady_clock::now() +
                        (kept_alive ? m_options.idle_timeout : m_options.head_timeout);
    const bool buffered = !waiting->connection->input().empty();
    m_waiting[fd] = std::move(waiting);
    if (buffered)
        parse_input(fd); // the next request came with the last one (pipelined)
}

void HttpListener::on_readable(int fd) {
    auto it = m_waiting.find(fd);
    if (it == m_waiting.end()) {
        take_resumed(); // a resumed connection its worker registered
        it = m_waiting.find(fd);
        if (it == m_waiting.end())
            return;
    }
    Waiting& waiting = *it->second;
    std::array<char, k_read_chunk> buffer{};
    const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (got <= 0) {
        close_waiting(fd); // the client closed (or reset) before a whole head came
        return;
    }
    if (waiting.lingering) {
        waiting.dropped += static_cast<std::size_t>(got);
        if (waiting.dropped > k_linger_bytes)
            close_waiting(fd);
        return;
    }
    waiting.connection->input().append(buffer.data(), static_cast<std::size_t>(got));
    parse_input(fd);
}

void HttpListener::parse_input(int fd) {
    Waiting& waiting = *m_waiting.at(fd);
    std::string& in = waiting.connection->input();
    // Empty lines before a request line are skipped (RFC 9112 section 2.2).
    std::size_t blank = 0;
    while (in.compare(blank, 2, "\r\n") == 0)
        blank += 2;
    in.erase(0, blank);
    if (in.empty())
        return;
    if (!waiting.started) {
        waiting.started = true;
        if (waiting.kept_alive)
            waiting.deadline = std::chrono::steady_clock::now() + m_options.head_timeout;
    }
    std::optional<std::size_t> end;
    auto job = std::make_unique<Job>();
    try {
        end = find_head_end(in);
        if (!end)
            return;
        job->head = parse_request_head(std::string_view(in).substr(0, *end));
    } catch (const ApiError& error) {
        refuse(fd, error_response_bytes(error.wire_code(), error.what()));
        return;
    }
    in.erase(0, *end);
    ::epoll_ctl(m_loop.fd(), EPOLL_CTL_DEL, fd, nullptr);
    job->connection = std::move(waiting.connection);
    m_waiting.erase(fd);
    bool busy = false;
    {
        std::lock_guard lock(m_mutex);
        busy = m_jobs.size() >= m_options.max_waiting;
        if (!busy)
            m_jobs.push_back(std::move(job));
    }
    if (busy) {
        try {
            job->connection->write_some(error_response_bytes(
                error_code::busy, "the server has too many requests waiting; retry shortly"));
        } catch (const ConnectionLost&) {
        }
        return;
    }
    m_work_ready.notify_one();
}

void HttpListener::refuse(int fd, std::string_view response) {
    Waiting& waiting = *m_waiting.at(fd);
    try {
        waiting.connection->write_some(response);
    } catch (const ConnectionLost&) {
        close_waiting(fd);
        return;
    }
    ::shutdown(fd, SHUT_WR);
    waiting.connection->input().clear();
    waiting.lingering = true;
    waiting.deadline = std::chrono::steady_clock::now() + k_linger;
}

void HttpListener::close_waiting(int fd) {
    ::epoll_ctl(m_loop.fd(), EPOLL_CTL_DEL, fd, nullptr);
    m_waiting.erase(fd); // closes it and gives back its place in the counts
}

void HttpListener::expire(std::chrono::steady_clock::time_point now) {
    std::vector<int> expired;
    for (const auto& [fd, waiting] : m_waiting)
        if (now >= waiting->deadline)
            expired.push_back(fd);
    for (const int fd : expired) {
        Waiting& waiting = *m_waiting.at(fd);
        if (waiting.started && !waiting.lingering) {
            try {
                waiting.connection->write_some(error_response_bytes(
                    error_code::timeout, "the request head did not arrive in time"));
            } catch (const ConnectionLost&) {
            }
        }
        close_waiting(fd);
    }
}

void HttpListener::take_resumed() {
    std::vector<Resumed> resumed;
    {
        std::lock_guard lock(m_mutex);
        resumed.swap(m_resumed);
    }
    for (auto& [connection, registered] : resumed)
        watch(std::move(connection), true, registered);
}

// A kept-alive connection goes back to the listener. Its worker adds it to the epoll set itself,
// so the listener is not woken for it now but by its next request (on_readable takes it then);
// the scan every k_scan_interval takes those that stay quiet, for their idle deadline. Only a
// connection with the next request already read needs the listener at once.
void HttpListener::resume(std::unique_ptr<Connection> connection) {
    const int fd = connection->fd();
    bool registered = false;
    {
        // Added under the lock, before the push: an event for the fd finds it in m_resumed.
        std::lock_guard lock(m_mutex);
        if (m_stopped)
            return; // the connection closes as it goes out of scope
        if (connection->input().empty()) {
            epoll_event event{};
            event.events = EPOLLIN | EPOLLRDHUP;
            event.data.u64 = static_cast<std::uint64_t>(fd) + k_first_connection_key;
            registered = ::epoll_ctl(m_loop.fd(), EPOLL_CTL_ADD, fd, &event) == 0;
        }
        m_resumed.push_back(Resumed{std::move(connection), registered});
    }
    // Its next request is already read, or the add failed: the listener takes it now (and,
    // for a failed add, tries the add itself, closing the connection if that fails too).
    if (!registered)
        m_loop.wake();
}

void HttpListener::work() {
    for (;;) {
        std::unique_ptr<Job> job;
        {
            std::unique_lock lock(m_mutex);
            m_work_ready.wait(lock, [this] { return m_stopped || !m_jobs.empty(); });
            if (m_stopped)
                return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        for (;;) {
            Served served = m_serve(*job->connection, job->head);
            if (served.then == Served::Then::upgraded)
                m_streams.add(std::move(job->connection), std::move(served.feed));
            if (served.then != Served::Then::keep_alive)
                break;
            if (!next_request(*job)) {
                resume(std::move(job->connection));
                break;
            }
        }
    }
}

// A busy client's next request usually follows its answer at once. A worker with nothing else
// to do waits a moment for it and serves it itself, rather than hand the connection to the
// listener and the request on to another worker: two thread switches per request, which on a
// busy machine cost more than the request. Only a whole, well-formed head that is there within
// the moment is taken; anything else (nothing, part of a head, a malformed one) goes back to
// the listener, its deadlines and its refusals.
bool HttpListener::next_request(Job& job) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped || !m_jobs.empty())
            return false;
    }
    Connection& connection = *job.connection;
    std::string& in = connection.input();
    if (in.find("\r\n\r\n") == std::string::npos) {
        pollfd pfd{connection.fd(), POLLIN, 0};
        if (::poll(&pfd, 1, k_next_request_wait_ms) <= 0)
            return false;
        std::array<char, k_read_chunk> buffer{};
        while (in.size() <= k_max_head_bytes && in.find("\r\n\r\n") == std::string::npos) {
            const ssize_t got = ::recv(connection.fd(), buffer.data(), buffer.size(), 0);
            if (got <= 0)
                break; // nothing more now, or the end: the listener sees it
            in.append(buffer.data(), static_cast<std::size_t>(got));
        }
    }
    std::size_t blank = 0;
    while (in.compare(blank, 2, "\r\n") == 0)
        blank += 2;
    in.erase(0, blank);
    try {
        const auto end = find_head_end(in);
        if (!end)
            return false;
        job.head = parse_request_head(std::string_view(in).substr(0, *end));
        in.erase(0, *end);
        return true;
    } catch (const ApiError&) {
        return false;
    }
}

} // namespace knot::server
