// Tests of the WebSocket event stream: backlog then live, resume, restart, refusals, heartbeat.
#include "../../support/server_process.hpp"
#include "api_client.hpp"
#include "stream_client.hpp"

#include "libknot/protocol/protocol.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <map>

using namespace knot;
using namespace knot::test;

namespace {

constexpr std::chrono::seconds k_wait{15};

ApiResponse say(ApiClient& client, const TestRoom& room, const std::string& text) {
    return room_post(client, room, room.owner, "/messages", {{"text", text}});
}

std::int64_t last_seq(ApiClient& client, const TestRoom& room) {
    return room_get(client, room, "").json()["last_seq"];
}

// Reads events until one with seq `until` arrives (REQUIREd within the wait), returning them.
std::vector<nlohmann::json> read_until(StreamClient& stream, std::int64_t until) {
    std::vector<nlohmann::json> events;
    while (events.empty() || events.back()["seq"] != until) {
        auto event = stream.next_event(k_wait);
        REQUIRE(event);
        events.push_back(*event);
    }
    return events;
}

} // namespace

TEST_CASE("a stream sends the backlog, then live events, exactly as GET /events shows them") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    for (int i = 0; i < 3; ++i)
        REQUIRE(say(client, room, "before " + std::to_string(i)).status == 201);
    StreamClient stream(server.host(), server.port(), room, room.owner, 0);
    const auto backlog = read_until(stream, 5);
    CHECK(nlohmann::json(backlog) == room_get(client, room, "/events").json()["events"]);
    REQUIRE(say(client, room, "live").status == 201);
    const auto live = stream.next_event(k_wait);
    REQUIRE(live);
    CHECK((*live)["seq"] == 6);
    CHECK((*live)["data"]["text"] == "live");
    CHECK(*live == room_get(client, room, "/events?since=5").json()["events"][0]);
}

TEST_CASE("a stream resumed from since=N gets exactly the events after N") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    for (int i = 0; i < 3; ++i)
        REQUIRE(say(client, room, std::to_string(i)).status == 201);
    {
        StreamClient stream(server.host(), server.port(), room, room.owner, 2);
        const auto events = read_until(stream, 5);
        REQUIRE(events.size() == 3);
        CHECK(events.front()["seq"] == 3);
        stream.close();
    }
    for (int i = 0; i < 4; ++i)
        REQUIRE(say(client, room, "missed " + std::to_string(i)).status == 201);
    StreamClient stream(server.host(), server.port(), room, room.owner, 5);
    const auto events = read_until(stream, 9);
    REQUIRE(events.size() == 4);
    CHECK(events.front()["seq"] == 6);
    CHECK(events.front()["data"]["text"] == "missed 0");
    CHECK_FALSE(stream.next_event(std::chrono::milliseconds(300)));
}

TEST_CASE("a stream across kill -9 and a restart sees every event exactly once") {
    ServerProcess server;
    TestRoom room;
    std::map<std::int64_t, int> seen;
    std::int64_t last = 0;
    {
        ApiClient client(server.host(), server.port());
        room = create_room(client, server.admin_token());
        StreamClient stream(server.host(), server.port(), room, room.owner, 0);
        for (int i = 0; i < 5; ++i)
            REQUIRE(say(client, room, "before " + std::to_string(i)).status == 201);
        for (const auto& event : read_until(stream, 7))
            ++seen[event["seq"]];
        last = 7;
        REQUIRE(say(client, room, "unread").status == 201);
        server.kill();
        // Whatever the dead stream still delivers counts; then it ends.
        while (auto event = stream.next_event(k_wait)) {
            ++seen[(*event)["seq"]];
            last = (*event)["seq"];
        }
        CHECK(stream.closed());
    }
    server.restart();
    ApiClient client(server.host(), server.port());
    for (int i = 0; i < 3; ++i)
        REQUIRE(say(client, room, "after " + std::to_string(i)).status == 201);
    const std::int64_t final_seq = last_seq(client, room);
    CHECK(final_seq == 11);
    StreamClient stream(server.host(), server.port(), room, room.owner, last);
    for (const auto& event : read_until(stream, final_seq))
        ++seen[event["seq"]];
    REQUIRE(static_cast<std::int64_t>(seen.size()) == final_seq);
    for (const auto& [seq, count] : seen)
        CHECK(count == 1);
    CHECK(seen.begin()->first == 1);
    CHECK(seen.rbegin()->first == final_seq);
}

TEST_CASE("a replayed stream hello is refused with 401 replayed_nonce") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    const Headers hello = stream_hello(room, room.owner, 0);
    {
        StreamClient stream(server.host(), server.port(), stream_target(room, 0), hello);
        REQUIRE(stream.next_event(k_wait));
    }
    Headers replay = hello;
    for (const auto& [name, value] : upgrade_headers())
        replay[name] = value;
    const auto refused = client.get(stream_target(room, 0), replay);
    CHECK(refused.status == 401);
    CHECK(refused.code() == "replayed_nonce");
}

