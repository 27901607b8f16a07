// `git knot bench`'s load: simulated agents, each a real member of the room with its own key,
// connection and event stream, doing a mix of locks, claims and messages for a time or a count.
#pragma once

#include "git-knot/bench_fanout.hpp"
#include "libknot/base/latency.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace knot {

struct Invite;

// The bounds of a run, so that a typo cannot start a day of load.
inline constexpr int k_max_bench_agents = 500;
inline constexpr std::chrono::seconds k_max_bench_duration{3600};
inline constexpr long long k_max_bench_count = 10'000'000;

// How often each kind of operation comes in an agent's cycle: "locks=4,claims=1,messages=2"
// gives each agent the cycle lock, lock, lock, lock, claim, message, message (each agent starts
// at its own place in it). A lock is a lock and its release; a claim is a claim of a task the
// agent made beforehand (untimed, in batches) and, untimed, its done; a push sends a commit of
// one changed file (bench_push.hpp; the commit and its pack are made untimed).
struct BenchMix {
    int locks = 4;
    int claims = 1;
    int messages = 2;
    int pushes = 0;
};

// Parses "locks=4,claims=1,messages=2,pushes=1" (any order, any subset; the others are then 0;
// each 0 to 100, not all 0). Throws knot::UsageError naming the fault.
BenchMix parse_bench_mix(const std::string& text);
// The mix as parse_bench_mix reads it, every kind named.
std::string bench_mix_text(const BenchMix& mix);

struct BenchPlan {
    int agents = 20;
    BenchMix mix;
    std::chrono::milliseconds duration{10'000}; // the run stops at this time at the latest
    std::optional<long long> count;             // or after this many operations in all
    std::string tag; // unique to the run: in agent names, lock paths, task titles, messages
};

struct BenchOpFigures {
    LatencyHistogram latency;
    std::uint64_t errors = 0;
    LatencyHistogram fanout;
    std::uint64_t fanout_missing = 0;
};

struct BenchResult {
    std::array<BenchOpFigures, k_bench_ops> ops;
    double seconds = 0;               // from the start signal to the last agent's last operation
    std::string first_error;          // the first operation that failed, in the server's words
    std::vector<std::string> remains; // what cleaning up could not undo, one line each
};

struct BenchProgress {
    double seconds = 0;
    std::uint64_t operations = 0;
    std::uint64_t errors = 0;
};

// Hooks of the caller's: `progress` is called about every 250 ms while the load runs (from the
// calling thread); `interrupted` too, and a true answer ends the run as its time would.
struct BenchWatch {
    std::function<void(const BenchProgress&)> progress;
    std::function<bool()> interrupted;
};

// Registers plan.agents new members of `invite`'s room (named "bench-<tag>-000" ...), opens
// each one's event stream from the room's current end, and starts the clock once every stream
// is connected. Each agent then runs its cycle until the plan's count or time is reached.
// Afterwards it waits until each write's event reached every stream (counting as missing what
// has not after 10 s without any), then cleans up: locks still held are released, tasks made
// and not done are claimed and marked done; what fails stays in BenchResult::remains. The
// members and the messages stay in the room (the protocol removes neither), and so do pushed
// refs (refs/knot/<agent>/bench: the protocol deletes no ref) with what their integration did.
// Throws knot::Error when the room refuses a member or a stream does not connect within 30 s.
BenchResult run_bench_load(const Invite& invite, const BenchPlan& plan, const BenchWatch& watch);

} // namespace knot
