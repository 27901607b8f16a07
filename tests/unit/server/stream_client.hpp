// Test helper: a client of the WebSocket event stream, plus shortcuts for room members.
#pragma once

#include "api_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace knot::test {

// The upgrade headers of a WebSocket hello, for sending one through ApiClient (which then
// reads the refusal as an ordinary answer).
Headers upgrade_headers();

// The signed hello headers of `identity` for the stream of `room` since `since`.
Headers stream_hello(const TestRoom& room, const Identity& identity, std::int64_t since);

// One open event stream.
class StreamClient {
public:
    // Opens the stream with the given hello headers (see stream_hello). Throws when the server
    // refuses the upgrade.
    StreamClient(const std::string& host, unsigned short port, const std::string& target,
                 const Headers& hello);
    // Opens the stream of `room` since `since`, signed by `identity`.
    StreamClient(const std::string& host, unsigned short port, const TestRoom& room,
                 const Identity& identity, std::int64_t since);
    ~StreamClient();

    // The next text frame, parsed; nothing when none arrives within `timeout` or the stream
    // ended (closed() then says so).
    std::optional<nlohmann::json> next_frame(std::chrono::milliseconds timeout);
    // The next event frame, heartbeats skipped; nothing as for next_frame.
    std::optional<nlohmann::json> next_event(std::chrono::milliseconds timeout);
    bool closed() const { return m_closed; }
    // Sends a close frame.
    void close();

private:
    struct Socket;
    std::unique_ptr<Socket> m_socket;
    bool m_closed = false;
};

// The stream target of `room` since `since`.
std::string stream_target(const TestRoom& room, std::int64_t since);

// A registered member of a room.
struct TestMember {
    Identity identity;
    std::string id;
    std::string name;
};

// Registers a fresh key named `name` in `room`; REQUIREs a 201.
TestMember join_room(ApiTransport& client, const TestRoom& room, const std::string& name);

// A signed POST of `body` to the room's endpoint `rest` (e.g. "/locks") by `identity`.
ApiResponse room_post(ApiTransport& client, const TestRoom& room, const Identity& identity,
                      const std::string& rest, const nlohmann::json& body);
// A GET of the room's endpoint `rest` with the token.
ApiResponse room_get(ApiTransport& client, const TestRoom& room, const std::string& rest);

} // namespace knot::test
