// What both ends of a WebSocket share (see websocket_frame.hpp).
#include "libknot/protocol/websocket_frame.hpp"

#include "libknot/base/sha1.hpp"
#include "libknot/protocol/crypto.hpp"

namespace knot {
namespace {

constexpr std::string_view k_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr unsigned char k_fin = 0x80;
constexpr unsigned char k_mask = 0x80;
constexpr std::uint64_t k_max_7_bit = 125;
constexpr unsigned char k_16_bit = 126;
constexpr unsigned char k_64_bit = 127;

} // namespace

std::string websocket_accept(std::string_view key) {
    const Sha1Digest digest = sha1(std::string(key) + std::string(k_guid));
    return to_base64(Bytes(digest.begin(), digest.end()));
}

void append_frame_head(std::string& out, WebSocketOpcode opcode, std::uint64_t size,
                       FrameMasking masking) {
    const unsigned char mask = masking == FrameMasking::masked ? k_mask : 0;
    out += static_cast<char>(k_fin | static_cast<unsigned char>(opcode));
    if (size <= k_max_7_bit) {
        out += static_cast<char>(mask | size);
    } else if (size <= 0xffff) {
        out += static_cast<char>(mask | k_16_bit);
        out += static_cast<char>(size >> 8);
        out += static_cast<char>(size & 0xff);
    } else {
        out += static_cast<char>(mask | k_64_bit);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += static_cast<char>((size >> shift) & 0xff);
    }
}

} // namespace knot
