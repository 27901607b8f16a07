// Test support for the lock tests: a real knot-server with a room, its owner alice and a
// member bob, and the lock requests they send.
#pragma once

#include "server_room.hpp"

#include <nlohmann/json.hpp>

namespace knot::test {

struct LockRoom : ServerRoom {
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
};

} // namespace knot::test
