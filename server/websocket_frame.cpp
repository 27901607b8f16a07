// WebSocket framing (see websocket_frame.hpp).
#include "websocket_frame.hpp"

#include <cstdint>

namespace knot::server {

void append_frame(std::string& out, WebSocketOpcode opcode, std::string_view payload) {
    append_frame_head(out, opcode, payload.size(), FrameMasking::unmasked);
    out.append(payload);
}

std::string close_payload(int status, std::string_view reason) {
    std::string payload;
    payload.push_back(static_cast<char>((status >> 8) & 0xFF));
    payload.push_back(static_cast<char>(status & 0xFF));
    payload.append(reason.substr(0, 120));
    return payload;
}

PeerFrame take_peer_frame(std::string& in, std::size_t max_size) {
    PeerFrame frame;
    if (in.size() < 2)
        return frame;
    const auto b0 = static_cast<unsigned char>(in[0]);
    const auto b1 = static_cast<unsigned char>(in[1]);
    std::size_t header = 2;
    std::uint64_t size = b1 & 0x7F;
    if (size == 126) {
        if (in.size() < 4)
            return frame;
        size = (static_cast<std::uint64_t>(static_cast<unsigned char>(in[2])) << 8) |
               static_cast<unsigned char>(in[3]);
        header = 4;
    } else if (size == 127) {
        size = max_size + 1; // never needed by a client of ours
    }
    if ((b1 & 0x80) == 0) {
        frame.status = PeerFrame::Status::unmasked;
        return frame;
    }
    if (size > max_size) {
        frame.status = PeerFrame::Status::too_large;
        return frame;
    }
    if (in.size() < header + 4 + size)
        return frame;
    frame.payload = in.substr(header + 4, size);
    for (std::size_t i = 0; i < frame.payload.size(); ++i)
        frame.payload[i] = static_cast<char>(frame.payload[i] ^ in[header + (i % 4)]);
    in.erase(0, header + 4 + size);
    frame.status = PeerFrame::Status::whole;
    frame.opcode = static_cast<unsigned char>(b0 & 0x0F);
    return frame;
}

} // namespace knot::server
