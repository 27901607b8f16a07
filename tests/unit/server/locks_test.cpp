// Tests of file locks, the lease setting and intent (doing) against the real knot-server.
#include "../../support/server_process.hpp"
#include "api_client.hpp"
#include "lock_room.hpp"
#include "stream_client.hpp"

#include "libknot/protocol/protocol.hpp"

#include <catch2/catch.hpp>

#include <latch>
#include <map>
#include <set>
#include <thread>

using namespace knot;
using namespace knot::test;

namespace {

constexpr std::chrono::seconds k_wait{15};

} // namespace

TEST_CASE("a lock is granted with a fencing token, listed, and conflicts for another agent") {
    LockRoom f;
    const auto granted = f.lock(f.alice, {"src/b.c", "src/a.c"}, {{"intent", "fix the parser"}});
    REQUIRE(granted.status == 200);
    const auto locks = granted.json()["locks"];
    REQUIRE(locks.size() == 2);
    CHECK(locks[0]["path"] == "src/a.c");
    CHECK(locks[0]["agent"] == f.alice.id);
    CHECK(locks[0]["agent_name"] == "alice");
    CHECK(locks[0]["intent"] == "fix the parser");
    CHECK(locks[0]["fencing"] == 1);
    CHECK(locks[0]["expires_at"].get<std::int64_t>() -
              locks[0]["acquired_at"].get<std::int64_t>() ==
          300);

    const auto listed = room_get(f.client, f.room, "/locks").json();
    CHECK(listed["lease_seconds"] == 300);
    CHECK(listed["locks"] == locks);
    CHECK(room_get(f.client, f.room, "").json()["counts"]["locks"] == 2);

    const auto conflict = f.lock(f.bob, {"src/a.c"});
    CHECK(conflict.status == 409);
    CHECK(conflict.code() == "lock_conflict");
    const auto conflicts = conflict.json()["conflicts"];
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0]["path"] == "src/a.c");
    CHECK(conflicts[0]["agent"] == f.alice.id);
    CHECK(conflicts[0]["intent"] == "fix the parser");
    CHECK(conflicts[0]["expires_at"] == locks[0]["expires_at"]);

    const auto events = f.events_since(0);
    const auto& acquired = events.back();
    CHECK(acquired["type"] == "lock.acquired");
    CHECK(acquired["agent"] == f.alice.id);
    CHECK(acquired["data"]["paths"] == nlohmann::json{"src/a.c", "src/b.c"});
    CHECK(acquired["data"]["fencing"]["src/b.c"] == 1);
    CHECK(acquired["data"]["intent"] == "fix the parser");
}

TEST_CASE("a request where one path conflicts grants nothing") {
    LockRoom f;
    REQUIRE(f.lock(f.alice, {"b"}).status == 200);
    const std::int64_t before = f.last_seq();
    const auto refused = f.lock(f.bob, {"a", "b", "c"});
    CHECK(refused.status == 409);
    CHECK(refused.json()["conflicts"].size() == 1);
    const auto table = f.table();
    REQUIRE(table.size() == 1);
    CHECK(table[0]["path"] == "b");
    CHECK(f.last_seq() == before);
    // The refused request wrote nothing, not even its fencing counters.
    REQUIRE(f.lock(f.bob, {"a"}).json()["locks"][0]["fencing"] == 1);
}

TEST_CASE("locking a path again renews it and keeps its fencing token") {
    LockRoom f;
    const auto first = f.lock(f.alice, {"a"}, {{"intent", "one"}}).json()["locks"][0];
    const std::int64_t seq = f.last_seq();
    const auto again = f.lock(f.alice, {"a", "b"});
    REQUIRE(again.status == 200);
    const auto locks = again.json()["locks"];
    CHECK(locks[0]["fencing"] == first["fencing"]);
    CHECK(locks[0]["intent"] == "one");
    CHECK(locks[0]["acquired_at"] == first["acquired_at"]);
    const auto events = f.events_since(seq);
    REQUIRE(events.size() == 1);
    CHECK(events[0]["data"]["paths"] == nlohmann::json{"b"});

    const auto renewed =
        room_post(f.client, f.room, f.alice.identity, "/locks/renew", nlohmann::json::object());
    REQUIRE(renewed.status == 200);
    CHECK(renewed.json()["locks"].size() == 2);
    CHECK(renewed.json()["locks"][0]["fencing"] == first["fencing"]);
    const auto named =
        room_post(f.client, f.room, f.alice.identity, "/locks/renew", {{"paths", {"b"}}});
    REQUIRE(named.status == 200);
    CHECK(named.json()["locks"].size() == 1);
    CHECK(f.last_seq() == seq + 1); // renewals are not logged

    const auto not_mine =
        room_post(f.client, f.room, f.bob.identity, "/locks/renew", {{"paths", {"a"}}});
    CHECK(not_mine.status == 403);
    CHECK(not_mine.code() == "not_holder");
    const auto unknown =
        room_post(f.client, f.room, f.bob.identity, "/locks/renew", {{"paths", {"zzz"}}});
    CHECK(unknown.status == 404);
    CHECK(unknown.code() == "unknown_lock");
}

