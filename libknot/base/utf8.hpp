// Reading UTF-8 one code point at a time, for the checks of names, refs and paths members send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace knot {

// The code point that starts at `at` in `text`, advancing `at` past it; nothing when the bytes
// there are not a lead byte followed by its continuation bytes. Only the form is checked:
// overlong forms, surrogates and values past U+10FFFF are returned as read.
std::optional<std::uint32_t> next_code_point(std::string_view text, std::size_t& at);

// True when `text` is well-formed UTF-8: every sequence in form, none overlong, no surrogate,
// nothing past U+10FFFF (what the JSON of events and answers can carry).
bool is_valid_utf8(std::string_view text);

// `text` cut to at most `max_bytes`, never inside a UTF-8 sequence (half of one would make the
// JSON that carries it invalid): the whole text when it fits, else the longest prefix that
// ends before a continuation byte.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

} // namespace knot
