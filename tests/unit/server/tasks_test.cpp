// Tests of tasks (plan, claim with exactly one winner, done, release) against the real server.
#include "server_room.hpp"

#include <catch2/catch.hpp>

#include <latch>
#include <thread>

using namespace knot;
using namespace knot::test;

namespace {

struct Fixture : ServerRoom {
    TestMember bob = join_room(client, room, "bob");

    ApiResponse act(const Identity& who, const std::string& id, const std::string& action,
                    const nlohmann::json& body = nlohmann::json::object()) {
        return room_post(client, room, who, "/tasks/" + id + "/" + action, body);
    }
};

} // namespace

TEST_CASE("tasks are created with ids counting from t1 and listed in id order") {
    Fixture f;
    const auto created = room_post(f.client, f.room, f.alice.identity, "/tasks",
                                   {{"goal", "auth"}, {"titles", {"add JWT", "write tests"}}});
    REQUIRE(created.status == 201);
    const auto tasks = created.json()["tasks"];
    REQUIRE(tasks.size() == 2);
    CHECK(tasks[0]["id"] == "t1");
    CHECK(tasks[1]["id"] == "t2");
    CHECK(tasks[0]["title"] == "add JWT");
    CHECK(tasks[0]["goal"] == "auth");
    CHECK(tasks[0]["status"] == "open");
    CHECK(tasks[0]["claimed_by"].is_null());
    CHECK(tasks[0]["created_by"] == f.alice.id);
    REQUIRE(room_post(f.client, f.room, f.bob.identity, "/tasks", {{"titles", {"third"}}})
                .json()["tasks"][0]["id"] == "t3");
    const auto listed = room_get(f.client, f.room, "/tasks").json()["tasks"];
    REQUIRE(listed.size() == 3);
    CHECK(listed[0] == tasks[0]);
    CHECK(listed[2]["goal"] == "");
    const auto events = room_get(f.client, f.room, "/events?since=4").json()["events"];
    REQUIRE(events.size() == 3);
    CHECK(events[0]["type"] == "task.created");
    CHECK(events[0]["data"] == nlohmann::json{{"id", "t1"}, {"title", "add JWT"}});
    CHECK(room_get(f.client, f.room, "").json()["counts"]["tasks"] == 3);
}

TEST_CASE("task titles and goals are validated") {
    Fixture f;
    auto create = [&](const nlohmann::json& body) {
        return room_post(f.client, f.room, f.alice.identity, "/tasks", body);
    };
    CHECK(create(nlohmann::json::object()).code() == "bad_request");
    CHECK(create({{"titles", nlohmann::json::array()}}).code() == "bad_request");
    CHECK(create({{"titles", {""}}}).code() == "bad_request");
    CHECK(create({{"titles", {std::string(201, 't')}}}).code() == "bad_request");
    CHECK(create({{"titles", {"line\nbreak"}}}).code() == "bad_request");
    CHECK(create({{"titles", {1}}}).code() == "bad_request");
    CHECK(create({{"titles", {"ok"}}, {"goal", std::string(201, 'g')}}).code() == "bad_request");
    nlohmann::json many = nlohmann::json::array();
    for (int i = 0; i < 101; ++i)
        many.push_back("task");
    CHECK(create({{"titles", many}}).code() == "bad_request");
    CHECK(create({{"titles", {std::string(200, 't')}}}).status == 201);
    CHECK(room_get(f.client, f.room, "/tasks").json()["tasks"].size() == 1);
}

TEST_CASE("tasks planned with files keep them, and a plan given as titles has none") {
    Fixture f;
    const auto created =
        room_post(f.client, f.room, f.alice.identity, "/tasks",
                  {{"goal", "parse"},
                   {"tasks",
                    {{{"title", "the lexer"}, {"files", {"src/lex.c", "src/lex.h", "src/lex.c"}}},
                     {{"title", "the docs"}}}}});
    REQUIRE(created.status == 201);
    const auto tasks = created.json()["tasks"];
    REQUIRE(tasks.size() == 2);
    CHECK(tasks[0]["files"] == nlohmann::json{"src/lex.c", "src/lex.h"});
    CHECK(tasks[0]["goal"] == "parse");
    CHECK(tasks[1]["files"] == nlohmann::json::array());
    REQUIRE(room_post(f.client, f.room, f.alice.identity, "/tasks", {{"titles", {"old client"}}})
                .status == 201);
    const auto listed = room_get(f.client, f.room, "/tasks").json()["tasks"];
    REQUIRE(listed.size() == 3);
    CHECK(listed[0] == tasks[0]);
    CHECK(listed[2]["files"] == nlohmann::json::array());
    const auto claimed = f.act(f.bob.identity, "t1", "claim");
    CHECK(claimed.json()["task"]["files"] == nlohmann::json{"src/lex.c", "src/lex.h"});
}