TEST_CASE("a claim with keep_intent names new locks and leaves held ones their intent") {
    LockRoom f;
    REQUIRE(f.lock(f.alice, {"a"}, {{"intent", "the lock's own"}}).status == 200);
    REQUIRE(f.lock(f.alice, {"b"}).status == 200); // held with no intent
    const auto claimed =
        f.lock(f.alice, {"a", "b", "c"}, {{"intent", "the last doing"}, {"keep_intent", true}});
    REQUIRE(claimed.status == 200);
    const auto locks = claimed.json()["locks"];
    CHECK(locks[0]["intent"] == "the lock's own");
    CHECK(locks[1]["intent"] == "the last doing");
    CHECK(locks[2]["intent"] == "the last doing");
    // Without it an explicit intent still replaces the held one, as `git knot lock -m` does.
    const auto replaced = f.lock(f.alice, {"a"}, {{"intent", "new words"}});
    CHECK(replaced.json()["locks"][0]["intent"] == "new words");
    CHECK(f.lock(f.alice, {"a"}, {{"keep_intent", "yes"}}).status == 400);
}

TEST_CASE("release is all or nothing: unknown_lock, not_holder, and force by the owner") {
    LockRoom f;
    REQUIRE(f.lock(f.alice, {"a", "b"}).status == 200);
    REQUIRE(f.lock(f.bob, {"c"}).status == 200);

    const auto unknown = f.release(f.alice.identity, {"a", "nope"});
    CHECK(unknown.status == 404);
    CHECK(unknown.code() == "unknown_lock");
    const auto other = f.release(f.alice.identity, {"a", "c"});
    CHECK(other.status == 403);
    CHECK(other.code() == "not_holder");
    CHECK(f.table().size() == 3);

    const auto not_owner = f.release(f.alice.identity, {"c"}, true);
    CHECK(not_owner.status == 403);
    CHECK(not_owner.code() == "not_owner");

    const auto released = f.release(f.alice.identity, {"b", "a"});
    REQUIRE(released.status == 200);
    CHECK(released.json()["released"] == nlohmann::json{"a", "b"});
    CHECK(f.events_since(0).back()["type"] == "lock.released");

    const std::int64_t seq = f.last_seq();
    const auto forced = f.release(f.room.owner, {"c"}, true);
    REQUIRE(forced.status == 200);
    const auto events = f.events_since(seq);
    REQUIRE(events.size() == 1);
    CHECK(events[0]["type"] == "lock.broken");
    CHECK(events[0]["agent"] == f.room.owner_id);
    CHECK(events[0]["data"] ==
          nlohmann::json{{"path", "c"}, {"holder", f.bob.id}, {"by", f.room.owner_id}});
    CHECK(f.table().empty());
}

TEST_CASE("the owner may force a lock, breaking the others' first, a member may not") {
    LockRoom f;
    REQUIRE(f.lock(f.alice, {"a"}).status == 200);
    const auto refused = f.lock(f.bob, {"a"}, {{"force", true}});
    CHECK(refused.status == 403);
    CHECK(refused.code() == "not_owner");
    const std::int64_t seq = f.last_seq();
    const auto owner = TestMember{f.room.owner, f.room.owner_id, "owner"};
    const auto forced = f.lock(owner, {"a", "b"}, {{"force", true}});
    REQUIRE(forced.status == 200);
    CHECK(forced.json()["locks"][0]["agent"] == f.room.owner_id);
    CHECK(forced.json()["locks"][0]["fencing"] == 2);
    const auto events = f.events_since(seq);
    REQUIRE(events.size() == 2);
    CHECK(events[0]["type"] == "lock.broken");
    CHECK(events[0]["data"]["holder"] == f.alice.id);
    CHECK(events[1]["type"] == "lock.acquired");
}

