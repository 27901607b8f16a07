// A tiny TCP server for the client's tests (see loopback_server.hpp).
#include "tests/unit/libknot/client/loopback_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace knot::test {

LoopbackServer::LoopbackServer(std::function<void(int fd, int n)> serve) {
    m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(m_listener, 8) != 0 ||
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &size) != 0 ||
        ::pipe2(m_stop, O_CLOEXEC) != 0)
        throw std::runtime_error("cannot listen on loopback");
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this, serve = std::move(serve)] {
        for (int n = 0;; ++n) {
            pollfd waiting[2] = {{m_listener, POLLIN, 0}, {m_stop[0], POLLIN, 0}};
            if (::poll(waiting, 2, -1) < 0 || waiting[1].revents != 0)
                return;
            const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0)
                return;
            ++m_connections;
            serve(fd, n);
            ::close(fd);
        }
    });
}

void LoopbackServer::stop() {
    if (!m_thread.joinable())
        return;
    (void)!::write(m_stop[1], "x", 1);
    m_thread.join();
}

LoopbackServer::~LoopbackServer() {
    stop();
    ::close(m_listener);
    ::close(m_stop[0]);
    ::close(m_stop[1]);
}

std::string read_exactly(int fd, std::size_t size) {
    std::string out;
    char chunk[4096];
    while (out.size() < size) {
        const ssize_t got = ::recv(fd, chunk, std::min(sizeof chunk, size - out.size()), 0);
        if (got <= 0)
            break;
        out.append(chunk, static_cast<std::size_t>(got));
    }
    return out;
}

std::string read_request(int fd) {
    std::string head;
    char c = 0;
    while (head.find("\r\n\r\n") == std::string::npos) {
        if (::recv(fd, &c, 1, 0) != 1)
            return {};
        head += c;
    }
    const std::size_t length = head.find("Content-Length: ");
    if (length == std::string::npos)
        return head;
    return head + read_exactly(fd, std::stoul(head.substr(length + 16)));
}

void write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t put = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (put <= 0)
            return;
        done += static_cast<std::size_t>(put);
    }
}

} // namespace knot::test
