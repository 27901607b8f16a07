// Tests of server/push_locks.cpp against the real knot-server: a hosted push that changes a path
// another agent holds is refused before its ref moves, a forge push's run is held until the lock
// ends, and a holder's own work carried along by a teammate is not held against it.
#include "../../support/temp_repo.hpp"
#include "git_fixture.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace knot;
using namespace knot::test;

namespace {

// The next event of `type` on `stream` (for run `run` when given); FAILs after two minutes.
nlohmann::json await(StreamClient& stream, const std::string& type, std::int64_t run = 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (std::chrono::steady_clock::now() < deadline) {
        const auto event = stream.next_event(std::chrono::seconds(5));
        if (event && event->at("type") == type &&
            (run == 0 || event->at("data").value("run", std::int64_t{0}) == run))
            return *event;
    }
    FAIL("no " << type << " event came");
    return {};
}

std::vector<nlohmann::json> events_of(Fixture& f, const std::string& type) {
    std::vector<nlohmann::json> out;
    const nlohmann::json page = room_get(f.api(), f.room, "/events?since=0").json();
    for (const auto& event : page.at("events"))
        if (event.at("type") == type)
            out.push_back(event);
    return out;
}

bool in_repository(const Fixture& f, const std::string& oid) {
    return sh("git --git-dir='" + f.repo().string() + "' cat-file -e " + oid, f.repo()).status == 0;
}

} // namespace

TEST_CASE("a hosted push that changes a path another agent holds is refused before its ref moves") {
    Fixture f;
    // No run ever integrates here: each push's change then counts from its ref's old value,
    // whatever the integration agent is doing meanwhile.
    REQUIRE(
        room_post(f.client, f.room, f.room.owner, "/integration/settings", {{"checks", {"false"}}})
            .status == 200);
    REQUIRE(room_post(f.client, f.room, f.bob.identity, "/locks",
                      {{"paths", {"a.txt"}}, {"intent", "rewrite a"}})
                .status == 200);
    // A push that leaves the held path alone goes through.
    const std::string first = f.scratch.commit("b.txt", "b\n");
    REQUIRE(
        f.receive(f.alice, "refs/knot/alice/main", k_zero, first, f.scratch.pack(first)).status ==
        200);

    const std::string past_lock = f.scratch.commit("a.txt", "alice\n");
    const auto refused = f.receive(f.alice, "refs/knot/alice/main", first, past_lock,
                                   f.scratch.pack(past_lock + "\\n^" + first));
    INFO(refused.body);
    CHECK(refused.status == 409);
    CHECK(refused.code() == "lock_conflict");
    const auto body = refused.json();
    CHECK(body.at("error").get<std::string>().find("a.txt, locked by bob (\"rewrite a\") for "
                                                   "another ") != std::string::npos);
    REQUIRE(body.at("conflicts").size() == 1);
    CHECK(body.at("conflicts")[0].at("path") == "a.txt");
    CHECK(body.at("conflicts")[0].at("agent") == f.bob.id);
    CHECK(body.at("conflicts")[0].at("agent_name") == "bob");
    CHECK(body.at("conflicts")[0].at("intent") == "rewrite a");
    CHECK(body.at("conflicts")[0].at("expires_at").get<std::int64_t>() > unix_now());
    // Nothing moved, nothing was recorded, and the pack was not kept.
    CHECK(f.refs() == nlohmann::json{{"refs/knot/alice/main", first}});
    CHECK(events_of(f, "sync.pushed").size() == 1);
    CHECK_FALSE(in_repository(f, past_lock));

    // The holder itself pushes the path.
    REQUIRE(f.receive(f.bob, "refs/knot/bob/main", k_zero, past_lock, f.scratch.pack(past_lock))
                .status == 200);
    SECTION("a teammate carrying the holder's own work along is not refused") {
        const auto carried =
            f.receive(f.alice, "refs/knot/alice/main", first, past_lock, std::string());
        INFO(carried.body);
        CHECK(carried.status == 200);
        // A change of its own to the held path still is.
        const std::string more = f.scratch.commit("a.txt", "alice again\n");
        CHECK(f.receive(f.alice, "refs/knot/alice/main", past_lock, more,
                        f.scratch.pack(more + "\\n^" + past_lock))
                  .code() == "lock_conflict");
    }
    SECTION("once the lock ends the push goes through") {
        REQUIRE(
            room_post(f.client, f.room, f.bob.identity, "/locks/release", {{"paths", {"a.txt"}}})
                .status == 200);
        const std::string mine = f.scratch.commit("a.txt", "alice again\n");
        CHECK(f.receive(f.alice, "refs/knot/alice/main", first, mine,
                        f.scratch.pack(mine + "\\n^" + first))
                  .status == 200);
    }
}

