// Test support for the lock tests: a real knot-server with a room, its owner alice and a
// member bob, and the lock requests they send.
#pragma once

#include "../../support/server_process.hpp"
#include "api_client.hpp"
#include "stream_client.hpp"

#include <nlohmann/json.hpp>

namespace knot::test {

struct LockRoom {
    ServerProcess server;
    ApiClient client{server.host(), server.port()};
    TestRoom room = create_room(client, server.admin_token());
    TestMember alice = join_room(client, room, "alice");
    TestMember bob = join_room(client, room, "bob");

    ApiResponse lock(const TestMember& who, const nlohmann::json& paths,
                     const nlohmann::json& extra = nlohmann::json::object()) {
        nlohmann::json body = extra;
        body["paths"] = paths;
        return room_post(client, room, who.identity, "/locks", body);
    }
    ApiResponse release(const Identity& who, const nlohmann::json& paths, bool force = false) {
        return room_post(client, room, who, "/locks/release", {{"paths", paths}, {"force", force}});
    }
    nlohmann::json table() { return room_get(client, room, "/locks").json()["locks"]; }
    std::int64_t last_seq() { return room_get(client, room, "").json()["last_seq"]; }
    nlohmann::json events_since(std::int64_t since) {
        return room_get(client, room, "/events?since=" + std::to_string(since)).json()["events"];
    }
};

} // namespace knot::test
