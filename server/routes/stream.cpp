// GET /v1/rooms/{room}/stream?since=N: the WebSocket that sends the room's events, the backlog
// first, then each event as it is committed, with heartbeats in between.
#include "libknot/base/ascii.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/event_hub.hpp"
#include "server/member_request.hpp"
#include "server/request_fields.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>

namespace knot::server {
namespace {

// Events read from the store per page of a backlog: a page is read only when the stream's output
// has room, so a stream that stops reading holds at most one page, not its whole backlog.
constexpr std::int64_t k_page_events = 32;
bool header_has(const Request& request, std::string_view name, std::string_view token) {
    return ascii_lower(request.header(name)).find(token) != std::string::npos;
}

// 426 upgrade_required unless the request asks for a WebSocket (version 13) properly.
void check_upgrade(const Request& request) {
    if (!header_has(request, "Upgrade", "websocket") ||
        !header_has(request, "Connection", "upgrade") ||
        request.header("Sec-WebSocket-Key").empty())
        throw ApiError(error_code::upgrade_required,
                       "the event stream is a WebSocket: send the upgrade headers (or read "
                       "GET /v1/rooms/{room}/events)");
    if (request.header("Sec-WebSocket-Version") != "13")
        throw ApiError(error_code::upgrade_required,
                       "the event stream speaks WebSocket version 13");
}

// One stream's events: subscribed before the backlog is read, so that every event committed
// after the read arrives live; what was both read and queued is sent once (seq order decides).
// While it is behind (the backlog, a queue that overflowed, a gap), live events are left to the
// store and it sends pages from there as the output drains.
class EventFeed : public StreamFeed {
public:
    EventFeed(ServerContext& context, std::string room_id, std::string agent_id, std::int64_t since)
        : m_context(context)
        , m_room_id(std::move(room_id))
        , m_agent_id(std::move(agent_id))
        , m_last_sent(since) {}

    ~EventFeed() override {
        if (m_subscription)
            m_context.hub.unsubscribe(m_subscription);
    }

    Next start(std::function<void()> wake) override {
        m_subscription = m_context.hub.subscribe(m_room_id, std::move(wake));
        if (!m_subscription)
            return Next::going_away;
        m_next_heartbeat = std::chrono::steady_clock::now() + m_context.heartbeat_interval;
        return Next::more;
    }

    Next pump(FrameSink& sink) override {
        const Subscription::Batch batch = m_subscription->take();
        if (batch.closed)
            return Next::going_away;
        m_behind = m_behind || batch.overflowed;
        for (const StreamEvent& event : batch.events)
            deliver(sink, event);
        while (m_behind && sink.has_room())
            send_stored(sink);
        const auto now = std::chrono::steady_clock::now();
        if (now >= m_next_heartbeat) {
            sink.send_text(
                nlohmann::json{{"heartbeat", true}, {"last_seq", m_room_last}, {"time", unix_now()}}
                    .dump());
            m_next_heartbeat = now + m_context.heartbeat_interval;
            // An agent that follows the room is present: keep it shown as online.
            m_context.store.write([&](Transaction& transaction) {
                transaction.touch_agent(m_room_id, m_agent_id, unix_now());
            });
        }
        return m_behind ? Next::more : Next::idle;
    }

private:
    // Sends the next stored event after the last one sent, reading a page when none is left.
    void send_stored(FrameSink& sink) {
        if (m_page.empty()) {
            std::vector<EventRecord> page;
            m_context.store.read([&](const Reader& reader) {
                page = reader.events(m_room_id, m_last_sent, k_page_events);
                m_room_last = std::max(m_room_last, reader.last_seq(m_room_id));
            });
            if (page.empty()) {
                m_behind = false; // caught up: live events take over
                return;
            }
            m_page.assign(std::make_move_iterator(page.begin()),
                          std::make_move_iterator(page.end()));
        }
        const EventRecord& event = m_page.front();
        if (event.seq > m_last_sent) {
            sink.send_text(nlohmann::json(event_view(event))
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            m_last_sent = event.seq;
        }
        m_page.pop_front();
    }

    void deliver(FrameSink& sink, const StreamEvent& event) {
        m_room_last = std::max(m_room_last, event.seq);
        if (m_behind || event.seq <= m_last_sent)
            return; // the store has it, or it was sent already
        if (event.seq > m_last_sent + 1) {
            m_behind = true; // a gap: never expected, but the store has it
            return;
        }
        sink.send_text(*event.text);
        m_last_sent = event.seq;
    }

    ServerContext& m_context;
    const std::string m_room_id;
    const std::string m_agent_id;
    std::shared_ptr<Subscription> m_subscription;
    std::int64_t m_last_sent;
    std::int64_t m_room_last = 0; // the newest seq the stream knows the room has
    bool m_behind = true;         // the backlog comes first
    std::deque<EventRecord> m_page;
    std::chrono::steady_clock::time_point m_next_heartbeat;
};

// The hello is a signed GET: its nonce is consumed like a write's, so it cannot be replayed.
Response open_stream(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const std::int64_t since = query_integer(request, "since", 0);
    check_upgrade(request);
    call.admit();
    Response response;
    response.status = 101;
    response.upgrade = std::make_shared<EventFeed>(context, call.room().id, call.agent().id, since);
    return response;
}

} // namespace

void add_stream_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/stream", open_stream);
}

} // namespace knot::server
