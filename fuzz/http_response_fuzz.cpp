// Fuzzes what a client reads from a server it does not trust (a room's host, or anyone on the
// path of plain http): the response head (libknot/client/http_wire: status line, headers,
// interim 1xx answers, the head's size bound) and the body's framing (Content-Length, chunked
// with extensions and trailers, or until the connection ends). The input is the whole byte
// stream the server sends, put before a connection whose peer has already closed, so the
// parser meets the input's end exactly as it would a server hanging up.
#include "libknot/base/error.hpp"
#include "libknot/client/connection.hpp"
#include "libknot/client/http_wire.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <istream>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// One loopback listener for the whole run: each input gets a fresh connection to it.
struct Listener {
    int fd = -1;
    std::uint16_t port = 0;
    Listener() {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::listen(fd, 16) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            std::abort();
        port = ntohs(address.sin_port);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Listener listener;
    knot::Connection connection("127.0.0.1", listener.port, knot::Security::plain,
                                std::chrono::milliseconds(200));
    const int peer = ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (peer < 0)
        std::abort();
    ::close(peer); // the server has said all it will say
    connection.put_back(std::string_view(reinterpret_cast<const char*>(data), size));
    try {
        const knot::ResponseHead head = knot::read_response_head(connection);
        // A head that parses is a final answer with a three-digit status.
        if (head.status < 200 && head.status != 101)
            std::abort();
        if (head.status > 999)
            std::abort();
        knot::BodyBuffer body(connection, head, "GET");
        std::istream in(&body);
        char sink[4096];
        std::size_t total = 0;
        while (in.read(sink, sizeof sink) || in.gcount() > 0)
            total += static_cast<std::size_t>(in.gcount());
        // The body never holds more than the server sent.
        if (total > size)
            std::abort();
    } catch (const knot::Error&) {
        // Refused as malformed, too large, or cut short: what a hostile server should get.
    }
    return 0;
}
