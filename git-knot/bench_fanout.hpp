// `git knot bench`'s fan-out figure: the time from a write's request to its event arriving on
// each simulated agent's event stream.
#pragma once

#include "libknot/base/latency.hpp"

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <unordered_map>

namespace knot {

// The requests a run times, each a row of its report.
enum class BenchOp { lock, release, claim, message, push };
inline constexpr std::size_t k_bench_ops = 5;
// "lock", "release", "claim", "message", "push".
const char* bench_op_name(BenchOp op);

// The key of the event a write of ours appends, as bench_event_key finds it in the event:
// "lock.acquired <path>", "lock.released <path>", "task.claimed <id>", "chat.message <text>",
// "sync.pushed <new commit>".
std::string bench_write_key(BenchOp op, const std::string& subject);
// The key of `event` (a member of the stream's JSON), or "" for other events.
std::string bench_event_key(const nlohmann::json& event);

// Writes expected on `listeners` streams: expect() before the request (its event may reach a
// stream before the answer reaches the writer), forget() when the request failed, seen() from
// each stream's thread. Thread-safe.
class FanoutTracker {
public:
    using Clock = std::chrono::steady_clock;

    explicit FanoutTracker(int listeners);

    void expect(const std::string& key, BenchOp op, Clock::time_point sent);
    void forget(const std::string& key);
    // Records, when `event` is an expected write's, the delay from its request to `now`; a
    // write leaves the tracker once every listener has seen it.
    void seen(const nlohmann::json& event, Clock::time_point now);

    // Waits until every expected write was seen by every listener, or until `quiet` passes
    // without any event of ours arriving. Counts what is left as missing (per op) and forgets
    // it. Returns true when nothing was missing.
    bool drain(std::chrono::milliseconds quiet);

    LatencyHistogram delays(BenchOp op) const;
    // Deliveries that never came: a write times the listeners that did not see it.
    std::uint64_t missing(BenchOp op) const;

private:
    struct Pending {
        BenchOp op;
        Clock::time_point sent;
        int left;
    };

    int m_listeners;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::unordered_map<std::string, Pending> m_pending;
    std::array<LatencyHistogram, k_bench_ops> m_delays;
    std::array<std::uint64_t, k_bench_ops> m_missing{};
    std::uint64_t m_deliveries = 0; // of our events, to notice progress while draining
};

} // namespace knot
