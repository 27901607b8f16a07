// One client connection as it moves from the listener to a worker and back, or on to the
// stream reactor: its socket, the bytes read ahead, and its place in the per-address count.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace knot::server {

// How many connections may be open at once, per remote address and in all. Shared by every
// thread that holds connections; must outlive them all.
class ConnectionLimits {
public:
    ConnectionLimits(std::size_t per_address, std::size_t total)
        : m_per_address(per_address)
        , m_total(total) {}

    // A connection's place in the counts, given back when the lease is destroyed.
    class Lease {
    public:
        Lease(ConnectionLimits& limits, std::string address)
            : m_limits(&limits)
            , m_address(std::move(address)) {}
        ~Lease();
        Lease(Lease&& other) noexcept
            : m_limits(other.m_limits)
            , m_address(std::move(other.m_address)) {
            other.m_limits = nullptr;
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;

    private:
        ConnectionLimits* m_limits;
        std::string m_address;
    };

    // Counts a new connection from `address`; nothing when that address already has
    // per_address connections open or the server has total.
    std::unique_ptr<Lease> admit(const std::string& address);

    std::size_t per_address() const { return m_per_address; }

private:
    void release(const std::string& address);

    const std::size_t m_per_address;
    const std::size_t m_total;
    std::mutex m_mutex;
    std::map<std::string, std::size_t> m_open;
    std::size_t m_open_total = 0;
};

// The peer went away, broke the protocol, or was too slow; the connection can only be closed.
class ConnectionLost : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The peer sent or took nothing within the time it had.
class ConnectionTimeout : public ConnectionLost {
public:
    using ConnectionLost::ConnectionLost;
};

// A non-blocking socket owned by one thread at a time, closed when destroyed. The blocking
// helpers are for worker threads; the reactors use fd() with epoll.
class Connection {
public:
    Connection(int fd, std::string peer, std::unique_ptr<ConnectionLimits::Lease> lease);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    int fd() const { return m_fd; }
    // The remote address, for the log.
    const std::string& peer() const { return m_peer; }
    // Bytes received and not yet consumed (read ahead past a request head, a body or a frame).
    std::string& input() { return m_input; }

    // Appends what the socket has to input(), waiting until `deadline` for at least one byte.
    // Returns false at end of stream; throws ConnectionTimeout when `deadline` passes first,
    // ConnectionLost on a socket error.
    bool read_more(std::chrono::steady_clock::time_point deadline);
    // Sends all of `data`. Throws ConnectionLost when the peer is gone or takes nothing for
    // `stall` (ConnectionTimeout).
    void write_all(std::string_view data, std::chrono::milliseconds stall);
    // Sends what the socket takes now without waiting; returns how many bytes it took (0 when
    // full). Throws ConnectionLost when the peer is gone.
    std::size_t write_some(std::string_view data);
    // Sends `data` as far as the socket takes it now, then closes for writing and reads and
    // drops what the client still sends for up to `linger` (or 8 MiB), so an answer sent before
    // the request was read reaches it instead of being lost to a reset.
    void close_after(std::string_view data, std::chrono::milliseconds linger);

private:
    int m_fd;
    std::string m_peer;
    std::unique_ptr<ConnectionLimits::Lease> m_lease;
    std::string m_input;
};

} // namespace knot::server
