// Tests of server/store.cpp on a database opened directly in a temporary directory.
#include "server/store.hpp"

#include "../../support/server_process.hpp"
#include "server/migrations.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

using namespace knot;
using namespace knot::server;

namespace {

RoomRecord sample_room() {
    return RoomRecord{"rm_0123456789abcdef", "demo", "hash", 100, 300};
}

AgentRecord sample_agent(const std::string& id, const std::string& name) {
    AgentRecord agent;
    agent.room_id = "rm_0123456789abcdef";
    agent.id = id;
    agent.name = name;
    agent.kind = "claude";
    agent.capabilities = {"code", "review"};
    agent.public_key = Bytes(32, 7);
    agent.role = "member";
    agent.signed_card = true;
    agent.joined_at = 100;
    agent.last_seen = 100;
    return agent;
}

} // namespace

TEST_CASE("opening a database applies every migration and reopening it changes nothing") {
    test::TempDir dir;
    const auto path = dir.path() / "knot.db";
    {
        Store store(path);
        CHECK(store.schema_version() == static_cast<int>(migrations().size()));
        store.write([](Transaction& t) { t.insert_room(sample_room()); });
    }
    Store store(path);
    CHECK(store.schema_version() == static_cast<int>(migrations().size()));
    store.read([](const Reader& r) { CHECK(r.find_room("rm_0123456789abcdef")->name == "demo"); });
}

TEST_CASE("a transaction that throws leaves nothing written") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    CHECK_THROWS_AS(store.write([](Transaction& t) {
        t.insert_room(sample_room());
        t.append_event("rm_0123456789abcdef", "room.created", "ag_x", 100, "{}");
        throw std::runtime_error("refused");
    }),
                    std::runtime_error);
    store.read([](const Reader& r) {
        CHECK_FALSE(r.find_room("rm_0123456789abcdef"));
        CHECK(r.last_seq("rm_0123456789abcdef") == 0);
    });
}

TEST_CASE("a nonce is accepted once per key") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    const Bytes key_a(32, 1);
    const Bytes key_b(32, 2);
    store.write([&](Transaction& t) {
        CHECK(t.record_nonce(key_a, "n1", 100));
        CHECK_FALSE(t.record_nonce(key_a, "n1", 100));
        CHECK(t.record_nonce(key_b, "n1", 100));
    });
    store.write([&](Transaction& t) {
        t.prune_nonces(101);
        CHECK(t.record_nonce(key_a, "n1", 200));
    });
}

