// Tests of the HTTP API (rooms, agents, events, errors) against the real knot-server.
#include "../../support/server_process.hpp"
#include "api_client.hpp"

#include "libknot/protocol/protocol.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::test;

namespace {

Headers token_of(const TestRoom& room) {
    return {{std::string(k_header_token), room.token}};
}

} // namespace

TEST_CASE("health answers who the server is and its clock") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const auto response = client.get("/v1/health");
    REQUIRE(response.status == 200);
    const auto body = response.json();
    CHECK(body["ok"] == true);
    CHECK(body["server"] == "knot-server");
    CHECK(body["protocol"] == "knot-v1");
    CHECK(body["version"] == KNOT_VERSION);
    CHECK(std::abs(body["time"].get<std::int64_t>() - unix_now()) < 5);
}

TEST_CASE("an unknown path is 404 not_found and a wrong method is 405") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    CHECK(client.get("/v1/nothing").code() == "not_found");
    CHECK(client.get("/v1/nothing").status == 404);
    const auto response = client.send("DELETE", "/v1/health");
    CHECK(response.status == 405);
    CHECK(response.code() == "method_not_allowed");
}

TEST_CASE("creating a room needs the admin token") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const Identity owner = Identity::generate();
    const std::string body =
        nlohmann::json{{"name", "demo"}, {"owner", card_of(owner, "owner")}}.dump();
    const auto without = client.send("POST", "/v1/rooms", body,
                                     signed_headers(owner, "", "POST", "/v1/rooms", body));
    CHECK(without.status == 403);
    CHECK(without.code() == "bad_admin_token");
    const auto wrong =
        client.send("POST", "/v1/rooms", body,
                    signed_headers(owner, "", "POST", "/v1/rooms", body,
                                   {{std::string(k_header_admin), std::string(64, 'a')}}));
    CHECK(wrong.status == 403);
    CHECK(wrong.code() == "bad_admin_token");
}

TEST_CASE("creating a room returns its id, token, owner and the server's agent") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token(), "my room");
    CHECK(is_room_id(room.id));
    CHECK(room.token.size() == 64);
    CHECK(room.owner_id == agent_id_of(room.owner));
    CHECK(room.answer["agent"]["role"] == "owner");
    CHECK(room.answer["agent"]["fingerprint"] == room.owner.fingerprint());
    CHECK(room.answer["agent"]["signed"] == true);
    CHECK(room.answer["server_agent"]["name"] == "knot");
    CHECK(room.answer["server_agent"]["kind"] == "knot");
    CHECK(room.answer["server_agent"]["role"] == "server");
    const auto server_key = Identity::load(server.data_dir() / "server.key");
    CHECK(room.answer["server_agent"]["public_key"] == server_key.public_key_base64());
}

TEST_CASE("a new agent registers with 201 and registering again with the same key is 200") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    const Identity coder = Identity::generate();
    const auto first = register_agent(client, room, coder, "coder-1");
    REQUIRE(first.status == 201);
    CHECK(first.json()["agent"]["id"] == agent_id_of(coder));
    CHECK(first.json()["agent"]["role"] == "member");
    const auto again = register_agent(client, room, coder, "coder-2", "codex");
    REQUIRE(again.status == 200);
    CHECK(again.json()["agent"]["name"] == "coder-2");
    CHECK(again.json()["agent"]["kind"] == "codex");
    CHECK(again.json()["agent"]["joined_at"] == first.json()["agent"]["joined_at"]);
    const auto events = client.get(room.path("/events"), token_of(room)).json()["events"];
    REQUIRE(events.size() == 4);
    CHECK(events[2]["type"] == "agent.joined");
    CHECK(events[3]["type"] == "agent.rejoined");
    CHECK(events[3]["data"]["name"] == "coder-2");
}

TEST_CASE("a name held by another key is 409 name_taken") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    REQUIRE(register_agent(client, room, Identity::generate(), "coder-1").status == 201);
    const auto taken = register_agent(client, room, Identity::generate(), "coder-1");
    CHECK(taken.status == 409);
    CHECK(taken.code() == "name_taken");
    CHECK(register_agent(client, room, Identity::generate(), "owner").status == 409);
}

TEST_CASE("a name freed by a rename stays its first key's: another key cannot take it") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    const Identity first = Identity::generate();
    REQUIRE(register_agent(client, room, first, "coder-1").status == 201);
    // The same key re-registers under a new name: a rename.
    const auto renamed = register_agent(client, room, first, "coder-9");
    REQUIRE(renamed.status == 200);
    CHECK(renamed.json()["agent"]["name"] == "coder-9");
    // Once, a new key then registered coder-1 and pushed over refs/knot/coder-1/main.
    const auto takeover = register_agent(client, room, Identity::generate(), "coder-1");
    CHECK(takeover.status == 409);
    CHECK(takeover.code() == "name_taken");
    // The first key may take its old name back.
    CHECK(register_agent(client, room, first, "coder-1").status == 200);
}

