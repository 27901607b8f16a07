// Following a room's events over the WebSocket stream (see event_stream.hpp).
#include "libknot/client/event_stream.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/client/websocket.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <variant>

namespace knot {
namespace {

constexpr auto k_silence_limit = std::chrono::seconds(45);
// Connecting, TLS and the handshake's answer each wait at most this long before a retry.
constexpr auto k_connect_timeout = std::chrono::seconds(10);

} // namespace

EventStream::EventStream(RoomConfig room, const Identity& identity)
    : m_room(std::move(room))
    , m_identity(identity) {}

void EventStream::follow(std::int64_t since,
                         const std::function<bool(const nlohmann::json&)>& on_event,
                         const std::function<void(const std::string&)>& on_state) {
    m_last_seq = since;
    auto backoff = std::chrono::milliseconds(250);
    while (!m_stopped) {
        std::string why;
        try {
            const std::string target =
                "/v1/rooms/" + m_room.room + "/stream?since=" + std::to_string(m_last_seq);
            auto headers = sign_request(m_identity, m_room.agent_id, "GET", target, "", unix_now());
            headers[std::string(k_header_token)] = m_room.token;
            auto opened = WebSocket::open(m_room.server, target, headers, k_connect_timeout);
            if (auto* refused = std::get_if<HttpResponse>(&opened)) {
                // The hello was refused (bad token or signature, an unknown room): retrying
                // cannot help, so say why, in the server's words when it gave them.
                if (refused->status == 401 || refused->status == 403 || refused->status == 404) {
                    json_or_throw(*refused);
                    throw HttpError(refused->status, "refused",
                                    "the server refused the event stream");
                }
                throw Error("the server answered " + std::to_string(refused->status) +
                            " instead of opening the event stream");
            }
            auto& socket = std::get<WebSocket>(opened);
            if (on_state)
                on_state("connected");
            backoff = std::chrono::milliseconds(250);
            auto last_frame = std::chrono::steady_clock::now();
            while (!m_stopped) {
                const auto message = socket.receive(std::chrono::seconds(1));
                if (!message) {
                    if (std::chrono::steady_clock::now() - last_frame > k_silence_limit) {
                        why = "no heartbeat for 45 s";
                        break;
                    }
                    continue;
                }
                last_frame = std::chrono::steady_clock::now();
                if (message->opcode == WebSocketOpcode::close) {
                    why = "the server closed the stream";
                    break;
                }
                if (message->opcode != WebSocketOpcode::text)
                    continue; // pings (answered already), pongs
                const auto frame = nlohmann::json::parse(message->data, nullptr, false);
                if (!frame.is_object() || !frame.contains("seq") ||
                    !frame["seq"].is_number_integer())
                    continue; // heartbeats and anything unknown
                const std::int64_t seq = frame["seq"].get<std::int64_t>();
                if (seq <= m_last_seq)
                    continue; // already delivered before a reconnect
                m_last_seq = seq;
                if (!on_event(frame)) {
                    m_stopped = true;
                    break;
                }
            }
            if (m_stopped) {
                try {
                    socket.send(WebSocketOpcode::close, {});
                } catch (const TransportError&) {
                }
                return;
            }
        } catch (const HttpError&) {
            throw;
        } catch (const std::exception& e) {
            why = e.what();
        }
        if (m_stopped)
            return;
        if (on_state)
            on_state("reconnecting: " + why);
        const auto until = std::chrono::steady_clock::now() + backoff;
        while (!m_stopped && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
}

} // namespace knot
