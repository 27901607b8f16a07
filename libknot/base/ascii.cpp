// ASCII text helpers (see ascii.hpp).
#include "libknot/base/ascii.hpp"

#include <algorithm>

namespace knot {
namespace {

constexpr std::string_view k_blanks = " \t";
constexpr std::string_view k_whitespace = " \t\r\n\f\v";

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view text, std::string_view characters) {
    const std::size_t start = text.find_first_not_of(characters);
    if (start == std::string_view::npos)
        return {};
    return text.substr(start, text.find_last_not_of(characters) - start + 1);
}

} // namespace

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

bool ascii_equal_ignoring_case(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return lower(x) == lower(y); });
}

bool ascii_starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           ascii_equal_ignoring_case(text.substr(0, prefix.size()), prefix);
}

std::string_view trim_blanks(std::string_view text) {
    return trim(text, k_blanks);
}

std::string_view trim_whitespace(std::string_view text) {
    return trim(text, k_whitespace);
}

std::string_view trim_whitespace_end(std::string_view text) {
    const std::size_t last = text.find_last_not_of(k_whitespace);
    return last == std::string_view::npos ? std::string_view() : text.substr(0, last + 1);
}

} // namespace knot
