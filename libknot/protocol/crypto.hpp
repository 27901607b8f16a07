// Hashing, random values, encodings and constant-time comparison, all through libsodium.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

using Bytes = std::vector<std::uint8_t>;

// Initialises libsodium once; every function here calls it, so callers need not.
void crypto_init();

// Lower-case hex of the SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
Bytes sha256(std::string_view data);

// `count` cryptographically random bytes.
Bytes random_bytes(std::size_t count);
// `count` cryptographically random bytes, as lower-case hex (2 * `count` characters).
std::string random_hex(std::size_t count);

std::string to_hex(const Bytes& bytes);
// Standard base64 with padding, no line breaks.
std::string to_base64(const Bytes& bytes);
// Throws knot::Error when `text` is not valid standard base64.
Bytes from_base64(std::string_view text);

// Compares two strings in time that depends only on their lengths, never on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace knot
