// Fuzzes the verification of a room's hash-chained event log (libknot/protocol/event_chain.*), the
// check behind `git knot log --verify`.
#include "libknot/base/error.hpp"
#include "libknot/protocol/event_chain.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

// A chain built the server's way from `events`' own fields (store.cpp: the data hashed as the
// compact text stored, then served parsed): the verifier must accept every link of it.
void check_honest_chain(const nlohmann::json& events) {
    knot::ChainVerifier verifier;
    std::string prev = knot::k_genesis_hash;
    std::int64_t seq = 0;
    for (const nlohmann::json& source : events) {
        if (!source.is_object())
            continue;
        const std::string type = source.value("type", nlohmann::json()).is_string()
                                     ? source["type"].get<std::string>()
                                     : "x";
        const std::string agent = source.value("agent", nlohmann::json()).is_string()
                                      ? source["agent"].get<std::string>()
                                      : "ag_0000000000000000";
        const nlohmann::json& time_value = source.value("time", nlohmann::json());
        const std::int64_t time =
            time_value.is_number_integer() ? time_value.get<std::int64_t>() : 0;
        const std::string stored = source.value("data", nlohmann::json::object()).dump();
        ++seq;
        const std::string hash = knot::event_hash(prev, seq, type, agent, time, stored);
        const nlohmann::json served = {{"seq", seq},
                                       {"type", type},
                                       {"agent", agent},
                                       {"time", time},
                                       {"data", nlohmann::json::parse(stored)},
                                       {"prev", prev},
                                       {"hash", hash}};
        verifier.check(served); // throws (and so aborts the harness) if it refuses
        prev = hash;
    }
    if (verifier.checked() != seq)
        std::abort();
}

} // namespace

// The whole input is a JSON array of events as GET events serves them. It is verified as sent;
// then an honest chain is built from its fields, which must verify.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const nlohmann::json events = nlohmann::json::parse(text, nullptr, false);
    if (!events.is_array())
        return 0;
    knot::ChainVerifier verifier;
    try {
        for (const nlohmann::json& event : events)
            verifier.check(event);
    } catch (const knot::Refused&) {
        // A broken link, reported with the event's number.
    }
    try {
        check_honest_chain(events);
    } catch (const knot::Refused&) {
        std::abort();
    }
    return 0;
}
