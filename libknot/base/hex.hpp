// Lowercase hexadecimal: writing bytes as hex and checking that text is hex (object ids, tokens,
// nonces, hashes).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace knot {

// Two lowercase hex digits per byte of `bytes`. Takes the same time whatever the bytes are, so
// it may write secrets.
std::string to_hex(std::string_view bytes);

// True when `text` is only lowercase hex digits, and exactly `digits` of them when `digits` is
// not 0 (40 for a SHA-1 object id, 64 for a SHA-256 or a token). Uppercase is not hex here:
// what we compare is always written lowercase.
bool is_lower_hex(std::string_view text, std::size_t digits = 0);

} // namespace knot
