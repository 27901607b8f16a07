// Tests of the routes (server/routes/*.cpp) called in-process through the router, without a
// socket: what each answers, refusals included, with their status, code and message.
#include "api_client.hpp"
#include "in_process_server.hpp"
#include "stream_client.hpp"

#include "libknot/protocol/protocol.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::test;

namespace {

struct Fixture {
    InProcessServer server;
    TestRoom room = create_room(server, server.admin_token(), "in process");
    TestMember bob = join_room(server, room, "bob");

    ApiResponse post(const Identity& who, const std::string& rest, const nlohmann::json& body) {
        return room_post(server, room, who, rest, body);
    }
};

} // namespace

TEST_CASE("a room created in-process answers its reads with the invite token") {
    Fixture f;
    CHECK(f.room.answer.at("agent").at("name") == "owner");
    const ApiResponse room = room_get(f.server, f.room, "");
    REQUIRE(room.status == 200);
    CHECK(room.json().at("name") == "in process");
    CHECK(room.json().at("counts").at("agents") == 3); // owner, bob and the server's agent
    const ApiResponse agents = room_get(f.server, f.room, "/agents");
    REQUIRE(agents.status == 200);
    CHECK(agents.json().at("agents").size() == 3);

    const ApiResponse untokened = f.server.get(f.room.path("/events"));
    CHECK(untokened.status == 401);
    CHECK(untokened.code() == "missing_token");
    const ApiResponse unknown = room_get(
        f.server, TestRoom{"rm_0123456789abcdef", f.room.token, f.room.owner, f.room.owner_id, {}},
        "/tasks");
    CHECK(unknown.status == 404);
    CHECK(unknown.code() == "unknown_room");
}

TEST_CASE("a member's signed changes are admitted, made and answered in one step") {
    Fixture f;
    const ApiResponse created =
        f.post(f.room.owner, "/tasks", {{"titles", {"write the parser"}}, {"goal", "parse"}});
    REQUIRE(created.status == 201);
    CHECK(created.json().at("tasks").at(0).at("id") == "t1");

    const ApiResponse claimed = f.post(f.bob.identity, "/tasks/t1/claim", nlohmann::json::object());
    REQUIRE(claimed.status == 200);
    CHECK(claimed.json().at("task").at("status") == "claimed");
    CHECK(claimed.json().at("task").at("claimed_by") == f.bob.id);

    const ApiResponse taken = f.post(f.room.owner, "/tasks/t1/claim", nlohmann::json::object());
    CHECK(taken.status == 409);
    CHECK(taken.code() == "already_claimed");
    CHECK(taken.json().at("error") == "t1 is already claimed by bob");

    const ApiResponse done = f.post(f.bob.identity, "/tasks/t1/done", nlohmann::json::object());
    REQUIRE(done.status == 200);
    CHECK(done.json().at("task").at("status") == "done");

    const ApiResponse events = room_get(f.server, f.room, "/events?since=0");
    REQUIRE(events.status == 200);
    const nlohmann::json log = events.json();
    std::vector<std::string> types;
    for (const auto& event : log.at("events"))
        types.push_back(event.at("type"));
    CHECK(types == std::vector<std::string>{"room.created", "agent.joined", "agent.joined",
                                            "task.created", "task.claimed", "task.done"});
}

TEST_CASE("the routes' refusals keep their status, code and message") {
    Fixture f;
    const ApiResponse force =
        f.post(f.bob.identity, "/locks", {{"paths", {"a.c"}}, {"force", true}});
    CHECK(force.status == 403);
    CHECK(force.code() == "not_owner");
    CHECK(force.json().at("error") == "only the room's owner may force");

    const ApiResponse lease = f.post(f.bob.identity, "/settings", {{"lease_seconds", 60}});
    CHECK(lease.status == 403);
    CHECK(lease.code() == "not_owner");

    const ApiResponse missing = f.post(f.bob.identity, "/tasks/t9/done", nlohmann::json::object());
    CHECK(missing.status == 404);
    CHECK(missing.code() == "unknown_task");
    CHECK(missing.json().at("error") == "there is no task t9 in this room");

    const ApiResponse empty = f.post(f.bob.identity, "/messages", {{"text", ""}});
    CHECK(empty.status == 400);
    CHECK(empty.code() == "bad_request");

    const ApiResponse no_route = f.server.get("/v1/nowhere");
    CHECK(no_route.status == 404);
    CHECK(no_route.code() == "not_found");
    const ApiResponse no_method = f.server.send("DELETE", "/v1/health");
    CHECK(no_method.status == 405);
    CHECK(no_method.code() == "method_not_allowed");
}

TEST_CASE("a signed request the route refused cannot be sent again") {
    Fixture f;
    REQUIRE(f.post(f.room.owner, "/tasks", {{"titles", {"one"}}}).status == 201);
    REQUIRE(f.post(f.room.owner, "/tasks/t1/claim", nlohmann::json::object()).status == 200);
    const std::string target = f.room.path("/tasks/t1/claim");
    const Headers headers = signed_headers(f.bob.identity, f.bob.id, "POST", target, "{}",
                                           {{std::string(k_header_token), f.room.token}});
    const ApiResponse refused = f.server.send("POST", target, "{}", headers);
    CHECK(refused.status == 409);
    CHECK(refused.code() == "already_claimed");
    REQUIRE(f.post(f.room.owner, "/tasks/t1/release", nlohmann::json::object()).status == 200);
    // The task is free now, but the same signed claim is a replay.
    const ApiResponse again = f.server.send("POST", target, "{}", headers);
    CHECK(again.status == 401);
    CHECK(again.code() == "replayed_nonce");
}
