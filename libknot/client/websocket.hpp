// A WebSocket client (RFC 6455) on a Connection, for the room's event stream: the handshake
// with Sec-WebSocket-Accept verified, masked frames out, fragmented messages in (bounded),
// pings answered, and a receive that waits no longer than it is told.
#pragma once

#include "libknot/client/connection.hpp"
#include "libknot/client/http_client.hpp"
#include "libknot/protocol/websocket_frame.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace knot {

// One frame with FIN set and its payload masked with `mask`, as a client must send it.
std::string websocket_frame(WebSocketOpcode opcode, std::string_view payload,
                            const unsigned char (&mask)[4]);

class WebSocket {
public:
    struct Message {
        WebSocketOpcode opcode; // text, binary, close, ping or pong; never continuation
        std::string data;       // a fragmented message arrives whole
    };

    // The most a message may hold, fragments together, unless the caller says otherwise.
    static constexpr std::size_t k_max_message = 16 * 1024 * 1024;

    // Asks the server at `base_url` (scheme://host[:port]) to upgrade `target` to a WebSocket,
    // sending `headers` with the handshake: the WebSocket, or the server's answer (status and
    // body) when it refused. Throws UnreachableError when it could not be asked, and
    // TransportError when it answered 101 without a valid Sec-WebSocket-Accept.
    static std::variant<WebSocket, HttpResponse>
    open(const std::string& base_url, std::string_view target,
         const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout,
         std::size_t max_message = k_max_message);

    WebSocket(Connection connection, std::size_t max_message);

    // The next message, or nothing when none was whole within `timeout` (what arrived of it is
    // kept for the next call). A ping is answered with a pong, a close with a close; both are
    // returned too, so the caller knows the server is alive or gone. Throws TransportError when
    // the connection breaks or the server breaks the protocol (a masked or malformed frame, a
    // message over the bound).
    std::optional<Message> receive(std::chrono::milliseconds timeout);

    // Sends one masked frame with FIN set. Throws TransportError.
    void send(WebSocketOpcode opcode, std::string_view payload);

private:
    // A frame whole in m_input taken out and handled; nothing when more must arrive first.
    std::optional<Message> take_frame();

    Connection m_connection;
    std::size_t m_max_message;
    std::string m_input;
    std::optional<WebSocketOpcode> m_message_opcode; // while a fragmented message comes
    std::string m_fragments;
};

} // namespace knot
