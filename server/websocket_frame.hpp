// WebSocket framing (RFC 6455 section 5) as the event streams speak it: the server's unmasked
// frames out, and the client's masked frames in, taken from a buffer one at a time.
#pragma once

#include "libknot/protocol/websocket_frame.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace knot::server {

// Appends one unmasked server frame, FIN set, to `out`.
void append_frame(std::string& out, WebSocketOpcode opcode, std::string_view payload);

// The payload of a close frame: `status`, then at most 120 bytes of `reason`.
std::string close_payload(int status, std::string_view reason);

// A client frame taken from the front of a buffer.
struct PeerFrame {
    enum class Status {
        whole,      // `opcode` and the unmasked `payload` are set; the frame left the buffer
        incomplete, // wait for more bytes; the buffer is unchanged
        unmasked,   // a client frame without a mask: a protocol error
        too_large,  // longer than the limit (a 64-bit length always is): refuse it
    };
    Status status = Status::incomplete;
    // The frame's opcode as sent (any of 16 values, not only those WebSocketOpcode names).
    unsigned char opcode = 0;
    std::string payload;
};

// Takes the first frame of `in` when it is whole and at most `max_size` bytes long. Only the
// frame's own bytes are removed from `in`, and only when it is whole.
PeerFrame take_peer_frame(std::string& in, std::size_t max_size);

} // namespace knot::server
