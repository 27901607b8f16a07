// The WebSocket hub (see event_hub.hpp).
#include "event_hub.hpp"

#include "store.hpp"
#include "views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {

Subscription::Batch Subscription::wait(std::chrono::steady_clock::time_point deadline) {
    {
        std::unique_lock lock(m_mutex);
        m_wake.wait_until(lock, deadline,
                          [this] { return m_closed || m_overflowed || !m_queue.empty(); });
    }
    return take();
}

Subscription::Batch Subscription::take() {
    std::lock_guard lock(m_mutex);
    Batch batch;
    batch.events.assign(m_queue.begin(), m_queue.end());
    m_queue.clear();
    batch.overflowed = m_overflowed;
    batch.closed = m_closed;
    m_overflowed = false;
    return batch;
}

void Subscription::push(const StreamEvent& event) {
    {
        std::lock_guard lock(m_mutex);
        if (m_closed)
            return;
        if (m_queue.size() >= m_limit) {
            m_queue.clear();
            m_overflowed = true;
        } else if (!m_overflowed) {
            m_queue.push_back(event);
        }
    }
    m_wake.notify_one();
    if (m_wake_callback)
        m_wake_callback();
}

void Subscription::close() {
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_wake.notify_one();
    if (m_wake_callback)
        m_wake_callback();
}

std::shared_ptr<Subscription> EventHub::subscribe(const std::string& room_id,
                                                  std::function<void()> wake) {
    std::lock_guard lock(m_mutex);
    if (m_shut_down)
        return nullptr;
    auto subscription = std::make_shared<Subscription>(room_id, m_queue_limit, std::move(wake));
    m_rooms[room_id].insert(subscription);
    return subscription;
}

void EventHub::unsubscribe(const std::shared_ptr<Subscription>& subscription) {
    std::lock_guard lock(m_mutex);
    const auto room = m_rooms.find(subscription->room_id());
    if (room == m_rooms.end())
        return;
    room->second.erase(subscription);
    if (room->second.empty())
        m_rooms.erase(room);
}

void EventHub::publish(const std::vector<EventRecord>& events) {
    std::lock_guard lock(m_mutex);
    for (const EventRecord& event : events) {
        const auto room = m_rooms.find(event.room_id);
        if (room == m_rooms.end())
            continue;
        const StreamEvent stream_event{
            event.seq, std::make_shared<const std::string>(
                           nlohmann::json(event_view(event))
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))};
        for (const auto& subscription : room->second)
            subscription->push(stream_event);
    }
}

void EventHub::shutdown() {
    std::lock_guard lock(m_mutex);
    m_shut_down = true;
    for (const auto& [room_id, subscriptions] : m_rooms)
        for (const auto& subscription : subscriptions)
            subscription->close();
}

std::size_t EventHub::subscriber_count() {
    std::lock_guard lock(m_mutex);
    std::size_t count = 0;
    for (const auto& [room_id, subscriptions] : m_rooms)
        count += subscriptions.size();
    return count;
}

} // namespace knot::server
