// Test helper: plain TCP sockets for hostile clients (see raw_socket.hpp).
#include "raw_socket.hpp"

#include "stream_client.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace knot::test {

std::size_t raise_file_limit() {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<std::size_t>(limit.rlim_cur);
}

RawSocket::RawSocket(const std::string& host, unsigned short port, int receive_buffer) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
        throw std::runtime_error("not an IPv4 address: " + host);
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (receive_buffer > 0)
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    if (::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        const std::string why = std::strerror(errno);
        ::close(m_fd);
        throw std::runtime_error("connect: " + why);
    }
}

RawSocket::~RawSocket() {
    if (m_fd >= 0)
        ::close(m_fd);
}

RawSocket::RawSocket(RawSocket&& other) noexcept
    : m_fd(other.m_fd)
    , m_received(std::move(other.m_received))
    , m_closed(other.m_closed) {
    other.m_fd = -1;
}

bool RawSocket::send_all(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(m_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool RawSocket::closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!m_closed) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        pollfd pfd{m_fd, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(std::max<long long>(left, 0))) <= 0)
            return false;
        char buffer[16 * 1024];
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n > 0)
            m_received.append(buffer, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR)
            m_closed = true;
    }
    return true;
}

bool RawSocket::read_until(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (m_received.find(text) == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        pollfd pfd{m_fd, POLLIN, 0};
        if (m_closed || left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0)
            return false;
        char buffer[4096];
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            m_closed = true;
        else
            m_received.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

RawStream::RawStream(const std::string& host, unsigned short port, const std::string& target,
                     const Headers& headers, int receive_buffer)
    : m_socket(host, port, receive_buffer) {
    std::string hello = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    Headers all = headers;
    for (const auto& [name, value] : upgrade_headers())
        all[name] = value;
    for (const auto& [name, value] : all)
        hello += name + ": " + value + "\r\n";
    REQUIRE(m_socket.send_all(hello + "\r\n"));
    REQUIRE(m_socket.read_until("\r\n\r\n", std::chrono::seconds(15)));
    std::string& in = m_socket.received();
    REQUIRE(in.rfind("HTTP/1.1 101", 0) == 0);
    in.erase(0, in.find("\r\n\r\n") + 4);
}

std::vector<nlohmann::json> RawStream::read_until_closed(std::chrono::milliseconds timeout) {
    m_closed = m_socket.closed_within(timeout);
    std::vector<nlohmann::json> frames;
    const std::string& in = m_socket.received();
    std::size_t at = 0;
    while (in.size() - at >= 2) {
        const auto opcode = static_cast<unsigned char>(in[at]) & 0x0F;
        std::uint64_t size = static_cast<unsigned char>(in[at + 1]) & 0x7F;
        std::size_t header = 2;
        if (size == 126) {
            if (in.size() - at < 4)
                break;
            size = (static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + 2])) << 8) |
                   static_cast<unsigned char>(in[at + 3]);
            header = 4;
        } else if (size == 127) {
            if (in.size() - at < 10)
                break;
            size = 0;
            for (int i = 0; i < 8; ++i)
                size = (size << 8) | static_cast<unsigned char>(in[at + 2 + i]);
            header = 10;
        }
        if (in.size() - at - header < size)
            break; // cut off inside a frame
        const std::string payload = in.substr(at + header, size);
        at += header + size;
        if (opcode == 0x8) {
            m_closed = true;
            break;
        }
        if (opcode == 0x1)
            frames.push_back(nlohmann::json::parse(payload));
    }
    return frames;
}

} // namespace knot::test
