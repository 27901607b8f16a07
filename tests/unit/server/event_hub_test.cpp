// Tests of server/event_hub.cpp: fan-out per room, the bounded queue, shutdown.
#include "server/event_hub.hpp"

#include "server/store.hpp"

#include <catch2/catch.hpp>

using namespace knot::server;

namespace {

EventRecord event(const std::string& room, std::int64_t seq) {
    EventRecord record;
    record.room_id = room;
    record.seq = seq;
    record.type = "chat.message";
    record.data = "{}";
    return record;
}

auto soon() {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
}

} // namespace

TEST_CASE("a subscriber receives its room's events in order and no other room's") {
    EventHub hub;
    const auto a = hub.subscribe("rm_a");
    const auto b = hub.subscribe("rm_b");
    hub.publish({event("rm_a", 1), event("rm_b", 1), event("rm_a", 2)});
    const auto batch = a->wait(soon());
    REQUIRE(batch.events.size() == 2);
    CHECK(batch.events[0].seq == 1);
    CHECK(batch.events[1].seq == 2);
    CHECK(batch.events[0].text->find("\"seq\":1") != std::string::npos);
    CHECK(b->wait(soon()).events.size() == 1);
    hub.unsubscribe(b);
    CHECK(hub.subscriber_count() == 1);
}

TEST_CASE("a subscriber that falls behind is told to catch up instead of blocking the writer") {
    EventHub hub(4);
    const auto slow = hub.subscribe("rm_a");
    std::vector<EventRecord> events;
    for (int seq = 1; seq <= 10; ++seq)
        events.push_back(event("rm_a", seq));
    hub.publish(events);
    const auto batch = slow->wait(soon());
    CHECK(batch.overflowed);
    CHECK(batch.events.empty());
    hub.publish({event("rm_a", 11)});
    const auto next = slow->wait(soon());
    CHECK_FALSE(next.overflowed);
    REQUIRE(next.events.size() == 1);
    CHECK(next.events[0].seq == 11);
}

TEST_CASE("shutting the hub down closes subscriptions and refuses new ones") {
    EventHub hub;
    const auto subscription = hub.subscribe("rm_a");
    hub.shutdown();
    CHECK(subscription->wait(std::chrono::steady_clock::now() + std::chrono::hours(1)).closed);
    CHECK_FALSE(hub.subscribe("rm_a"));
}
