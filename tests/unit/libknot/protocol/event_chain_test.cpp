// Tests of libknot/protocol/event_chain.cpp: the hash chain as the server builds it and clients
// check it.
#include "libknot/base/error.hpp"
#include "libknot/protocol/event_chain.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace knot;

namespace {

// Events as GET events serves them, chained the way the store chains them.
nlohmann::json chain_of(const std::vector<nlohmann::json>& datas) {
    nlohmann::json events = nlohmann::json::array();
    std::string prev = k_genesis_hash;
    std::int64_t seq = 0;
    for (const auto& data : datas) {
        ++seq;
        const std::string hash = event_hash(prev, seq, "message", "ag_a", 100 + seq, data.dump());
        events.push_back({{"seq", seq},
                          {"type", "message"},
                          {"agent", "ag_a"},
                          {"time", 100 + seq},
                          {"data", data},
                          {"prev", prev},
                          {"hash", hash}});
        prev = hash;
    }
    return events;
}

void verify(const nlohmann::json& events) {
    ChainVerifier verifier;
    for (const auto& event : events)
        verifier.check(event);
}

} // namespace

TEST_CASE("an intact chain verifies and counts its events") {
    const auto events = chain_of({{{"text", "a"}}, {{"text", "b"}}, nlohmann::json::object()});
    ChainVerifier verifier;
    for (const auto& event : events)
        verifier.check(event);
    CHECK(verifier.checked() == 3);
}

TEST_CASE("a changed event, a gap or a broken link is refused naming the event") {
    auto changed = chain_of({{{"text", "a"}}, {{"text", "b"}}});
    changed[1]["data"]["text"] = "c";
    CHECK_THROWS_WITH(verify(changed), Catch::Contains("#2's content does not match its hash"));
    auto gap = chain_of({{{"text", "a"}}, {{"text", "b"}}});
    gap.erase(0);
    CHECK_THROWS_WITH(verify(gap), Catch::Contains("(a gap)"));
    auto relinked = chain_of({{{"text", "a"}}, {{"text", "b"}}});
    relinked[1]["prev"] = k_genesis_hash;
    CHECK_THROWS_WITH(verify(relinked), Catch::Contains("does not link to the one before"));
}

// Found while factoring the check out for fuzz/event_chain_fuzz.cpp: a field of the wrong type
// threw nlohmann's type_error, which `git knot log --verify` reported as a fatal error about JSON
// rather than a broken log.
TEST_CASE("a malformed event is refused as a broken log, not a JSON error") {
    const auto good = chain_of({{{"text", "a"}}});
    for (const char* field : {"seq", "time", "prev", "hash", "type", "agent"}) {
        auto bad = good;
        bad[0][field] = nlohmann::json::array();
        CHECK_THROWS_AS(verify(bad), Refused);
    }
    auto missing = good;
    missing[0].erase("data");
    CHECK_THROWS_AS(verify(missing), Refused);
    CHECK_THROWS_AS(verify(nlohmann::json::array({42})), Refused);
}
