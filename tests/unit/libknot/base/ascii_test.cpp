// Tests of libknot/base/ascii.cpp.
#include "libknot/base/ascii.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("ASCII case folding touches A-Z only") {
    CHECK(ascii_lower("Content-TYPE: X\xc3\x89") == "content-type: x\xc3\x89");
    CHECK(ascii_equal_ignoring_case("WebSocket", "websocket"));
    CHECK_FALSE(ascii_equal_ignoring_case("websocket", "websockets"));
}

TEST_CASE("blanks around a value are trimmed, inside ones kept") {
    CHECK(trim_blanks(" \t a b \t") == "a b");
    CHECK(trim_blanks(" \t ").empty());
    CHECK(trim_blanks("").empty());
}

TEST_CASE("a prefix matches whatever the case of its A-Z") {
    CHECK(ascii_starts_with_ignoring_case(".GIT/config", ".git"));
    CHECK(ascii_starts_with_ignoring_case(".git", ".git"));
    CHECK_FALSE(ascii_starts_with_ignoring_case(".gi", ".git"));
    CHECK_FALSE(ascii_starts_with_ignoring_case("x.git", ".git"));
}

TEST_CASE("white space around text is trimmed: blanks, line ends, form feed, vertical tab") {
    CHECK(trim_whitespace("\r\n\t a b\f\v \n") == "a b");
    CHECK(trim_whitespace(" \r\n").empty());
    CHECK(trim_whitespace_end("  main\r\n") == "  main");
    CHECK(trim_whitespace_end("\n\n").empty());
    CHECK(trim_whitespace_end("").empty());
}
