// The server's half of a WebSocket for the client's tests, on a LoopbackServer's connection.
#pragma once

#include "tests/unit/libknot/client/loopback_server.hpp"

#include <string>

namespace knot::test {

// Reads the client's handshake and accepts it; returns the request's head.
std::string accept_websocket(int fd);
// An unmasked frame as a server sends it: `first` is the byte with FIN and the opcode.
std::string server_frame(unsigned char first, const std::string& payload);
// Reads one masked client frame (payload under 126 bytes): its first byte, then the payload
// unmasked; empty when the connection ended.
std::string read_client_frame(int fd);

} // namespace knot::test