TEST_CASE("a plan with a bad file, title or shape is refused whole with the field named") {
    Fixture f;
    auto create = [&](const nlohmann::json& tasks) {
        return room_post(f.client, f.room, f.alice.identity, "/tasks", {{"tasks", tasks}});
    };
    const nlohmann::json good = {{"title", "fine"}, {"files", {"src/a.c"}}};
    const auto outside = create({good, {{"title", "bad"}, {"files", {"../etc/passwd"}}}});
    CHECK(outside.status == 400);
    CHECK(outside.code() == "bad_path");
    CHECK(outside.json()["error"].get<std::string>().find("tasks[1].files") != std::string::npos);
    CHECK(create({good, {{"title", "bad"}, {"files", {".git/config"}}}}).code() == "bad_path");
    CHECK(create({good, {{"title", "bad"}, {"files", {"/abs"}}}}).code() == "bad_path");
    CHECK(create({good, {{"title", "bad"}, {"files", "src/a.c"}}}).code() == "bad_request");
    CHECK(create({good, {{"title", "bad"}, {"files", {1}}}}).code() == "bad_request");
    nlohmann::json many = nlohmann::json::array();
    for (int i = 0; i < 101; ++i)
        many.push_back("f" + std::to_string(i));
    const auto crowded = create({{{"title", "many"}, {"files", many}}});
    CHECK(crowded.code() == "bad_request");
    CHECK(crowded.json()["error"].get<std::string>().find("tasks[0].files") != std::string::npos);
    const auto untitled = create({good, {{"files", {"src/b.c"}}}});
    CHECK(untitled.code() == "bad_request");
    CHECK(create({good, {{"title", std::string(201, 't')}}}).code() == "bad_request");
    CHECK(create({good, "a bare title"}).code() == "bad_request");
    CHECK(create(nlohmann::json::array()).code() == "bad_request");
    CHECK(room_post(f.client, f.room, f.alice.identity, "/tasks",
                    {{"titles", {"a"}}, {"tasks", {good}}})
              .code() == "bad_request");
    CHECK(room_get(f.client, f.room, "/tasks").json()["tasks"].empty());
}

