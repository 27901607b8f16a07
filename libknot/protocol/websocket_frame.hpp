// What the WebSocket client and the server's event streams share of RFC 6455: the opcodes, the
// close status codes, the handshake's accept value and a frame's head.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace knot {

enum class WebSocketOpcode : unsigned char {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xa,
};

// Close status codes (RFC 6455 section 7.4.1).
constexpr int k_close_normal = 1000;
constexpr int k_close_going_away = 1001;
constexpr int k_close_protocol_error = 1002;
constexpr int k_close_too_big = 1009;

// A client's frames are masked; a server's never are.
enum class FrameMasking { unmasked, masked };

// The Sec-WebSocket-Accept a server must answer to `key`: base64(SHA-1(key + RFC's GUID)).
std::string websocket_accept(std::string_view key);

// Appends the head of one frame with FIN set to `out`: `opcode`, the mask bit as `masking`
// says, and `size` in the shortest of the 7-, 16- and 64-bit forms. The masking key (when
// masked) and the payload follow it.
void append_frame_head(std::string& out, WebSocketOpcode opcode, std::uint64_t size,
                       FrameMasking masking);

} // namespace knot
