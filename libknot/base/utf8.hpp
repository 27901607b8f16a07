// Reading UTF-8 one code point at a time, for the checks of names, refs and paths members send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
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

// `text` as it may be written to a terminal: every control character (C0, DEL and the C1 range
// U+0080..U+009F, which some terminals obey as escapes) and every byte that is not UTF-8 becomes
// '?', except a newline and a tab when `lines` is true. Text from the room (commit subjects,
// diffs, reasons, chat) goes through this before it reaches another agent's terminal.
std::string terminal_text(std::string_view text, bool lines = false);

} // namespace knot