TEST_CASE("a task goes open, claimed, done, only its claimer may finish or release it") {
    Fixture f;
    REQUIRE(room_post(f.client, f.room, f.alice.identity, "/tasks", {{"titles", {"one"}}}).status ==
            201);
    CHECK(f.act(f.alice.identity, "t9", "claim").code() == "unknown_task");
    CHECK(f.act(f.alice.identity, "t9", "claim").status == 404);
    CHECK(f.act(f.alice.identity, "x1", "claim").status == 404);
    CHECK(f.act(f.alice.identity, "t01", "claim").status == 404);

    const auto not_claimed = f.act(f.bob.identity, "t1", "done");
    CHECK(not_claimed.status == 403);
    CHECK(not_claimed.code() == "not_claimer");

    const auto claimed = f.act(f.alice.identity, "t1", "claim");
    REQUIRE(claimed.status == 200);
    CHECK(claimed.json()["task"]["status"] == "claimed");
    CHECK(claimed.json()["task"]["claimed_by"] == f.alice.id);
    CHECK(claimed.json()["task"]["claimed_by_name"] == "alice");
    const std::int64_t seq_after_claim = f.last_seq();
    const auto again = f.act(f.alice.identity, "t1", "claim"); // idempotent: no second event
    CHECK(again.status == 200);
    CHECK(again.json()["task"] == claimed.json()["task"]);
    CHECK(f.last_seq() == seq_after_claim);

    const auto taken = f.act(f.bob.identity, "t1", "claim");
    CHECK(taken.status == 409);
    CHECK(taken.code() == "already_claimed");
    CHECK_THAT(taken.json()["error"].get<std::string>(), Catch::Contains("alice"));
    CHECK(f.act(f.bob.identity, "t1", "done").code() == "not_claimer");
    CHECK(f.act(f.bob.identity, "t1", "release").code() == "not_claimer");
    CHECK(f.act(f.bob.identity, "t1", "release", {{"force", true}}).code() == "not_owner");

    const auto released = f.act(f.alice.identity, "t1", "release");
    REQUIRE(released.status == 200);
    CHECK(released.json()["task"]["status"] == "open");
    CHECK(released.json()["task"]["claimed_by"].is_null());

    REQUIRE(f.act(f.bob.identity, "t1", "claim").status == 200);
    const auto forced = f.act(f.room.owner, "t1", "release", {{"force", true}});
    REQUIRE(forced.status == 200);
    CHECK(forced.json()["task"]["status"] == "open");

    REQUIRE(f.act(f.bob.identity, "t1", "claim").status == 200);
    const auto done = f.act(f.bob.identity, "t1", "done");
    REQUIRE(done.status == 200);
    CHECK(done.json()["task"]["status"] == "done");
    CHECK(done.json()["task"]["claimed_by"] == f.bob.id);
    CHECK(f.act(f.alice.identity, "t1", "claim").code() == "task_done");
    CHECK(f.act(f.bob.identity, "t1", "done").code() == "task_done");
    CHECK(f.act(f.bob.identity, "t1", "release").code() == "task_done");

    const auto counts = room_get(f.client, f.room, "").json()["counts"];
    CHECK(counts["tasks"] == 0);
    CHECK(counts["tasks_done"] == 1);
    std::vector<std::string> types;
    const auto events = room_get(f.client, f.room, "/events?since=4").json()["events"];
    for (const auto& event : events)
        types.push_back(event["type"]);
    CHECK(types == std::vector<std::string>{"task.created", "task.claimed", "task.released",
                                            "task.claimed", "task.released", "task.claimed",
                                            "task.done"});
}

TEST_CASE("50 agents claiming one task at once: exactly one wins") {
    Fixture f;
    constexpr int k_agents = 50;
    std::vector<TestMember> agents;
    for (int i = 0; i < k_agents; ++i)
        agents.push_back(join_room(f.client, f.room, "racer-" + std::to_string(i)));
    REQUIRE(
        room_post(f.client, f.room, f.alice.identity, "/tasks", {{"titles", {"prize"}}}).status ==
        201);
    std::vector<int> statuses(k_agents);
    std::vector<std::string> codes(k_agents);
    std::latch go(k_agents);
    std::vector<std::thread> threads;
    for (int i = 0; i < k_agents; ++i)
        threads.emplace_back([&, i] {
            ApiClient client(f.server.host(), f.server.port());
            client.get("/v1/health"); // connected before the start
            go.arrive_and_wait();
            const auto response = room_post(client, f.room, agents[i].identity, "/tasks/t1/claim",
                                            nlohmann::json::object());
            statuses[i] = response.status;
            codes[i] = response.code();
        });
    for (auto& thread : threads)
        thread.join();
    int winners = 0;
    int already = 0;
    int winner = -1;
    for (int i = 0; i < k_agents; ++i) {
        if (statuses[i] == 200) {
            ++winners;
            winner = i;
        } else if (statuses[i] == 409 && codes[i] == "already_claimed") {
            ++already;
        }
    }
    CHECK(winners == 1);
    CHECK(already == k_agents - 1);
    REQUIRE(winner >= 0);
    const auto task = room_get(f.client, f.room, "/tasks").json()["tasks"][0];
    CHECK(task["claimed_by"] == agents[winner].id);
    int claims = 0;
    const auto events = room_get(f.client, f.room, "/events").json()["events"];
    for (const auto& event : events)
        claims += event["type"] == "task.claimed" ? 1 : 0;
    CHECK(claims == 1);
}