TEST_CASE("a refused hello is an HTTP error, before any upgrade") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    auto hello = [&](std::int64_t since, const std::function<void(Headers&)>& change) {
        Headers headers = stream_hello(room, room.owner, since);
        for (const auto& [name, value] : upgrade_headers())
            headers[name] = value;
        change(headers);
        return client.get(stream_target(room, since), headers);
    };
    const auto bad_token = hello(0, [](Headers& h) { h[std::string(k_header_token)] = "00"; });
    CHECK(bad_token.status == 401);
    CHECK(bad_token.code() == "bad_token");
    const auto unsigned_hello = hello(0, [](Headers& h) {
        h.erase(std::string(k_header_signature));
        h.erase(std::string(k_header_nonce));
        h.erase(std::string(k_header_timestamp));
    });
    CHECK(unsigned_hello.status == 401);
    CHECK(unsigned_hello.code() == "unsigned");
    const auto stranger =
        hello(0, [](Headers& h) { h[std::string(k_header_agent)] = "ag_0000000000000000"; });
    CHECK(stranger.code() == "unknown_agent");
    // A hello without the upgrade headers is refused before its nonce is consumed, so the
    // same signed hello, completed, is then accepted.
    const Headers signed_hello = stream_hello(room, room.owner, 0);
    const auto no_upgrade = client.get(stream_target(room, 0), signed_hello);
    CHECK(no_upgrade.status == 426);
    CHECK(no_upgrade.code() == "upgrade_required");
    StreamClient stream(server.host(), server.port(), stream_target(room, 0), signed_hello);
    CHECK(stream.next_event(k_wait));
    const auto negative = room.path("/stream?since=-1");
    Headers headers = signed_headers(room.owner, room.owner_id, "GET", negative, "",
                                     {{std::string(k_header_token), room.token}});
    for (const auto& [name, value] : upgrade_headers())
        headers[name] = value;
    CHECK(client.get(negative, headers).status == 400);
}

TEST_CASE("a quiet stream sends heartbeat frames with the room's last seq") {
    ServerProcess server({}, {"--heartbeat-seconds", "1"});
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    StreamClient stream(server.host(), server.port(), room, room.owner, 0);
    std::optional<nlohmann::json> heartbeat;
    while (auto frame = stream.next_frame(k_wait))
        if (frame->contains("heartbeat")) {
            heartbeat = frame;
            break;
        }
    REQUIRE(heartbeat);
    CHECK((*heartbeat)["heartbeat"] == true);
    CHECK((*heartbeat)["last_seq"] == 2);
    CHECK(std::abs((*heartbeat)["time"].get<std::int64_t>() - unix_now()) < 5);
}

TEST_CASE("an agent following the stream stays seen: each heartbeat renews its last_seen") {
    ServerProcess server({}, {"--heartbeat-seconds", "1"});
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    auto last_seen = [&] {
        const auto agents =
            client.get(room.path("/agents"), {{"X-Knot-Token", room.token}}).json().at("agents");
        for (const auto& agent : agents)
            if (agent.at("id") == room.owner_id)
                return agent.at("last_seen").get<std::int64_t>();
        return std::int64_t{0};
    };
    StreamClient stream(server.host(), server.port(), room, room.owner, 0);
    const std::int64_t at_hello = last_seen();
    // Wait for a heartbeat sent at least one second after the hello: the agent was touched then.
    bool later = false;
    while (auto frame = stream.next_frame(k_wait))
        if (frame->contains("heartbeat") && (*frame)["time"].get<std::int64_t>() > at_hello) {
            later = true;
            break;
        }
    REQUIRE(later);
    // The touch is committed before the next frame; one more frame makes sure it happened.
    while (auto frame = stream.next_frame(k_wait))
        if (frame->contains("heartbeat"))
            break;
    CHECK(last_seen() > at_hello);
}

TEST_CASE("120 streams follow a room while ordinary requests are still served") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    std::vector<std::unique_ptr<StreamClient>> streams;
    for (int i = 0; i < 120; ++i)
        streams.push_back(
            std::make_unique<StreamClient>(server.host(), server.port(), room, room.owner, 2));
    CHECK(client.get("/v1/health").status == 200);
    REQUIRE(say(client, room, "to everyone").status == 201);
    for (auto& stream : streams) {
        const auto event = stream->next_event(k_wait);
        REQUIRE(event);
        CHECK((*event)["seq"] == 3);
    }
}

TEST_CASE("SIGTERM closes open streams and the server still exits at once") {
    ServerProcess server;
    ApiClient client(server.host(), server.port());
    const TestRoom room = create_room(client, server.admin_token());
    StreamClient stream(server.host(), server.port(), room, room.owner, 0);
    REQUIRE(read_until(stream, 2).size() == 2);
    const auto start = std::chrono::steady_clock::now();
    CHECK(server.terminate() == 0);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK_FALSE(stream.next_frame(k_wait));
    CHECK(stream.closed());
}
