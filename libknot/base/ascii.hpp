// ASCII text helpers for protocol text (header names, schemes, tokens), which ignores locale.
#pragma once

#include <string>
#include <string_view>

namespace knot {

// `text` with A-Z turned to a-z; every other byte as it is.
std::string ascii_lower(std::string_view text);

// True when `a` and `b` are equal once A-Z are read as a-z.
bool ascii_equal_ignoring_case(std::string_view a, std::string_view b);

// True when `text` starts with `prefix` once A-Z are read as a-z.
bool ascii_starts_with_ignoring_case(std::string_view text, std::string_view prefix);

// `text` without the spaces and tabs around it.
std::string_view trim_blanks(std::string_view text);

// `text` without the ASCII white space (space, tab, CR, LF, form feed, vertical tab) around it.
std::string_view trim_whitespace(std::string_view text);

// `text` without the ASCII white space at its end (a command's output without its newline).
std::string_view trim_whitespace_end(std::string_view text);

} // namespace knot
