// Test helper: plain TCP sockets for playing hostile clients (idle, slow, malformed, a WebSocket
// peer that stops reading), where the HTTP client libraries would behave too well.
#pragma once

#include "api_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace knot::test {

// Raises this process's soft limit on open files to its hard limit; returns the new soft limit.
std::size_t raise_file_limit();

// One TCP connection to host:port (an IP literal), opened by the constructor.
class RawSocket {
public:
    // `receive_buffer` > 0 sets SO_RCVBUF before connecting (a small window: a slow reader).
    RawSocket(const std::string& host, unsigned short port, int receive_buffer = 0);
    ~RawSocket();
    RawSocket(RawSocket&& other) noexcept;
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;
    RawSocket& operator=(RawSocket&&) = delete;

    // Sends all of `bytes`; false when the server closed the connection.
    bool send_all(const std::string& bytes);
    // Reads what arrives until the server closes the connection (end of stream or reset) or
    // `timeout` passes; true when it closed. What was read is kept in received().
    bool closed_within(std::chrono::milliseconds timeout);
    // Reads until received() holds `text` or `timeout` passes; true when it does.
    bool read_until(const std::string& text, std::chrono::milliseconds timeout);
    std::string& received() { return m_received; }
    int fd() const { return m_fd; }

private:
    int m_fd = -1;
    std::string m_received;
    bool m_closed = false;
};

// A WebSocket client on a RawSocket that reads only when asked.
class RawStream {
public:
    // Sends the hello `headers` (see stream_hello) for `target` with the upgrade headers, and
    // REQUIREs a 101.
    RawStream(const std::string& host, unsigned short port, const std::string& target,
              const Headers& headers, int receive_buffer = 0);
    // Every text frame until the server closes the stream (a close frame or the connection)
    // or `timeout` passes, parsed.
    std::vector<nlohmann::json> read_until_closed(std::chrono::milliseconds timeout);
    bool closed() const { return m_closed; }

private:
    RawSocket m_socket;
    bool m_closed = false;
};

} // namespace knot::test
