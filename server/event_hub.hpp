// The WebSocket hub: fans committed events out to the streams that follow each room.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace knot::server {

struct EventRecord;

// One committed event as a stream sends it: its seq and its JSON text, built once for every
// subscriber.
struct StreamEvent {
    std::int64_t seq = 0;
    std::shared_ptr<const std::string> text;
};

// One stream's queue of live events. Bounded: when the stream falls behind by more than the
// limit, the queue is emptied and marked overflowed, and the stream reads what it missed from
// the store instead, so a slow reader never holds a writer up and never loses an event.
class Subscription {
public:
    // `wake`, when set, is called after each push and on close, outside the subscription's
    // lock but under the hub's (and the store's): it must return at once.
    Subscription(std::string room_id, std::size_t limit, std::function<void()> wake = {})
        : m_room_id(std::move(room_id))
        , m_limit(limit)
        , m_wake_callback(std::move(wake)) {}

    const std::string& room_id() const { return m_room_id; }

    struct Batch {
        std::vector<StreamEvent> events;
        bool overflowed = false; // events were dropped: read them from the store
        bool closed = false;     // the server is stopping: close the stream
    };
    // Waits until events arrive, the subscription is closed, or `deadline` passes, and takes
    // what is queued.
    Batch wait(std::chrono::steady_clock::time_point deadline);
    // Takes what is queued without waiting.
    Batch take();

private:
    friend class EventHub;
    void push(const StreamEvent& event);
    void close();

    const std::string m_room_id;
    const std::size_t m_limit;
    const std::function<void()> m_wake_callback;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<StreamEvent> m_queue;
    bool m_overflowed = false;
    bool m_closed = false;
};

class EventHub {
public:
    // `queue_limit` is how many events a stream may fall behind before it must catch up from
    // the store.
    explicit EventHub(std::size_t queue_limit = 1024)
        : m_queue_limit(queue_limit) {}

    // A new subscription to the room's events committed from now on, or nullptr once the hub
    // is shut down. `wake` is as for Subscription.
    std::shared_ptr<Subscription> subscribe(const std::string& room_id,
                                            std::function<void()> wake = {});
    void unsubscribe(const std::shared_ptr<Subscription>& subscription);

    // Queues `events` (committed, in seq order) for every subscriber of their room. Never
    // blocks on a subscriber.
    void publish(const std::vector<EventRecord>& events);

    // Closes every subscription and refuses new ones, so the streams end and the server's
    // threads can be joined.
    void shutdown();

    std::size_t subscriber_count();

private:
    const std::size_t m_queue_limit;
    std::mutex m_mutex;
    std::map<std::string, std::set<std::shared_ptr<Subscription>>> m_rooms;
    bool m_shut_down = false;
};

} // namespace knot::server
