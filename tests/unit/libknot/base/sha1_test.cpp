// Tests of libknot/base/sha1.cpp against the FIPS 180 and NIST example vectors.
#include "libknot/base/sha1.hpp"
#include "libknot/protocol/crypto.hpp"

#include <catch2/catch.hpp>

using namespace knot;

namespace {

std::string sha1_hex(std::string_view data) {
    const Sha1Digest digest = sha1(data);
    return to_hex(Bytes(digest.begin(), digest.end()));
}

} // namespace

TEST_CASE("SHA-1 gives the published digests") {
    CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    CHECK(sha1_hex(std::string(1000000, 'a')) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("SHA-1 pads inputs that end at and around a block's length field") {
    // 55 bytes fit the padding in one block, 56 need a second, 64 are a whole block.
    CHECK(sha1_hex(std::string(55, 'a')) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    CHECK(sha1_hex(std::string(56, 'a')) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
    CHECK(sha1_hex(std::string(64, 'a')) == "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}
