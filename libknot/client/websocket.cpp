// A WebSocket client (see websocket.hpp).
#include "libknot/client/websocket.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/client/http_wire.hpp"
#include "libknot/protocol/crypto.hpp"

#include <algorithm>
#include <iterator>

namespace knot {
namespace {

using Kind = TransportError::Kind;

[[noreturn]] void protocol_error(const std::string& why) {
    throw TransportError(Kind::broken, "the event stream broke the WebSocket protocol: " + why);
}

bool is_control(WebSocketOpcode opcode) {
    return static_cast<unsigned char>(opcode) >= 0x8;
}

} // namespace

std::string websocket_frame(WebSocketOpcode opcode, std::string_view payload,
                            const unsigned char (&mask)[4]) {
    std::string frame;
    append_frame_head(frame, opcode, payload.size(), FrameMasking::masked);
    frame.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        frame += static_cast<char>(payload[i] ^ static_cast<char>(mask[i % 4]));
    return frame;
}

std::variant<WebSocket, HttpResponse>
WebSocket::open(const std::string& base_url, std::string_view target,
                const std::map<std::string, std::string>& headers,
                std::chrono::milliseconds timeout, std::size_t max_message) {
    const Url url = server_url(base_url);
    const std::string key = to_base64(random_bytes(16));
    std::map<std::string, std::string> sent = headers;
    sent["Upgrade"] = "websocket";
    sent["Connection"] = "Upgrade";
    sent["Sec-WebSocket-Key"] = key;
    sent["Sec-WebSocket-Version"] = "13";
    try {
        Connection connection(url.host, url.port,
                              url.scheme == "https" ? Security::tls : Security::plain, timeout);
        connection.write_all(request_head("GET", target, url.authority(), sent));
        const ResponseHead head = read_response_head(connection);
        if (head.status != 101) {
            BodyBuffer buffer(connection, head, "GET");
            std::istream in(&buffer);
            return HttpResponse{head.status, std::string(std::istreambuf_iterator<char>(in),
                                                         std::istreambuf_iterator<char>())};
        }
        if (!ascii_equal_ignoring_case(head.header("upgrade").value_or(""), "websocket") ||
            head.header("sec-websocket-accept") != websocket_accept(key))
            protocol_error("the handshake's answer does not match its key");
        return WebSocket(std::move(connection), max_message);
    } catch (const TransportError& e) {
        throw unreachable(base_url, e);
    }
}

WebSocket::WebSocket(Connection connection, std::size_t max_message)
    : m_connection(std::move(connection))
    , m_max_message(max_message) {}

void WebSocket::send(WebSocketOpcode opcode, std::string_view payload) {
    unsigned char mask[4];
    const Bytes random = random_bytes(sizeof mask);
    std::copy(random.begin(), random.end(), mask);
    m_connection.write_all(websocket_frame(opcode, payload, mask));
}

std::optional<WebSocket::Message> WebSocket::receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto message = take_frame())
            return message;
        const auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       deadline - std::chrono::steady_clock::now()),
                                   std::chrono::milliseconds(0));
        char chunk[16 * 1024];
        std::size_t got = 0;
        try {
            got = m_connection.read_some(chunk, sizeof chunk, left);
        } catch (const TransportError& e) {
            if (e.kind() == Kind::timed_out)
                return std::nullopt;
            throw;
        }
        if (got == 0)
            throw TransportError(Kind::broken, "the server closed the connection");
        m_input.append(chunk, got);
    }
}

std::optional<WebSocket::Message> WebSocket::take_frame() {
    for (;;) {
        if (m_input.size() < 2)
            return std::nullopt;
        const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(m_input[i]); };
        const bool fin = (byte(0) & 0x80) != 0;
        const auto opcode = static_cast<WebSocketOpcode>(byte(0) & 0x0f);
        if ((byte(0) & 0x70) != 0)
            protocol_error("a reserved bit is set");
        if ((byte(1) & 0x80) != 0)
            protocol_error("a frame from the server is masked");
        std::uint64_t size = byte(1) & 0x7f;
        std::size_t head = 2;
        if (size == 126 || size == 127) {
            const std::size_t width = size == 126 ? 2 : 8;
            if (m_input.size() < 2 + width)
                return std::nullopt;
            size = 0;
            for (std::size_t i = 0; i < width; ++i)
                size = size << 8 | byte(2 + i);
            head += width;
        }
        switch (opcode) {
        case WebSocketOpcode::continuation:
        case WebSocketOpcode::text:
        case WebSocketOpcode::binary:
            break;
        case WebSocketOpcode::close:
        case WebSocketOpcode::ping:
        case WebSocketOpcode::pong:
            if (!fin || size > 125)
                protocol_error("a control frame is fragmented or too long");
            break;
        default:
            protocol_error("an unknown opcode");
        }
        if (size > m_max_message - m_fragments.size())
            protocol_error("a message is larger than " + std::to_string(m_max_message) + " bytes");
        if (m_input.size() - head < size)
            return std::nullopt;
        std::string payload = m_input.substr(head, size);
        m_input.erase(0, head + size);
        if (is_control(opcode)) {
            if (opcode == WebSocketOpcode::ping)
                send(WebSocketOpcode::pong, payload);
            else if (opcode == WebSocketOpcode::close)
                try {
                    send(WebSocketOpcode::close, payload.substr(0, 2)); // echo the status code
                } catch (const TransportError&) {
                    // The server may have gone already; the stream is over either way.
                }
            return Message{opcode, std::move(payload)};
        }
        if ((opcode == WebSocketOpcode::continuation) != m_message_opcode.has_value())
            protocol_error(m_message_opcode ? "a new message before the last one ended"
                                            : "a continuation of no message");
        if (!m_message_opcode)
            m_message_opcode = opcode;
        m_fragments += payload;
        if (fin) {
            Message message{*m_message_opcode, std::move(m_fragments)};
            m_fragments.clear();
            m_message_opcode.reset();
            return message;
        }
    }
}

} // namespace knot
