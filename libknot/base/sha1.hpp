// SHA-1, for the one place the protocol of someone else demands it: the WebSocket handshake's
// Sec-WebSocket-Accept (RFC 6455). Never use it for anything that must resist collisions.
#pragma once

#include <array>
#include <string_view>

namespace knot {

using Sha1Digest = std::array<unsigned char, 20>;

// The SHA-1 digest of `data` (FIPS 180-4).
Sha1Digest sha1(std::string_view data);

} // namespace knot
