// A tiny TCP server on 127.0.0.1, port 0, for the client's tests: each connection it accepts is
// handed, in turn, to the test's own script, which reads and writes raw bytes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace knot::test {

class LoopbackServer {
public:
    // Serves the connections one after another on a thread: `serve(fd, n)` for the n-th (from
    // 0), which closes the socket when it returns.
    explicit LoopbackServer(std::function<void(int fd, int n)> serve);
    // Stops accepting and waits for the connection being served: what the script wrote down is
    // then safe to read. Idempotent; the destructor calls it.
    void stop();
    ~LoopbackServer();
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    // How many connections were accepted so far.
    int connections() const { return m_connections; }

private:
    int m_listener = -1;
    int m_stop[2] = {-1, -1};
    std::uint16_t m_port = 0;
    std::atomic<int> m_connections{0};
    std::thread m_thread;
};

// Reads one request (its head, and as much body as its Content-Length says) from `fd`; empty
// when the connection ended first.
std::string read_request(int fd);
// Reads exactly `size` bytes; fewer when the connection ended first.
std::string read_exactly(int fd, std::size_t size);
void write_all(int fd, const std::string& data);

} // namespace knot::test