TEST_CASE("the room lists the owner, the server's agent and members with online flags") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token(), "team");
    const Identity coder = Identity::generate();
    REQUIRE(register_agent(client, room, coder, "coder-1").status == 201);
    const auto response = client.get(room.path(), token_of(room));
    REQUIRE(response.status == 200);
    const auto body = response.json();
    CHECK(body["room"] == room.id);
    CHECK(body["name"] == "team");
    CHECK(body["lease_seconds"] == 300);
    CHECK(body["last_seq"] == 3);
    CHECK(body["counts"]["agents"] == 3);
    CHECK(body["counts"]["online"] == 3);
    CHECK(body["counts"]["tasks"] == 0);
    CHECK(body["counts"]["locks"] == 0);
    std::map<std::string, nlohmann::json> by_name;
    for (const auto& agent : body["agents"])
        by_name[agent["name"]] = agent;
    REQUIRE(by_name.size() == 3);
    CHECK(by_name["owner"]["role"] == "owner");
    CHECK(by_name["knot"]["role"] == "server");
    CHECK(by_name["coder-1"]["role"] == "member");
    for (const auto& [name, agent] : by_name)
        CHECK(agent["online"] == true);
    const auto agents = client.get(room.path("/agents"), token_of(room));
    REQUIRE(agents.status == 200);
    CHECK(agents.json()["agents"].size() == 3);
}

TEST_CASE("a heartbeat from a member answers ok with the server's clock") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    const auto response =
        signed_post(client, room, room.owner, room.path("/heartbeat"), R"({"status":"coding"})");
    REQUIRE(response.status == 200);
    CHECK(response.json()["ok"] == true);
    const auto bad =
        signed_post(client, room, room.owner, room.path("/heartbeat"), R"({"status":1})");
    CHECK(bad.status == 400);
}

TEST_CASE("events count from 1 with no gaps and form a valid hash chain") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    for (int i = 0; i < 5; ++i)
        REQUIRE(register_agent(client, room, Identity::generate(), "coder-" + std::to_string(i))
                    .status == 201);
    const auto body = client.get(room.path("/events"), token_of(room)).json();
    const auto& events = body["events"];
    REQUIRE(events.size() == 7);
    CHECK(body["last_seq"] == 7);
    std::string prev(64, '0');
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& event = events[i];
        CHECK(event["seq"] == i + 1);
        CHECK(event["prev"] == prev);
        const std::string text =
            prev + "\n" + std::to_string(i + 1) + "\n" + event["type"].get<std::string>() + "\n" +
            event["agent"].get<std::string>() + "\n" +
            std::to_string(event["time"].get<std::int64_t>()) + "\n" + event["data"].dump();
        CHECK(event["hash"] == sha256_hex(text));
        prev = event["hash"];
    }
    CHECK(events[0]["type"] == "room.created");
    CHECK(events[1]["type"] == "agent.joined");
    CHECK(events[1]["data"]["fingerprint"] == room.owner.fingerprint());

    const auto page = client.get(room.path("/events?since=2&limit=3"), token_of(room)).json();
    REQUIRE(page["events"].size() == 3);
    CHECK(page["events"][0]["seq"] == 3);
    CHECK(page["last_seq"] == 7);
    CHECK(client.get(room.path("/events?since=-1"), token_of(room)).status == 400);
}

TEST_CASE("a body that is not JSON is 400 bad_json") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    const Identity coder = Identity::generate();
    const std::string target = room.path("/agents");
    const std::string body = "{\"name\": ";
    const auto response = client.send("POST", target, body,
                                      signed_headers(coder, "", "POST", target, body,
                                                     {{std::string(k_header_token), room.token}}));
    CHECK(response.status == 400);
    CHECK(response.code() == "bad_json");
}

