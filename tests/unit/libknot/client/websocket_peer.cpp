// The server's half of a WebSocket for the client's tests (see websocket_peer.hpp).
#include "tests/unit/libknot/client/websocket_peer.hpp"

#include "libknot/client/websocket.hpp"

namespace knot::test {

std::string accept_websocket(int fd) {
    const std::string request = read_request(fd);
    const std::string name = "Sec-WebSocket-Key: ";
    const std::size_t start = request.find(name) + name.size();
    const std::string key = request.substr(start, request.find("\r\n", start) - start);
    write_all(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                      websocket_accept(key) + "\r\n\r\n");
    return request;
}

std::string server_frame(unsigned char first, const std::string& payload) {
    std::string frame(1, static_cast<char>(first));
    frame += static_cast<char>(payload.size()); // the tests' payloads are under 126 bytes
    return frame + payload;
}

std::string read_client_frame(int fd) {
    const std::string head = read_exactly(fd, 2);
    if (head.size() < 2 || (static_cast<unsigned char>(head[1]) & 0x80) == 0)
        return {};
    const std::size_t size = static_cast<unsigned char>(head[1]) & 0x7f;
    const std::string mask = read_exactly(fd, 4);
    std::string payload = read_exactly(fd, size);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
    return head.substr(0, 1) + payload;
}

} // namespace knot::test
