// Tests of libknot/client/event_stream.cpp against a loopback WebSocket server: order, exactly
// once across a reconnect, pings answered, and a refused hello explained in the server's words.
#include "libknot/base/error.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/protocol/identity.hpp"
#include "tests/unit/libknot/client/websocket_peer.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <vector>

using namespace knot;
using namespace knot::test;

namespace {

RoomConfig room_at(const std::string& url) {
    return RoomConfig{url, "rm_0123456789abcdef", std::string(64, 'a'), "ag_0123456789abcdef"};
}

std::string event(int seq) {
    return server_frame(0x81, R"({"seq":)" + std::to_string(seq) + "}");
}

} // namespace

TEST_CASE("events arrive in order and once each, and a dropped stream resumes after the last") {
    std::vector<std::string> targets;
    LoopbackServer server([&](int fd, int n) {
        const std::string request = accept_websocket(fd);
        targets.push_back(request.substr(0, request.find(" HTTP/1.1")));
        if (n == 0) {
            write_all(fd, event(1) + event(2) + server_frame(0x81, R"({"ping":true})"));
            return; // the connection drops
        }
        write_all(fd, event(2) + event(3)); // 2 again, as a server resending from its log
        read_client_frame(fd);
    });
    const Identity identity = Identity::generate();
    EventStream stream(room_at(server.url()), identity);
    std::vector<std::int64_t> seen;
    std::vector<std::string> states;
    stream.follow(
        0,
        [&](const nlohmann::json& e) {
            seen.push_back(e.at("seq").get<std::int64_t>());
            return seen.back() < 3;
        },
        [&](const std::string& state) { states.push_back(state); });
    server.stop();
    CHECK(seen == std::vector<std::int64_t>{1, 2, 3});
    CHECK(stream.last_seq() == 3);
    REQUIRE(targets.size() == 2);
    CHECK(targets[0] == "GET /v1/rooms/rm_0123456789abcdef/stream?since=0");
    CHECK(targets[1] == "GET /v1/rooms/rm_0123456789abcdef/stream?since=2");
    REQUIRE(states.size() == 3);
    CHECK(states[0] == "connected");
    CHECK(states[1].rfind("reconnecting: ", 0) == 0);
    CHECK(states[2] == "connected");
}

TEST_CASE("the stream answers the server's ping with a pong of the same payload") {
    std::string pong;
    LoopbackServer server([&](int fd, int) {
        accept_websocket(fd);
        write_all(fd, server_frame(0x89, "beat"));
        pong = read_client_frame(fd);
        write_all(fd, event(7));
        read_client_frame(fd);
    });
    const Identity identity = Identity::generate();
    EventStream stream(room_at(server.url()), identity);
    stream.follow(5, [](const nlohmann::json&) { return false; });
    server.stop();
    CHECK(pong == "\x8a"
                  "beat");
    CHECK(stream.last_seq() == 7);
}

TEST_CASE("a refused hello throws the server's reason, asked once") {
    std::string request;
    LoopbackServer server([&](int fd, int) {
        request = read_request(fd);
        const std::string body = R"({"error":"bad signature","code":"bad_signature"})";
        write_all(fd, "HTTP/1.1 401 Unauthorized\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body);
    });
    const Identity identity = Identity::generate();
    EventStream stream(room_at(server.url()), identity);
    try {
        stream.follow(0, [](const nlohmann::json&) { return true; });
        FAIL("no error");
    } catch (const HttpError& e) {
        CHECK(e.status() == 401);
        CHECK(e.code() == "bad_signature");
        CHECK(std::string(e.what()) == "bad signature");
    }
    server.stop();
    CHECK(server.connections() == 1);
    CHECK(request.find("X-Knot-Token: " + std::string(64, 'a')) != std::string::npos);
}