TEST_CASE("a forge push past a lock is recorded, its run held with an event and a chat line, "
          "and integrated once the lock ends") {
    Fixture f;
    TempRepo forge;
    REQUIRE(room_post(f.client, f.room, f.room.owner, "/integration/settings",
                      {{"forge_url", forge.path.string()}})
                .status == 200);
    REQUIRE(room_post(f.client, f.room, f.bob.identity, "/locks",
                      {{"paths", {"parser.c"}}, {"intent", "fix the parser"}})
                .status == 200);
    StreamClient stream(f.server.host(), f.server.port(), f.room, f.alice.identity, 0);

    // The bytes went to the forge while the server was away; the notification comes later.
    const std::string tip = forge.commit("parser.c", "int a;\n");
    forge.git({"update-ref", "refs/knot/alice/main", tip});
    const auto answer = room_post(f.client, f.room, f.alice.identity, "/git/notify",
                                  {{"ref", "refs/knot/alice/main"}, {"old", k_zero}, {"new", tip}});
    INFO(answer.body);
    REQUIRE(answer.status == 200);
    const auto held = answer.json().at("held");
    CHECK(held.at("locks")[0].at("path") == "parser.c");
    CHECK(held.at("locks")[0].at("agent_name") == "bob");
    const std::int64_t run = held.at("run");
    CHECK(f.refs() == nlohmann::json{{"refs/knot/alice/main", tip}});

    const auto event = await(stream, "sync.held_locked", run);
    CHECK(event.at("data").at("commit") == tip);
    CHECK(event.at("data").at("locks")[0].at("intent") == "fix the parser");
    CHECK(event.at("agent") == f.room.answer.at("server_agent").at("id"));
    const auto chat = await(stream, "chat.message");
    const std::string text = chat.at("data").at("text");
    CHECK(text.find("Holding back alice@" + tip.substr(0, 7)) != std::string::npos);
    CHECK(text.find("parser.c, locked by bob") != std::string::npos);
    auto shown = room_get(f.client, f.room, "/integration/runs/" + std::to_string(run)).json();
    CHECK(shown.at("status") == "held_locked");
    CHECK(shown.at("detail").at("held")[0].at("path") == "parser.c");
    CHECK(room_get(f.client, f.room, "/integration").json().at("integration").is_null());

    // Another lock ending does not free it; its own does, and the run goes on.
    REQUIRE(
        room_post(f.client, f.room, f.bob.identity, "/locks", {{"paths", {"other.c"}}}).status ==
        200);
    REQUIRE(room_post(f.client, f.room, f.bob.identity, "/locks/release", {{"paths", {"other.c"}}})
                .status == 200);
    shown = room_get(f.client, f.room, "/integration/runs/" + std::to_string(run)).json();
    CHECK(shown.at("status") == "held_locked");
    REQUIRE(room_post(f.client, f.room, f.bob.identity, "/locks/release", {{"paths", {"parser.c"}}})
                .status == 200);
    CHECK(await(stream, "integration.released", run).at("data").at("commit") == tip);
    const auto integrated = await(stream, "sync.integrated", run);
    CHECK(integrated.at("data").at("integration") == tip);
}

TEST_CASE("a newer push of the same ref replaces a held one") {
    Fixture f;
    TempRepo forge;
    REQUIRE(room_post(f.client, f.room, f.room.owner, "/integration/settings",
                      {{"forge_url", forge.path.string()}})
                .status == 200);
    REQUIRE(room_post(f.client, f.room, f.bob.identity, "/locks", {{"paths", {"a.txt"}}}).status ==
            200);
    const std::string first = forge.commit("a.txt", "one\n");
    forge.git({"update-ref", "refs/knot/alice/main", first});
    const auto held = room_post(f.client, f.room, f.alice.identity, "/git/notify",
                                {{"ref", "refs/knot/alice/main"}, {"old", k_zero}, {"new", first}});
    REQUIRE(held.status == 200);
    const std::int64_t run = held.json().at("held").at("run");
    const std::string second = forge.commit("a.txt", "two\n");
    forge.git({"update-ref", "refs/knot/alice/main", second});
    const auto again =
        room_post(f.client, f.room, f.alice.identity, "/git/notify",
                  {{"ref", "refs/knot/alice/main"}, {"old", first}, {"new", second}});
    REQUIRE(again.status == 200);
    CHECK(again.json().contains("held"));
    CHECK(room_get(f.client, f.room, "/integration/runs/" + std::to_string(run))
              .json()
              .at("status") == "superseded");
}
