// Tests of libknot/base/utf8.cpp: cutting text without splitting a UTF-8 sequence.
#include "libknot/base/utf8.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("a prefix of UTF-8 text never ends inside a character") {
    CHECK(utf8_prefix("abc", 3) == "abc");
    CHECK(utf8_prefix("abcd", 3) == "abc");
    const std::string text = "ab\xc3\xa9z"; // "abéz": é is two bytes
    CHECK(utf8_prefix(text, 3) == "ab");
    CHECK(utf8_prefix(text, 4) == "ab\xc3\xa9");
    CHECK(utf8_prefix("\xe2\x82\xac", 2).empty()); // "€" is three bytes
    CHECK(utf8_prefix("", 0).empty());
}