TEST_CASE("invalid names, kinds, capabilities and keys are 400 bad_request naming the field") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    const Identity coder = Identity::generate();
    const auto with = [&](const std::function<void(nlohmann::json&)>& change) {
        nlohmann::json card = card_of(coder, "coder-1");
        change(card);
        const std::string target = room.path("/agents");
        const std::string body = card.dump();
        return client.send("POST", target, body,
                           signed_headers(coder, "", "POST", target, body,
                                          {{std::string(k_header_token), room.token}}));
    };
    const auto check_field = [](const ApiResponse& response, const std::string& field) {
        CHECK(response.status == 400);
        CHECK(response.code() == "bad_request");
        CHECK_THAT(response.json()["error"].get<std::string>(), Catch::Contains(field));
    };
    check_field(with([](auto& c) { c["name"] = "Bad Name"; }), "name");
    check_field(with([](auto& c) { c["name"] = "knot"; }), "name");
    check_field(with([](auto& c) { c["name"] = "integration"; }), "name");
    check_field(with([](auto& c) { c.erase("name"); }), "name");
    check_field(with([](auto& c) { c["kind"] = "knot"; }), "kind");
    check_field(with([](auto& c) { c["kind"] = "robot"; }), "kind");
    check_field(with([](auto& c) { c["capabilities"] = std::vector<std::string>(17, "x"); }),
                "capabilities");
    check_field(with([](auto& c) { c["capabilities"] = {std::string(33, 'x')}; }), "capabilities");
    check_field(with([](auto& c) { c["public_key"] = "AAAA"; }), "public_key");
    check_field(with([](auto& c) { c["public_key"] = "not base64!"; }), "public_key");
}

TEST_CASE("a room name must have 1 to 64 printable characters") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const Identity owner = Identity::generate();
    for (const std::string& name : {std::string(), std::string(65, 'r'), std::string("a\nb")}) {
        const std::string body =
            nlohmann::json{{"name", name}, {"owner", card_of(owner, "owner")}}.dump();
        const auto response =
            client.send("POST", "/v1/rooms", body,
                        signed_headers(owner, "", "POST", "/v1/rooms", body,
                                       {{std::string(k_header_admin), server.admin_token()}}));
        CHECK(response.status == 400);
        CHECK(response.code() == "bad_request");
    }
}

TEST_CASE("a body over 1 MiB is refused with 413 before it is read") {
    ServerProcess server;
    const std::string headers = "POST /v1/rooms HTTP/1.1\r\nHost: localhost\r\n"
                                "Content-Type: application/json\r\nContent-Length: " +
                                std::to_string(k_max_body_bytes + 1) + "\r\n\r\n";
    const auto announced = send_raw(server.host(), server.port(), headers);
    CHECK(announced.status == 413);
    CHECK(nlohmann::json::parse(announced.body)["code"] == "too_large");

    ApiClient client(server.host(), server.port());
    const std::string big(2 * k_max_body_bytes, ' ');
    const auto sent = client.send("POST", "/v1/rooms", big);
    CHECK(sent.status == 413);
    CHECK(sent.code() == "too_large");
}

TEST_CASE("a chunked body over 1 MiB is refused with 413") {
    ServerProcess server;
    std::string bytes = "POST /v1/rooms HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n";
    const std::string chunk(64 * 1024, ' ');
    for (int i = 0; i < 17; ++i)
        bytes += "10000\r\n" + chunk + "\r\n";
    bytes += "0\r\n\r\n";
    const auto response = send_raw(server.host(), server.port(), bytes);
    CHECK(response.status == 413);
}

TEST_CASE("a POST without Content-Length is 411 length_required") {
    ServerProcess server;
    const auto response =
        send_raw(server.host(), server.port(),
                 "POST /v1/rooms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(response.status == 411);
    CHECK(nlohmann::json::parse(response.body)["code"] == "length_required");
}

TEST_CASE("an unknown room is 404 unknown_room") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const Headers token{{std::string(k_header_token), std::string(64, 'a')}};
    CHECK(client.get("/v1/rooms/rm_0000000000000000", token).code() == "unknown_room");
    CHECK(client.get("/v1/rooms/nonsense", token).status == 404);
}

TEST_CASE("the invite URL answers a page telling to run git knot join") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const std::string target = "/join?room=rm_0123456789abcdef&token=" + std::string(64, 'b');
    const auto response = client.get(target);
    REQUIRE(response.status == 200);
    CHECK_THAT(response.content_type, Catch::StartsWith("text/plain"));
    CHECK_THAT(response.body, Catch::Contains("git knot join '"));
    CHECK_THAT(response.body, Catch::Contains(target));
}

TEST_CASE("a hundred keep-alive clients are served at once") {
    ServerProcess server;
    std::vector<std::unique_ptr<ApiClient>> clients;
    for (int i = 0; i < 100; ++i) {
        clients.push_back(std::make_unique<ApiClient>(server.host(), server.port()));
        REQUIRE(clients.back()->get("/v1/health").status == 200);
    }
    for (auto& client : clients)
        CHECK(client->get("/v1/health").status == 200);
}
