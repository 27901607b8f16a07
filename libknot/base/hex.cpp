// Lowercase hexadecimal (see hex.hpp).
#include "libknot/base/hex.hpp"

namespace knot {
namespace {

// The digit for `nibble` (0..15) without a branch or a table on its value: 0..9 give '0'..'9',
// 10..15 give 'a'..'f' ('a' - 10 - '0' = 39 is added when nibble - 10 is not negative).
char hex_digit(unsigned nibble) {
    const unsigned below_ten = ((nibble - 10u) >> 8) & 1u; // 1 when nibble < 10
    return static_cast<char>('0' + nibble + 39u * (1u - below_ten));
}

} // namespace

std::string to_hex(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        out += hex_digit(byte >> 4);
        out += hex_digit(byte & 0xfu);
    }
    return out;
}

bool is_lower_hex(std::string_view text, std::size_t digits) {
    if (digits != 0 && text.size() != digits)
        return false;
    for (const char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

} // namespace knot
