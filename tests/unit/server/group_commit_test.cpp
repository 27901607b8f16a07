// Tests of the store's group commit (server/store_commit.cpp): writes queued while a batch runs
// commit together, each atomic on its own, and reads never wait for the writer.
#include "server/store.hpp"

#include "../../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

using namespace knot;
using namespace knot::server;

namespace {

const std::string k_room = "rm_0123456789abcdef";

RoomRecord room_named(const std::string& id) {
    return RoomRecord{id, "demo", "hash", 100, 300};
}

// Blocks the writer in the middle of a batch until `count` more writes are queued behind it, so
// that the next batch is known to hold exactly those writes.
void hold_until_queued(Store& store, std::int64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (store.write_stats().queued < count) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("the writes were never queued");
        std::this_thread::yield();
    }
}

} // namespace

TEST_CASE("writes queued while a batch commits are committed together in the next batch") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    store.write([](Transaction& t) { t.insert_room(room_named(k_room)); });
    const WriteStats before = store.write_stats();

    constexpr int k_writers = 10;
    std::promise<void> leading;
    auto first = std::async(std::launch::async, [&] {
        store.write([&](Transaction& t) {
            t.append_event(k_room, "chat.message", "ag_first", 100, "{}");
            leading.set_value();
            hold_until_queued(store, k_writers);
        });
    });
    leading.get_future().wait();
    std::vector<std::future<void>> others;
    for (int i = 0; i < k_writers; ++i)
        others.push_back(std::async(std::launch::async, [&store, i] {
            store.write([i](Transaction& t) {
                t.append_event(k_room, "chat.message", "ag_" + std::to_string(i), 100, "{}");
            });
        }));
    first.get();
    for (auto& other : others)
        other.get();

    // The first write alone, then the ten queued behind it in one transaction.
    const WriteStats after = store.write_stats();
    CHECK(after.writes - before.writes == k_writers + 1);
    CHECK(after.batches - before.batches == 2);
    CHECK(after.largest_batch == k_writers);
    store.read([&](const Reader& r) { CHECK(r.last_seq(k_room) == k_writers + 1); });
}

TEST_CASE("a write that throws in a batch is rolled back alone and its batch-mates commit") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    std::vector<std::string> published;
    store.set_commit_listener([&](const std::vector<EventRecord>& events) {
        for (const auto& event : events)
            published.push_back(event.type);
    });
    store.write([](Transaction& t) { t.insert_room(room_named(k_room)); });

    std::promise<void> leading;
    auto first = std::async(std::launch::async, [&] {
        store.write([&](Transaction& t) {
            t.append_event(k_room, "first", "ag_x", 100, "{}");
            leading.set_value();
            hold_until_queued(store, 3);
        });
    });
    leading.get_future().wait();
    auto kept = std::async(std::launch::async, [&] {
        store.write([](Transaction& t) {
            t.insert_room(room_named("rm_1111111111111111"));
            t.append_event(k_room, "kept", "ag_x", 100, "{}");
        });
    });
    hold_until_queued(store, 1);
    auto refused = std::async(std::launch::async, [&] {
        store.write([](Transaction& t) {
            t.insert_room(room_named("rm_2222222222222222"));
            t.append_event(k_room, "refused", "ag_x", 100, "{}");
            throw std::invalid_argument("lock conflict");
        });
    });
    hold_until_queued(store, 2);
    auto last = std::async(std::launch::async, [&] {
        store.write([](Transaction& t) { t.append_event(k_room, "last", "ag_x", 100, "{}"); });
    });
    first.get();
    kept.get();
    CHECK_THROWS_AS(refused.get(), std::invalid_argument);
    last.get();

    CHECK(store.write_stats().largest_batch == 3);
    CHECK(published == std::vector<std::string>{"first", "kept", "last"});
    store.read([](const Reader& r) {
        CHECK(r.find_room("rm_1111111111111111"));
        CHECK_FALSE(r.find_room("rm_2222222222222222"));
        const auto events = r.events(k_room, 0, 10);
        REQUIRE(events.size() == 3);
        CHECK(events[1].type == "kept");
        // The refused write's event left no gap in the chain: the next one took its number.
        CHECK(events[2].type == "last");
        CHECK(events[2].seq == 3);
        CHECK(events[2].prev == events[1].hash);
    });
}

TEST_CASE("a read does not wait for a write in progress and sees only what was committed") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    store.write([](Transaction& t) { t.insert_room(room_named(k_room)); });
    std::promise<void> written;
    std::promise<void> may_commit;
    auto writer = std::async(std::launch::async, [&] {
        store.write([&](Transaction& t) {
            t.append_event(k_room, "chat.message", "ag_x", 100, "{}");
            written.set_value();
            may_commit.get_future().wait();
        });
    });
    written.get_future().wait();
    // The writer holds its transaction open; the read answers at once with the state before it.
    std::int64_t seen = -1;
    store.read([&](const Reader& r) { seen = r.last_seq(k_room); });
    CHECK(seen == 0);
    may_commit.set_value();
    writer.get();
    store.read([&](const Reader& r) { seen = r.last_seq(k_room); });
    CHECK(seen == 1);
}

TEST_CASE("the same nonce sent twice in one batch is recorded once") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    const Bytes key(32, 9);
    std::promise<void> leading;
    auto first = std::async(std::launch::async, [&] {
        store.write([&](Transaction&) {
            leading.set_value();
            hold_until_queued(store, 2);
        });
    });
    leading.get_future().wait();
    std::atomic<int> recorded{0};
    auto spend = [&] {
        store.write([&](Transaction& t) {
            if (!t.record_nonce(key, "0123456789abcdef0123456789abcdef", 100))
                throw std::runtime_error("replayed");
            ++recorded;
        });
    };
    auto one = std::async(std::launch::async, spend);
    hold_until_queued(store, 1);
    auto two = std::async(std::launch::async, spend);
    first.get();
    one.get();
    CHECK_THROWS_WITH(two.get(), "replayed");
    CHECK(recorded == 1);
}

TEST_CASE("the member cache forgets a member once a write that changes agents commits") {
    test::TempDir dir;
    Store store(dir.path() / "knot.db");
    AgentRecord agent;
    agent.room_id = k_room;
    agent.id = "ag_0123456789abcdef";
    agent.name = "before";
    agent.public_key = Bytes(32, 3);
    agent.role = "member";
    store.write([&](Transaction& t) {
        t.insert_room(room_named(k_room));
        t.put_agent(agent);
    });
    const std::uint64_t generation = store.members_generation();
    store.remember_member(generation, {room_named(k_room), agent});
    CHECK(store.cached_member(k_room, agent.id)->agent.name == "before");

    // A write that changes nothing of members keeps it; a rename drops it.
    store.write([&](Transaction& t) { t.append_event(k_room, "chat.message", agent.id, 1, "{}"); });
    CHECK(store.cached_member(k_room, agent.id));
    agent.name = "after";
    store.write([&](Transaction& t) { t.put_agent(agent); });
    CHECK_FALSE(store.cached_member(k_room, agent.id));
    // Records read before the rename, remembered after it, are not kept.
    store.remember_member(generation, {room_named(k_room), agent});
    CHECK_FALSE(store.cached_member(k_room, agent.id));
    // A refused write that tried a rename changes nothing, the cache included.
    store.remember_member(store.members_generation(), {room_named(k_room), agent});
    CHECK_THROWS(store.write([&](Transaction& t) {
        t.put_agent(agent);
        throw std::runtime_error("refused");
    }));
    CHECK(store.cached_member(k_room, agent.id)->agent.name == "after");
}
