// Test support for the API tests: a real knot-server on port 0 with a room, its owner and a member
// alice, the fixture the route tests build theirs on, and what they read of the room.
#pragma once

#include "../../support/server_process.hpp"
#include "api_client.hpp"
#include "stream_client.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace knot::test {

struct ServerRoom {
    // `server_args` go to knot-server (e.g. {"--allow-local-forges"}).
    explicit ServerRoom(std::vector<std::string> server_args = {})
        : server({}, std::move(server_args)) {}

    ServerProcess server;
    ApiClient client{server.host(), server.port()};
    TestRoom room = create_room(client, server.admin_token());
    TestMember alice = join_room(client, room, "alice");

    // A signed POST of `body` to the room's endpoint `rest` (e.g. "/locks") by `who`.
    ApiResponse post(const Identity& who, const std::string& rest,
                     const nlohmann::json& body = nlohmann::json::object()) {
        return room_post(client, room, who, rest, body);
    }
    std::int64_t last_seq() { return room_get(client, room, "").json()["last_seq"]; }
    nlohmann::json events_since(std::int64_t since) {
        return room_get(client, room, "/events?since=" + std::to_string(since)).json()["events"];
    }
};

// The room's refs but refs/knot/integration, which the integration agent moves in the
// background.
inline nlohmann::json agent_refs(ApiTransport& client, const TestRoom& room) {
    nlohmann::json all = room_get(client, room, "/git/refs").json().at("refs");
    all.erase("refs/knot/integration");
    return all;
}

} // namespace knot::test
