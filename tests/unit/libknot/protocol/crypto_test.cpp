// Tests of libknot/protocol/crypto.cpp: digests, encodings and constant-time comparison.
#include "libknot/base/error.hpp"
#include "libknot/protocol/crypto.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("sha256_hex matches the published digest of the empty string and of abc") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("base64 round-trips every byte value and refuses garbage") {
    Bytes all;
    for (int i = 0; i < 256; ++i)
        all.push_back(static_cast<std::uint8_t>(i));
    CHECK(from_base64(to_base64(all)) == all);
    CHECK(to_base64({'f', 'o', 'o'}) == "Zm9v");
    CHECK_THROWS_AS(from_base64("not base64!"), Error);
    CHECK_THROWS_AS(from_base64("Zm9v trailing"), Error);
}

TEST_CASE("random_hex gives fresh lower-case hex of twice the byte count") {
    const auto a = random_hex(16);
    const auto b = random_hex(16);
    CHECK(a.size() == 32);
    CHECK(a != b);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("constant_time_equal tells equal from unequal strings of any length") {
    CHECK(constant_time_equal("token", "token"));
    CHECK_FALSE(constant_time_equal("token", "tokeN"));
    CHECK_FALSE(constant_time_equal("token", "token2"));
    CHECK_FALSE(constant_time_equal("", "x"));
    CHECK(constant_time_equal("", ""));
}
