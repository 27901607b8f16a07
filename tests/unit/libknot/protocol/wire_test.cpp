// Tests of libknot/protocol/wire.cpp and wire_integration.cpp: every wire object survives a round
// trip through JSON with the members docs/protocol.md names, absent and null where it says, and a
// member of the wrong type is a knot::Error that names it.
#include "libknot/protocol/wire.hpp"
#include "libknot/protocol/wire_integration.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

using namespace knot;
using nlohmann::json;

namespace {

// `value` written, read back and written again gives the same JSON.
template <class T> json round_trip(const T& value) {
    const json written = value;
    const json again = written.get<T>();
    CHECK(again == written);
    return written;
}

// The message of the knot::Error that reading `text` as a T throws.
template <class T> std::string error_reading(const std::string& text) {
    try {
        (void)json::parse(text).get<T>();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

std::set<std::string> keys_of(const json& object) {
    std::set<std::string> out;
    for (auto it = object.begin(); it != object.end(); ++it)
        out.insert(it.key());
    return out;
}

wire::Lock a_lock() {
    return {"src/a.c", "ag_1", "coder-1", "fix the parser", 7, 1764060000, 1764060300};
}

} // namespace

TEST_CASE("an agent card and an agent keep every member through JSON") {
    const json card = round_trip(wire::AgentCard{"coder-1", "claude", {"code", "review"}, "a2V5"});
    CHECK(card == json::parse(R"({"name": "coder-1", "kind": "claude",
        "capabilities": ["code", "review"], "public_key": "a2V5"})"));

    wire::Agent agent;
    agent.id = "ag_3f9c0a1b2c3d4e5f";
    agent.name = "coder-1";
    agent.kind = "claude";
    agent.capabilities = {"code"};
    agent.public_key = "a2V5";
    agent.fingerprint = "knot:3f9c-0a1b-2c3d";
    agent.role = "member";
    agent.signed_card = true;
    agent.online = true;
    agent.last_seen = 1764061200;
    agent.joined_at = 1764060000;
    agent.status = "fixing the parser";
    const json written = round_trip(agent);
    CHECK(keys_of(written) == std::set<std::string>{"id", "name", "kind", "capabilities",
                                                    "public_key", "fingerprint", "role", "signed",
                                                    "online", "last_seen", "joined_at", "status"});
    CHECK(written.at("signed") == true);
    // An agent that never said what it does may show null: it reads as "".
    auto never = written;
    never["status"] = nullptr;
    CHECK(never.get<wire::Agent>().status.empty());
}

TEST_CASE("a lock and a task keep every member, and an open task's claimer is null") {
    const json lock = round_trip(a_lock());
    CHECK(lock == json::parse(R"({"path": "src/a.c", "agent": "ag_1", "agent_name": "coder-1",
        "intent": "fix the parser", "fencing": 7, "acquired_at": 1764060000,
        "expires_at": 1764060300})"));

    wire::Task task;
    task.id = "t3";
    task.title = "add JWT middleware";
    task.status = "open";
    task.created_by = "ag_1";
    const json open = round_trip(task);
    CHECK(open.at("claimed_by").is_null());
    CHECK(open.at("claimed_by_name").is_null());
    CHECK(open.at("goal") == "");
    task.status = "claimed";
    task.claimed_by = "ag_2";
    task.claimed_by_name = "coder-2";
    const auto claimed = round_trip(task).get<wire::Task>();
    CHECK(claimed.claimed_by == "ag_2");
    CHECK(claimed.claimed_by_name == "coder-2");
    CHECK(claimed.files.empty());
    CHECK(open.at("files") == json::array());
    task.files = {"src/a.c", "src/b.c"};
    CHECK(round_trip(task).get<wire::Task>().files == task.files);
    // A server from before task files sends none.
    CHECK(json::parse(R"({"id": "t1", "title": "old"})").get<wire::Task>().files.empty());
}

TEST_CASE("an event carries its data as it is, and \"signed\" only when a request caused it") {
    wire::Event event;
    event.seq = 2;
    event.type = "agent.joined";
    event.agent = "ag_1";
    event.time = 1764060000;
    event.data = {{"name", "coder-1"}, {"kind", "claude"}};
    event.prev = std::string(64, '0');
    event.hash = std::string(64, 'a');
    const json unsigned_event = round_trip(event);
    CHECK_FALSE(unsigned_event.contains("signed"));
    CHECK(unsigned_event.at("data") == json{{"name", "coder-1"}, {"kind", "claude"}});

    event.signature = wire::EventSignature{"knot-v1\nPOST\n/v1/rooms", "c2ln"};
    const json signed_event = round_trip(event);
    CHECK(signed_event.at("signed") ==
          json{{"string", "knot-v1\nPOST\n/v1/rooms"}, {"signature", "c2ln"}});
}

TEST_CASE("the room, its creation, the health answer and an error body keep their members") {
    wire::Room room;
    room.room = "rm_0123456789abcdef";
    room.name = "team";
    room.lease_seconds = 300;
    room.last_seq = 4;
    wire::Agent agent;
    agent.id = "ag_1";
    agent.name = "coder-1";
    room.agents = {agent};
    room.counts = {2, 1, 3, 1, 0};
    const json written = round_trip(room);
    CHECK(written.at("counts") ==
          json{{"agents", 2}, {"online", 1}, {"tasks", 3}, {"tasks_done", 1}, {"locks", 0}});

    round_trip(wire::RoomCreated{"rm_0123456789abcdef", std::string(64, 'f'), agent, agent});
    CHECK(round_trip(wire::Health{true, "knot-server", "0.1.0", "knot-v1", 1764060000}) ==
          json::parse(R"({"ok": true, "server": "knot-server", "version": "0.1.0",
              "protocol": "knot-v1", "time": 1764060000})"));

    const json plain = round_trip(wire::ErrorBody{"no such room", "unknown_room", std::nullopt});
    CHECK_FALSE(plain.contains("conflicts"));
    const json conflict =
        round_trip(wire::ErrorBody{"src/a.c is locked", "lock_conflict", std::vector{a_lock()}});
    CHECK(wire::conflicts_in(conflict.dump()).at(0).agent_name == "coder-1");
    CHECK(wire::conflicts_in("<html>bad gateway</html>").empty());
    CHECK_FALSE(wire::parse_error_body("").has_value());
}

TEST_CASE("a run, the settings and the integration state write null where nothing is") {
    wire::Run run;
    run.run = 7;
    run.agent = "coder-1";
    run.status = "queued";
    run.detail = {{"merge_ms", 3}};
    const json queued = round_trip(run);
    CHECK(queued.at("base").is_null());
    CHECK(queued.at("candidate").is_null());
    CHECK(queued.at("log").is_null());
    CHECK(queued.size() == 19);
    run.base = std::string(40, 'a');
    run.log = "/v1/rooms/rm_x/integration/runs/7/log";
    CHECK(round_trip(run).at("log") == "/v1/rooms/rm_x/integration/runs/7/log");

    const json from_trees = round_trip(wire::Settings{std::nullopt, 600, std::nullopt});
    CHECK(from_trees == json::parse(R"({"checks": null, "time_limit": 600, "forge": null})"));
    const json none = round_trip(wire::Settings{std::vector<std::string>{}, 60, "https://f/x"});
    CHECK(none.at("checks") == json::array());
    CHECK(none.get<wire::Settings>().checks.has_value());

    wire::Integration state;
    state.runs = {run};
    const json written = round_trip(state);
    CHECK(written.at("integration").is_null());
    CHECK(written.at("base").is_null());
}

TEST_CASE("undo, base and push answers leave out the members they do not have") {
    wire::Undo undo{3, "coder-1", "c0ffee", "aaa", "bbb", "ana", std::nullopt};
    CHECK_FALSE(round_trip(undo).contains("forge")); // the integration.undone event's data
    undo.forge = "none";
    CHECK(round_trip(undo).at("forge") == "none");

    const json existing =
        round_trip(wire::BaseAnswer{false, std::string(40, 'a'), std::nullopt, std::nullopt});
    CHECK(existing.at("base").is_null());
    CHECK_FALSE(existing.contains("forge"));
    CHECK(round_trip(wire::BaseAnswer{true, "b", "b", "https://forge/x"}).at("forge") ==
          "https://forge/x");

    const json received = round_trip(wire::PushAnswer{"refs/knot/a/main", "0", "1", {}, {}});
    CHECK(keys_of(received) == std::set<std::string>{"ref", "old", "new"});
    const json held = round_trip(wire::PushAnswer{"refs/knot/a/main", "0", "1", "forge",
                                                  wire::HeldRun{4, {a_lock()}, "held"}});
    CHECK(held.at("mode") == "forge");
    CHECK(held.at("held").at("locks").size() == 1);
}

TEST_CASE("a member of the wrong type is an error that names the object and the member") {
    CHECK(error_reading<wire::Lock>(R"({"path": "a.c", "expires_at": "soon"})") ==
          "the knot server sent a malformed lock: \"expires_at\" is not an integer");
    CHECK(error_reading<wire::Lock>(R"({"agent": "ag_1"})") ==
          "the knot server sent a malformed lock: it has no \"path\"");
    CHECK(error_reading<wire::Lock>(R"(["a.c"])") ==
          "the knot server sent a malformed lock: it is not a JSON object");
    CHECK(error_reading<wire::Task>(R"({"id": "t1", "claimed_by": 5})") ==
          "the knot server sent a malformed task: \"claimed_by\" is not a string or null");
    CHECK(error_reading<wire::Task>(R"({"id": "t1", "files": "a.c"})") ==
          "the knot server sent a malformed task: \"files\" is not an array of strings");
    CHECK(error_reading<wire::Agent>(R"({"id": "ag_1", "name": "x", "online": "yes"})") ==
          "the knot server sent a malformed agent: \"online\" is not true or false");
    CHECK(error_reading<wire::Agent>(R"({"id": "ag_1", "name": "x", "capabilities": [1]})") ==
          "the knot server sent a malformed agent: \"capabilities\" is not an array of strings");
    CHECK(error_reading<wire::Event>(R"({"seq": 1, "type": "chat.message", "data": "hi"})") ==
          "the knot server sent a malformed event: \"data\" is not an object");
    CHECK(error_reading<wire::Room>(R"({"agents": {"id": "ag_1"}})") ==
          "the knot server sent a malformed room: \"agents\" is not an array");
    CHECK(error_reading<wire::Room>(R"({"agents": [{"id": "ag_1", "name": 3}]})") ==
          "the knot server sent a malformed agent: \"name\" is not a string");
    CHECK(error_reading<wire::Settings>(R"({"checks": "make"})") ==
          "the knot server sent a malformed settings: \"checks\" is not an array of strings");
    CHECK(error_reading<wire::Run>(R"({"run": 1, "undone": 0})") ==
          "the knot server sent a malformed integration run: \"undone\" is not true or false");
    CHECK(error_reading<wire::PushAnswer>(R"({"ref": "r", "held": {"locks": 1}})") ==
          "the knot server sent a malformed held run: \"locks\" is not an array");
    CHECK(error_reading<wire::ErrorBody>(R"({"error": "x", "conflicts": [{"path": 1}]})") ==
          "the knot server sent a malformed lock: \"path\" is not a string");
}

TEST_CASE("members the protocol added later read as empty when an older server leaves them out") {
    const auto lock = json::parse(R"({"path": "a.c"})").get<wire::Lock>();
    CHECK(lock.agent.empty());
    CHECK(lock.expires_at == 0);
    const auto run = json::parse(R"({"run": 2})").get<wire::Run>();
    CHECK(run.detail == json::object());
    CHECK_FALSE(run.log.has_value());
    const auto refs =
        wire::FieldReader(json::parse(R"({"refs": {"refs/knot/a/main": "c0"}})"), "refs answer")
            .text_map("refs");
    CHECK(refs.at("refs/knot/a/main") == "c0");
}
