// Tests of server/request_auth.cpp: each check of a signed request, in its order.
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server/request_auth.hpp"

#include <catch2/catch.hpp>

using namespace knot;

namespace {

SignatureHeaders headers_of(const std::map<std::string, std::string>& h) {
    return {h.count("X-Knot-Agent") ? h.at("X-Knot-Agent") : "", h.at("X-Knot-Timestamp"),
            h.at("X-Knot-Nonce"), h.at("X-Knot-Signature")};
}

} // namespace

TEST_CASE("a correctly signed request passes") {
    const auto id = Identity::generate();
    const auto h = headers_of(sign_request(id, "ag_x", "POST", "/v1/a", "{}", 1000));
    CHECK_FALSE(check_signature(h, id.public_key(), "POST", "/v1/a", "{}", 1000));
    CHECK_FALSE(check_signature(h, id.public_key(), "POST", "/v1/a", "{}", 1300));
}

TEST_CASE("an unsigned request is told it must be signed") {
    const auto id = Identity::generate();
    CHECK(check_signature({}, id.public_key(), "POST", "/", "", 0) ==
          AuthFailure::unsigned_request);
}

TEST_CASE("incomplete or malformed signature headers are refused as malformed") {
    const auto id = Identity::generate();
    auto h = headers_of(sign_request(id, "", "POST", "/", "", 1000));
    auto missing = h;
    missing.nonce.clear();
    CHECK(check_signature(missing, id.public_key(), "POST", "/", "", 1000) ==
          AuthFailure::malformed_signature);
    auto bad_time = h;
    bad_time.timestamp = "12x";
    CHECK(check_signature(bad_time, id.public_key(), "POST", "/", "", 1000) ==
          AuthFailure::malformed_signature);
    auto bad_nonce = h;
    bad_nonce.nonce = "XYZ";
    CHECK(check_signature(bad_nonce, id.public_key(), "POST", "/", "", 1000) ==
          AuthFailure::malformed_signature);
}

TEST_CASE("a timestamp more than five minutes off either way is stale") {
    const auto id = Identity::generate();
    const auto h = headers_of(sign_request(id, "", "POST", "/", "", 1000));
    CHECK(check_signature(h, id.public_key(), "POST", "/", "", 1301) ==
          AuthFailure::stale_timestamp);
    CHECK(check_signature(h, id.public_key(), "POST", "/", "", 699) ==
          AuthFailure::stale_timestamp);
}

// Issue 10, and fuzz/corpus/signed_request/finding-leading-zero-timestamp.
TEST_CASE("a timestamp has one spelling: zero-padded, signed or overflowing times are malformed") {
    const auto id = Identity::generate();
    const auto h = headers_of(sign_request(id, "", "POST", "/", "", 1000));
    // Each of these once parsed to a time inside the window: the padded one verified against
    // the signature over "1000", and INT64_MIN overflowed the distance to now.
    for (const std::string spelling :
         {"0001000", "+1000", "-1000", " 1000", "1000 ", "1e3", "-9223372036854775808",
          "9223372036854775807", "18446744073709552616", "", "0x3e8"}) {
        auto changed = h;
        changed.timestamp = spelling;
        INFO(spelling);
        CHECK(check_signature(changed, id.public_key(), "POST", "/", "", 1000) ==
              AuthFailure::malformed_signature);
    }
    CHECK(parse_timestamp("0") == 0);
    CHECK(parse_timestamp("1700000000") == 1700000000);
    CHECK_FALSE(parse_timestamp("00"));
}

TEST_CASE("a forged signature, or one over other content, does not verify") {
    const auto id = Identity::generate();
    const auto forger = Identity::generate();
    const auto forged = headers_of(sign_request(forger, "", "POST", "/", "{}", 1000));
    CHECK(check_signature(forged, id.public_key(), "POST", "/", "{}", 1000) ==
          AuthFailure::bad_signature);
    const auto h = headers_of(sign_request(id, "", "POST", "/", "{}", 1000));
    CHECK(check_signature(h, id.public_key(), "POST", "/", "{\"x\":1}", 1000) ==
          AuthFailure::bad_signature);
    CHECK(check_signature(h, id.public_key(), "POST", "/other", "{}", 1000) ==
          AuthFailure::bad_signature);
}

TEST_CASE("every refusal has a stable code and a message naming the check") {
    CHECK(auth_failure_code(AuthFailure::replayed_nonce).code() == "replayed_nonce");
    CHECK(auth_failure_code(AuthFailure::stale_timestamp).code() == "stale_timestamp");
    CHECK(auth_failure_message(AuthFailure::replayed_nonce).find("replayed") != std::string::npos);
    CHECK(auth_failure_message(AuthFailure::stale_timestamp).find("5 minutes") !=
          std::string::npos);
}
