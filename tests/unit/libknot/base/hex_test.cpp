// Tests of libknot/base/hex.cpp: lowercase hex written and checked.
#include "libknot/base/hex.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("every byte is written as two lowercase hex digits") {
    CHECK(to_hex("") == "");
    CHECK(to_hex(std::string("\x00\x09\x0a\x0f\x10\x7f\x80\xff", 8)) == "00090a0f107f80ff");
    std::string all;
    for (int byte = 0; byte < 256; ++byte)
        all += static_cast<char>(byte);
    const std::string hex = to_hex(all);
    REQUIRE(hex.size() == 512);
    for (int byte = 0; byte < 256; ++byte) {
        char expected[3];
        std::snprintf(expected, sizeof expected, "%02x", byte);
        CHECK(hex.substr(static_cast<std::size_t>(byte) * 2, 2) == expected);
    }
}

TEST_CASE("hex text is lowercase digits only, of the length asked for") {
    CHECK(is_lower_hex("0123456789abcdef"));
    CHECK(is_lower_hex(""));
    CHECK_FALSE(is_lower_hex("ABCDEF"));
    CHECK_FALSE(is_lower_hex("12g4"));
    CHECK_FALSE(is_lower_hex("12 4"));
    CHECK(is_lower_hex(std::string(40, 'a'), 40));
    CHECK_FALSE(is_lower_hex(std::string(39, 'a'), 40));
    CHECK_FALSE(is_lower_hex(std::string(41, 'a'), 40));
    CHECK_FALSE(is_lower_hex("", 40));
}