TEST_CASE("nonces spent before the upgrade that keyed them by time are still refused after it") {
    test::TempDir dir;
    const auto path = dir.path() / "knot.db";
    const Bytes key(32, 1);
    {
        // A database as the server before migration 9 left it, with one spent nonce.
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        for (std::size_t version = 0; version < 8; ++version)
            REQUIRE(sqlite3_exec(db, std::string(migrations()[version]).c_str(), nullptr, nullptr,
                                 nullptr) == SQLITE_OK);
        sqlite3_stmt* insert = nullptr;
        REQUIRE(sqlite3_prepare_v2(db,
                                   "INSERT INTO nonces (public_key, nonce, ts) VALUES (?, ?, ?)",
                                   -1, &insert, nullptr) == SQLITE_OK);
        sqlite3_bind_blob(insert, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
        sqlite3_bind_text(insert, 2, "n1", -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 3, 100);
        CHECK(sqlite3_step(insert) == SQLITE_DONE);
        sqlite3_finalize(insert);
        REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 8", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
        sqlite3_close(db);
    }
    Store store(path);
    store.read([&](const Reader& r) {
        CHECK(r.nonce_used(key, "n1", 100));
        CHECK_FALSE(r.nonce_used(key, "n1", 101));
    });
    store.write([&](Transaction& t) { CHECK_FALSE(t.record_nonce(key, "n1", 100)); });
}

TEST_CASE("tasks planned before migration 10 read back with no files, and new ones keep theirs") {
    test::TempDir dir;
    const auto path = dir.path() / "knot.db";
    {
        // A database as the server before migration 10 left it, with one task.
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        for (std::size_t version = 0; version < 9; ++version)
            REQUIRE(sqlite3_exec(db, std::string(migrations()[version]).c_str(), nullptr, nullptr,
                                 nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db,
                             "INSERT INTO rooms (id, name, token_hash, created_at, lease_seconds) "
                             "VALUES ('rm_0123456789abcdef', 'demo', 'hash', 100, 300);"
                             "INSERT INTO tasks (room_id, seq, title, status, created_by, "
                             "created_at, updated_at) VALUES ('rm_0123456789abcdef', 1, 'old', "
                             "'open', 'ag_a', 100, 100);"
                             "PRAGMA user_version = 9",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    Store store(path);
    store.write([](Transaction& t) {
        TaskRecord task;
        task.room_id = "rm_0123456789abcdef";
        task.title = "new";
        task.status = "open";
        task.created_by = "ag_a";
        task.files = {"src/a.c", "src/b.c"};
        CHECK(t.insert_task(task) == 2);
    });
    store.read([](const Reader& r) {
        const auto tasks = r.tasks("rm_0123456789abcdef");
        REQUIRE(tasks.size() == 2);
        CHECK(tasks[0].title == "old");
        CHECK(tasks[0].files.empty());
        CHECK(tasks[1].files == std::vector<std::string>{"src/a.c", "src/b.c"});
    });
}

TEST_CASE("events are numbered from 1 and each hash chains to the previous one") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    store.write([](Transaction& t) {
        t.insert_room(sample_room());
        t.append_event("rm_0123456789abcdef", "room.created", "ag_a", 100, R"({"name":"demo"})");
        t.append_event("rm_0123456789abcdef", "agent.joined", "ag_a", 101, R"({"name":"a"})");
    });
    store.read([](const Reader& r) {
        const auto events = r.events("rm_0123456789abcdef", 0, 10);
        REQUIRE(events.size() == 2);
        CHECK(events[0].seq == 1);
        CHECK(events[0].prev == k_genesis_hash);
        CHECK(events[0].hash ==
              event_hash(k_genesis_hash, 1, "room.created", "ag_a", 100, R"({"name":"demo"})"));
        CHECK(events[1].seq == 2);
        CHECK(events[1].prev == events[0].hash);
        CHECK(r.events("rm_0123456789abcdef", 1, 10).size() == 1);
        CHECK(r.last_seq("rm_0123456789abcdef") == 2);
    });
}

TEST_CASE("an agent is stored with its card and updated in place by id") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    store.write([](Transaction& t) {
        t.insert_room(sample_room());
        t.put_agent(sample_agent("ag_0000000000000001", "coder-1"));
    });
    store.write([](Transaction& t) {
        auto agent = sample_agent("ag_0000000000000001", "coder-2");
        agent.capabilities = {"review"};
        t.put_agent(agent);
        t.touch_agent("rm_0123456789abcdef", "ag_0000000000000001", 500);
    });
    store.read([](const Reader& r) {
        const auto agents = r.agents("rm_0123456789abcdef");
        REQUIRE(agents.size() == 1);
        CHECK(agents[0].name == "coder-2");
        CHECK(agents[0].capabilities == std::vector<std::string>{"review"});
        CHECK(agents[0].public_key == Bytes(32, 7));
        CHECK(agents[0].last_seen == 500);
        CHECK(r.find_agent_by_name("rm_0123456789abcdef", "coder-2"));
        CHECK_FALSE(r.find_agent_by_name("rm_0123456789abcdef", "coder-1"));
    });
}

TEST_CASE("fencing tokens keep counting after a path's lock is deleted") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    const std::string room = "rm_0123456789abcdef";
    store.write([&](Transaction& t) {
        t.insert_room(sample_room());
        CHECK(t.next_fencing(room, "a") == 1);
        CHECK(t.next_fencing(room, "b") == 1);
        t.put_lock(LockRecord{room, "a", "ag_x", "", "intent", 2, 100, 400});
        t.delete_lock(room, "a");
        CHECK(t.next_fencing(room, "a") == 2);
    });
    store.read([&](const Reader& r) { CHECK_FALSE(r.find_lock(room, "a")); });
}

TEST_CASE("due locks are those whose lease ended at or before now") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    const std::string room = "rm_0123456789abcdef";
    store.write([&](Transaction& t) {
        t.insert_room(sample_room());
        t.put_lock(LockRecord{room, "ends-at-200", "ag_x", "", "", 1, 100, 200});
        t.put_lock(LockRecord{room, "ends-at-201", "ag_x", "", "", 1, 100, 201});
    });
    store.read([&](const Reader& r) {
        CHECK(r.due_locks(room, 200).size() == 1);
        CHECK(r.live_locks(room, 200).size() == 1);
        CHECK(r.live_locks(room, 200)[0].path == "ends-at-201");
        CHECK(r.rooms_with_due_locks(199).empty());
        CHECK(r.rooms_with_due_locks(200) == std::vector<std::string>{room});
    });
}

TEST_CASE("events appended in a transaction reach the commit listener only after the commit") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    std::vector<std::int64_t> published;
    store.set_commit_listener([&](const std::vector<EventRecord>& events) {
        for (const auto& event : events)
            published.push_back(event.seq);
    });
    store.write([&](Transaction& t) {
        t.insert_room(sample_room());
        t.append_event("rm_0123456789abcdef", "room.created", "ag_x", 100, "{}");
        t.append_event("rm_0123456789abcdef", "agent.joined", "ag_x", 100, "{}");
        CHECK(published.empty());
    });
    CHECK(published == std::vector<std::int64_t>{1, 2});
    CHECK_THROWS(store.write([&](Transaction& t) {
        t.append_event("rm_0123456789abcdef", "chat.message", "ag_x", 100, "{}");
        throw std::runtime_error("refused");
    }));
    CHECK(published.size() == 2);
}
