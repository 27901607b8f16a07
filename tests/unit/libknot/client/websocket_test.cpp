// Tests of libknot/client/websocket.cpp: the RFC 6455 handshake and framing, against a loopback
// server that writes frames byte by byte as each case needs.
#include "libknot/client/websocket.hpp"
#include "tests/unit/libknot/client/websocket_peer.hpp"

#include <catch2/catch.hpp>
#include <future>

using namespace knot;
using namespace knot::test;

TEST_CASE("a client frame is masked, with the length in 7, 16 or 64 bits") {
    const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    // RFC 6455, 5.7: a single-frame masked text message "Hello".
    CHECK(websocket_frame(WebSocketOpcode::text, "Hello", mask) ==
          std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
    const std::string medium =
        websocket_frame(WebSocketOpcode::binary, std::string(300, 'x'), mask);
    CHECK(medium.substr(0, 4) == std::string("\x82\xfe\x01\x2c", 4));
    CHECK(medium.size() == 4 + 4 + 300);
    const std::string large =
        websocket_frame(WebSocketOpcode::binary, std::string(70000, 'x'), mask);
    CHECK(large.substr(0, 10) == std::string("\x82\xff\0\0\0\0\0\x01\x11\x70", 10));
}

TEST_CASE("fragments make one message, a ping between them is answered, a close ends") {
    std::string pong;
    LoopbackServer server([&](int fd, int) {
        accept_websocket(fd);
        write_all(fd, server_frame(0x01, "hel")); // text, not final
        write_all(fd, server_frame(0x89, "are you there"));
        write_all(fd, server_frame(0x80, "lo")); // the final continuation
        pong = read_client_frame(fd);
        write_all(fd, server_frame(0x88, "\x03\xe8"));
        read_client_frame(fd);
    });
    auto opened = WebSocket::open(server.url(), "/stream", {}, std::chrono::seconds(10));
    auto& socket = std::get<WebSocket>(opened);
    const auto ping = socket.receive(std::chrono::seconds(10));
    REQUIRE(ping);
    CHECK(ping->opcode == WebSocketOpcode::ping);
    const auto message = socket.receive(std::chrono::seconds(10));
    REQUIRE(message);
    CHECK(message->opcode == WebSocketOpcode::text);
    CHECK(message->data == "hello");
    const auto close = socket.receive(std::chrono::seconds(10));
    REQUIRE(close);
    CHECK(close->opcode == WebSocketOpcode::close);
    server.stop();
    CHECK(pong == std::string("\x8a") + "are you there"); // opcode byte, then the payload
}

TEST_CASE("a frame that arrives in parts across a timeout is kept until it is whole") {
    std::promise<void> timed_out;
    LoopbackServer server([&](int fd, int) {
        accept_websocket(fd);
        const std::string frame = server_frame(0x81, "split");
        write_all(fd, frame.substr(0, 3));
        timed_out.get_future().wait();
        write_all(fd, frame.substr(3));
        read_client_frame(fd);
    });
    auto opened = WebSocket::open(server.url(), "/stream", {}, std::chrono::seconds(10));
    auto& socket = std::get<WebSocket>(opened);
    CHECK_FALSE(socket.receive(std::chrono::milliseconds(50)));
    timed_out.set_value();
    const auto message = socket.receive(std::chrono::seconds(10));
    REQUIRE(message);
    CHECK(message->data == "split");
}

TEST_CASE("a message over the bound and a masked server frame break the stream") {
    LoopbackServer server([&](int fd, int n) {
        accept_websocket(fd);
        if (n == 0) {
            write_all(fd, server_frame(0x01, "123456"));
            write_all(fd, server_frame(0x80, "789012")); // 12 bytes together, over 10
        } else {
            write_all(fd, std::string("\x81\x81\0\0\0\0x", 7));
        }
        read_client_frame(fd);
    });
    for (int i = 0; i < 2; ++i) {
        auto opened = WebSocket::open(server.url(), "/s", {}, std::chrono::seconds(10), 10);
        auto& socket = std::get<WebSocket>(opened);
        CHECK_THROWS_AS(socket.receive(std::chrono::seconds(10)), TransportError);
    }
}

TEST_CASE("a refused upgrade returns the server's answer, a wrong accept value is an error") {
    LoopbackServer server([](int fd, int n) {
        read_request(fd);
        if (n == 0)
            write_all(fd, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 17\r\n\r\n"
                          "{\"error\":\"nope\"}\n");
        else
            write_all(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n");
    });
    auto refused = WebSocket::open(server.url(), "/s", {}, std::chrono::seconds(10));
    REQUIRE(std::holds_alternative<HttpResponse>(refused));
    CHECK(std::get<HttpResponse>(refused).status == 401);
    CHECK(std::get<HttpResponse>(refused).body == "{\"error\":\"nope\"}\n");
    CHECK_THROWS_WITH(WebSocket::open(server.url(), "/s", {}, std::chrono::seconds(10)),
                      Catch::Contains("does not match"));
}
