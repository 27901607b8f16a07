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
