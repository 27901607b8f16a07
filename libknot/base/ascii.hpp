// ASCII text helpers for protocol text (header names, schemes, tokens), which ignores locale.
#pragma once

#include <string>
#include <string_view>

namespace knot {

// `text` with A-Z turned to a-z; every other byte as it is.
std::string ascii_lower(std::string_view text);

// True when `a` and `b` are equal once A-Z are read as a-z.
bool ascii_equal_ignoring_case(std::string_view a, std::string_view b);

// `text` without the spaces and tabs around it.
std::string_view trim_blanks(std::string_view text);

} // namespace knot