TEST_CASE("fencing tokens only increase across release and expiry") {
    LockRoom f;
    StreamClient stream(f.server.host(), f.server.port(), f.room, f.room.owner, f.last_seq());
    std::int64_t last = 0;
    for (int round = 0; round < 3; ++round) {
        const auto lock = f.lock(round % 2 ? f.bob : f.alice, {"src/x"});
        REQUIRE(lock.status == 200);
        const std::int64_t fencing = lock.json()["locks"][0]["fencing"];
        CHECK(fencing > last);
        last = fencing;
        REQUIRE(f.release(round % 2 ? f.bob.identity : f.alice.identity, {"src/x"}).status == 200);
    }
    const auto settings =
        room_post(f.client, f.room, f.room.owner, "/settings", {{"lease_seconds", 1}});
    REQUIRE(settings.status == 200);
    CHECK(settings.json()["lease_seconds"] == 1);
    REQUIRE(f.lock(f.alice, {"src/x"}).json()["locks"][0]["fencing"] == last + 1);
    // The reaper expires the lease: wait for its event rather than for a time.
    std::optional<nlohmann::json> expired;
    while (auto event = stream.next_event(k_wait)) {
        if ((*event)["type"] == "lock.expired") {
            expired = event;
            break;
        }
    }
    REQUIRE(expired);
    CHECK((*expired)["agent"] == f.alice.id);
    CHECK((*expired)["data"] ==
          nlohmann::json{{"path", "src/x"}, {"holder", f.alice.id}, {"fencing", last + 1}});
    CHECK(f.table().empty());
    CHECK(f.lock(f.bob, {"src/x"}).json()["locks"][0]["fencing"] == last + 2);
}

TEST_CASE("settings are the owner's and the lease is 1 to 86400 seconds") {
    LockRoom f;
    const auto member =
        room_post(f.client, f.room, f.alice.identity, "/settings", {{"lease_seconds", 60}});
    CHECK(member.status == 403);
    CHECK(member.code() == "not_owner");
    for (const auto& bad :
         {nlohmann::json(0), nlohmann::json(86401), nlohmann::json("60"), nlohmann::json(1.5)}) {
        const auto response =
            room_post(f.client, f.room, f.room.owner, "/settings", {{"lease_seconds", bad}});
        CHECK(response.status == 400);
        CHECK(response.code() == "bad_request");
    }
    REQUIRE(
        room_post(f.client, f.room, f.room.owner, "/settings", {{"lease_seconds", 86400}}).status ==
        200);
    CHECK(room_get(f.client, f.room, "").json()["lease_seconds"] == 86400);
    CHECK(f.events_since(0).back()["type"] == "room.settings");
    const auto lock = f.lock(f.alice, {"a"}).json()["locks"][0];
    CHECK(lock["expires_at"].get<std::int64_t>() - lock["acquired_at"].get<std::int64_t>() ==
          86400);
}

TEST_CASE("doing sets the status and locks its files, all or none") {
    LockRoom f;
    REQUIRE(f.lock(f.bob, {"taken"}).status == 200);
    const std::int64_t seq = f.last_seq();
    const auto refused = room_post(f.client, f.room, f.alice.identity, "/doing",
                                   {{"status", "refactoring"}, {"files", {"free", "taken"}}});
    CHECK(refused.status == 409);
    CHECK(refused.code() == "lock_conflict");
    CHECK(f.last_seq() == seq);
    auto agents = room_get(f.client, f.room, "/agents").json()["agents"];
    for (const auto& agent : agents)
        if (agent["id"] == f.alice.id)
            CHECK(agent["status"] == "");

    const auto done = room_post(f.client, f.room, f.alice.identity, "/doing",
                                {{"status", "refactoring"}, {"files", {"free", "other"}}});
    REQUIRE(done.status == 200);
    CHECK(done.json()["status"] == "refactoring");
    REQUIRE(done.json()["locks"].size() == 2);
    CHECK(done.json()["locks"][0]["intent"] == "refactoring");
    agents = room_get(f.client, f.room, "/agents").json()["agents"];
    for (const auto& agent : agents)
        if (agent["id"] == f.alice.id)
            CHECK(agent["status"] == "refactoring");
    const auto events = f.events_since(seq);
    REQUIRE(events.size() == 2);
    CHECK(events[0]["type"] == "lock.acquired");
    CHECK(events[1]["type"] == "agent.doing");
    CHECK(events[1]["data"] ==
          nlohmann::json{{"status", "refactoring"}, {"files", {"free", "other"}}});

    const auto status_only =
        room_post(f.client, f.room, f.alice.identity, "/doing", {{"status", "reviewing"}});
    REQUIRE(status_only.status == 200);
    CHECK(status_only.json()["locks"].empty());
    CHECK(room_post(f.client, f.room, f.alice.identity, "/doing", {{"files", {"x"}}}).status ==
          400);
    CHECK(room_post(f.client, f.room, f.alice.identity, "/doing",
                    {{"status", "x"}, {"files", {"../x"}}})
              .code() == "bad_path");
}

