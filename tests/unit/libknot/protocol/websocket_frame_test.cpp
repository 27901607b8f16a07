// Tests of libknot/protocol/websocket_frame.cpp.
#include "libknot/protocol/websocket_frame.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("the handshake's accept value is RFC 6455's") {
    CHECK(websocket_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("a frame head has FIN, the opcode, the mask bit asked for and the shortest length") {
    std::string head;
    append_frame_head(head, WebSocketOpcode::text, 5, FrameMasking::unmasked);
    CHECK(head == std::string("\x81\x05", 2));
    head.clear();
    append_frame_head(head, WebSocketOpcode::pong, 125, FrameMasking::masked);
    CHECK(head == std::string("\x8a\xfd", 2));
    head.clear();
    append_frame_head(head, WebSocketOpcode::binary, 126, FrameMasking::unmasked);
    CHECK(head == std::string("\x82\x7e\x00\x7e", 4));
    head.clear();
    append_frame_head(head, WebSocketOpcode::close, 0x10000, FrameMasking::masked);
    CHECK(head == std::string("\x88\xff\0\0\0\0\0\x01\0\0", 10));
}
