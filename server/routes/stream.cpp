// GET /v1/rooms/{room}/stream?since=N: the WebSocket that sends the room's events, the backlog
// first, then each event as it is committed, with heartbeats in between.
#include "libknot/protocol.hpp"
#include "server/api_error.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/event_hub.hpp"
#include "server/request_fields.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace knot::server {
namespace {

// Events read from the store per page of a backlog.
constexpr std::int64_t k_page_events = 1000;
// How often a stream with nothing to send checks whether its client closed the connection.
constexpr auto k_peer_poll = std::chrono::seconds(1);
// WebSocket close code "going away": the server is stopping.
constexpr int k_close_going_away = 1001;

bool header_has(const Request& request, std::string_view name, std::string_view token) {
    std::string value = request.header(name);
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return value.find(token) != std::string::npos;
}

// 426 upgrade_required unless the request asks for a WebSocket (version 13) properly.
void check_upgrade(const Request& request) {
    if (!header_has(request, "Upgrade", "websocket") ||
        !header_has(request, "Connection", "upgrade") ||
        request.header("Sec-WebSocket-Key").empty())
        throw ApiError(426, "upgrade_required",
                       "the event stream is a WebSocket: send the upgrade headers (or read "
                       "GET /v1/rooms/{room}/events)");
    if (request.header("Sec-WebSocket-Version") != "13")
        throw ApiError(426, "upgrade_required", "the event stream speaks WebSocket version 13");
}

// One stream: subscribed before the backlog is read, so that every event committed after the
// read arrives live; what was both read and queued is sent once (seq order decides).
class Streamer {
public:
    Streamer(ServerContext& context, std::string room_id, std::string agent_id, std::int64_t since,
             FrameSocket& socket)
        : m_context(context)
        , m_room_id(std::move(room_id))
        , m_agent_id(std::move(agent_id))
        , m_last_sent(since)
        , m_socket(socket) {}

    void run() {
        const auto subscription = m_context.hub.subscribe(m_room_id);
        if (!subscription) {
            m_socket.close(k_close_going_away, "the server is stopping");
            return;
        }
        const Unsubscribe unsubscribe{m_context.hub, subscription};
        catch_up();
        auto next_heartbeat = std::chrono::steady_clock::now() + m_context.heartbeat_interval;
        for (;;) {
            const auto deadline =
                std::min(next_heartbeat, std::chrono::steady_clock::now() + k_peer_poll);
            Subscription::Batch batch = subscription->wait(deadline);
            if (batch.closed) {
                m_socket.close(k_close_going_away, "the server is stopping");
                return;
            }
            if (batch.overflowed)
                catch_up();
            for (const StreamEvent& event : batch.events)
                deliver(event);
            if (std::chrono::steady_clock::now() >= next_heartbeat) {
                m_socket.send_text(nlohmann::json{
                    {"heartbeat", true}, {"last_seq", m_room_last}, {"time", unix_now()}}
                                       .dump());
                next_heartbeat = std::chrono::steady_clock::now() + m_context.heartbeat_interval;
                // An agent that follows the room is present: keep it shown as online.
                m_context.store.write([&](Transaction& transaction) {
                    transaction.touch_agent(m_room_id, m_agent_id, unix_now());
                });
            }
            if (!m_socket.serve_peer())
                return;
        }
    }

private:
    struct Unsubscribe {
        EventHub& hub;
        std::shared_ptr<Subscription> subscription;
        ~Unsubscribe() { hub.unsubscribe(subscription); }
    };

    // Sends every stored event after the last one sent, page by page.
    void catch_up() {
        for (;;) {
            std::vector<EventRecord> page;
            m_context.store.read([&](const Reader& reader) {
                page = reader.events(m_room_id, m_last_sent, k_page_events);
                m_room_last = std::max(m_room_last, reader.last_seq(m_room_id));
            });
            for (const EventRecord& event : page) {
                m_socket.send_text(event_json(event).dump(
                    -1, ' ', false, nlohmann::json::error_handler_t::replace));
                m_last_sent = event.seq;
            }
            if (static_cast<std::int64_t>(page.size()) < k_page_events)
                return;
        }
    }

    void deliver(const StreamEvent& event) {
        m_room_last = std::max(m_room_last, event.seq);
        if (event.seq <= m_last_sent)
            return; // already sent from the backlog
        if (event.seq > m_last_sent + 1) {
            catch_up(); // a gap: never expected, but the store has it
            return;
        }
        m_socket.send_text(*event.text);
        m_last_sent = event.seq;
    }

    ServerContext& m_context;
    const std::string m_room_id;
    const std::string m_agent_id;
    std::int64_t m_last_sent;
    std::int64_t m_room_last = 0; // the newest seq the stream knows the room has
    FrameSocket& m_socket;
};

// The hello is a signed GET: its nonce is consumed like a write's, so it cannot be replayed.
Response open_stream(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const std::int64_t since = query_integer(request, "since", 0);
    check_upgrade(request);
    context.store.write([&](Transaction& transaction) { admit_member(transaction, member, now); });
    Response response;
    response.status = 101;
    response.upgrade = [&context, room_id = member.room.id, agent_id = member.agent.id,
                        since](FrameSocket& socket) {
        Streamer(context, room_id, agent_id, since, socket).run();
    };
    return response;
}

} // namespace

void add_stream_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/stream", open_stream);
}

} // namespace knot::server