TEST_CASE("50 agents locking overlapping paths at once never share a path") {
    LockRoom f;
    constexpr int k_agents = 50;
    constexpr int k_rounds = 4;
    constexpr int k_paths = 12;
    std::vector<TestMember> agents;
    for (int i = 0; i < k_agents; ++i)
        agents.push_back(join_room(f.client, f.room, "racer-" + std::to_string(i)));
    const std::int64_t start_seq = f.last_seq();

    struct Grant {
        std::string agent;
        nlohmann::json locks;
        std::set<std::string> wanted;
    };
    std::mutex mutex;
    std::vector<Grant> final_grants;
    std::vector<std::string> failures;
    std::latch go(k_agents);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_agents; ++i)
        threads.emplace_back([&, i] {
            ApiClient client(f.server.host(), f.server.port());
            const std::set<std::string> wanted{"p" + std::to_string(i % k_paths),
                                               "p" + std::to_string((i + 1) % k_paths),
                                               "p" + std::to_string((i + 5) % k_paths)};
            const nlohmann::json paths(wanted);
            go.arrive_and_wait();
            std::vector<std::string> errors;
            std::optional<Grant> grant;
            for (int round = 0; round < k_rounds; ++round) {
                const auto response =
                    room_post(client, f.room, agents[i].identity, "/locks", {{"paths", paths}});
                if (response.status == 200) {
                    if (round + 1 == k_rounds) {
                        grant = Grant{agents[i].id, response.json()["locks"], wanted};
                        break;
                    }
                    const auto released = room_post(client, f.room, agents[i].identity,
                                                    "/locks/release", {{"paths", paths}});
                    if (released.status != 200)
                        errors.push_back("release: " + released.body);
                } else if (response.status != 409 || response.json()["conflicts"].empty()) {
                    errors.push_back(response.body);
                }
            }
            std::lock_guard lock(mutex);
            if (grant)
                final_grants.push_back(*grant);
            failures.insert(failures.end(), errors.begin(), errors.end());
        });
    for (auto& thread : threads)
        thread.join();
    CHECK(failures.empty());

    // The final table: every last-round winner holds all of its paths, no path twice.
    std::map<std::string, nlohmann::json> table;
    for (const auto& lock : f.table())
        table[lock["path"]] = lock;
    std::set<std::string> claimed;
    for (const auto& grant : final_grants) {
        CHECK(grant.locks.size() == grant.wanted.size());
        for (const auto& lock : grant.locks) {
            CHECK(claimed.insert(lock["path"].get<std::string>()).second);
            REQUIRE(table.count(lock["path"]) == 1);
            CHECK(table[lock["path"]]["agent"] == grant.agent);
            CHECK(table[lock["path"]]["fencing"] == lock["fencing"]);
        }
    }

    // Replaying the log: a path is acquired only while free, released only by its holder, and
    // its fencing tokens strictly increase.
    std::map<std::string, std::string> holder;
    std::map<std::string, std::int64_t> fencing;
    std::int64_t since = start_seq;
    for (;;) {
        const auto events = f.events_since(since);
        if (events.empty())
            break;
        for (const auto& event : events) {
            since = event["seq"];
            const std::string agent = event["agent"];
            if (event["type"] == "lock.acquired") {
                for (const auto& path : event["data"]["paths"]) {
                    CHECK(holder[path].empty());
                    holder[path] = agent;
                    const std::int64_t token = event["data"]["fencing"][path.get<std::string>()];
                    CHECK(token > fencing[path]);
                    fencing[path] = token;
                }
            } else if (event["type"] == "lock.released") {
                for (const auto& path : event["data"]["paths"]) {
                    CHECK(holder[path] == agent);
                    holder[path].clear();
                }
            }
        }
    }
    std::size_t held = 0;
    for (const auto& [path, agent] : holder)
        if (!agent.empty()) {
            ++held;
            CHECK(table[path]["agent"] == agent);
        }
    CHECK(held == table.size());
}
