// Following a room's events over the WebSocket stream (see event_stream.hpp).
#include "libknot/client/event_stream.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

namespace knot {
namespace {

constexpr auto k_silence_limit = std::chrono::seconds(45);

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
            auto session = open_http_session(m_room.server);
            const std::string target =
                "/v1/rooms/" + m_room.room + "/stream?since=" + std::to_string(m_last_seq);
            Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target,
                                           Poco::Net::HTTPMessage::HTTP_1_1);
            for (const auto& [name, value] :
                 sign_request(m_identity, m_room.agent_id, "GET", target, "", unix_now()))
                request.set(name, value);
            request.set(std::string(k_header_token), m_room.token);
            Poco::Net::HTTPResponse response;
            std::unique_ptr<Poco::Net::WebSocket> socket;
            try {
                socket = std::make_unique<Poco::Net::WebSocket>(*session, request, response);
            } catch (const Poco::Net::WebSocketException&) {
                const int status = static_cast<int>(response.getStatus());
                if (status != 401 && status != 403 && status != 404)
                    throw;
                // The hello was refused. The answer's body is not readable through the failed
                // upgrade, so ask again without upgrading to learn (and show) why.
                HttpClient http(m_room.server);
                auto headers =
                    sign_request(m_identity, m_room.agent_id, "GET", target, "", unix_now());
                headers[std::string(k_header_token)] = m_room.token;
                json_or_throw(http.request("GET", target, "", headers));
                throw HttpError(status, "refused", "the server refused the event stream");
            }
            socket->setReceiveTimeout(Poco::Timespan(1, 0));
            if (on_state)
                on_state("connected");
            backoff = std::chrono::milliseconds(250);
            auto last_frame = std::chrono::steady_clock::now();
            Poco::Buffer<char> buffer(0);
            while (!m_stopped) {
                int flags = 0;
                buffer.resize(0);
                int n = 0;
                try {
                    n = socket->receiveFrame(buffer, flags);
                } catch (const Poco::TimeoutException&) {
                    if (std::chrono::steady_clock::now() - last_frame > k_silence_limit) {
                        why = "no heartbeat for 45 s";
                        break;
                    }
                    continue;
                }
                last_frame = std::chrono::steady_clock::now();
                const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
                if (n == 0 || opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE) {
                    why = "the server closed the stream";
                    break;
                }
                if (opcode == Poco::Net::WebSocket::FRAME_OP_PING) {
                    socket->sendFrame(buffer.begin(), n,
                                      static_cast<int>(Poco::Net::WebSocket::FRAME_OP_PONG) |
                                          static_cast<int>(Poco::Net::WebSocket::FRAME_FLAG_FIN));
                    continue;
                }
                if (opcode != Poco::Net::WebSocket::FRAME_OP_TEXT)
                    continue;
                const auto frame =
                    nlohmann::json::parse(buffer.begin(), buffer.begin() + n, nullptr, false);
                if (!frame.is_object() || !frame.contains("seq"))
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
                    socket->shutdown();
                } catch (const Poco::Exception&) {
                }
                return;
            }
        } catch (const HttpError&) {
            throw;
        } catch (const Poco::Exception& e) {
            why = e.displayText();
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
