// Tests for git-knot/bench_trials (the trials file, picking and comparing trials) and the parts
// of git knot bench that need no server: the mix and the matching of events to writes.
#include "git-knot/bench_fanout.hpp"
#include "git-knot/bench_load.hpp"
#include "git-knot/bench_trials.hpp"
#include "libknot/base/error.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace knot;

namespace {

nlohmann::json record(const std::string& id, double lock_rate) {
    BenchPlan plan;
    plan.agents = 3;
    plan.mix = parse_bench_mix("locks=1");
    plan.count = 10;
    BenchResult result;
    result.seconds = 1;
    for (int i = 0; i < static_cast<int>(lock_rate); ++i) {
        result.ops[0].latency.add(2);
        result.ops[1].latency.add(1);
    }
    return trial_record(id, plan, {"0.1.0", "local", "/tmp/x", false}, result);
}

} // namespace

TEST_CASE("a trial record holds its conditions and a figure per request of its mix") {
    const auto trial = record("abc123", 5);
    const auto& conditions = trial.at("conditions");
    CHECK(conditions.at("agents") == 3);
    CHECK(conditions.at("count") == 10);
    CHECK(conditions.at("mix") == "locks=1,claims=0,messages=0,pushes=0");
    CHECK(conditions.at("target") == "local");
    CHECK(conditions.contains("cpu"));
    CHECK(conditions.contains("kernel"));
    CHECK(trial.at("ops").at("lock").at("count") == 5);
    CHECK(trial.at("ops").at("lock").at("rate") == 5.0);
    CHECK(trial.at("ops").at("lock").at("p50_ms") == Approx(2).epsilon(0.01));
    CHECK_FALSE(trial.at("ops").contains("claim"));
    CHECK(trial.at("errors") == 0);
}

TEST_CASE("trials are numbered by their line and a damaged line is reported, not fatal") {
    test::TempDir dir;
    const auto path = dir.path() / "bench" / "trials.jsonl";
    CHECK(read_trials(path).trials.empty());
    CHECK(append_trial(path, record("aaaaaa", 4)) == 1);
    std::ofstream(path, std::ios::app) << "{\"half\": \n[1, 2]";
    CHECK(append_trial(path, record("bbbbbb", 8)) == 4); // not glued to the unfinished line
    const TrialFile file = read_trials(path);
    REQUIRE(file.trials.size() == 2);
    CHECK(file.trials[0].number == 1);
    CHECK(file.trials[1].number == 4);
    REQUIRE(file.problems.size() == 2);
    CHECK(file.problems[0] == "trials.jsonl:2: not JSON; skipped");
    CHECK(file.problems[1] == "trials.jsonl:3: not a trial (no id, conditions or ops); skipped");
}

TEST_CASE("compare picks the last two trials by default, else those named by number or id") {
    TrialFile file;
    file.trials = {{1, record("aaaaaa", 4)}, {2, record("bbbbbb", 8)}, {3, record("cccccc", 2)}};
    auto picked = pick_trials(file, {});
    REQUIRE(picked.size() == 2);
    CHECK(picked[0].number == 2);
    CHECK(picked[1].number == 3);
    picked = pick_trials(file, {"cccccc", "1"});
    CHECK(picked[0].number == 3);
    CHECK(picked[1].number == 1);
    CHECK_THROWS_AS(pick_trials(file, {"9"}), UsageError);
    CHECK_THROWS_AS(pick_trials(file, {"1"}), UsageError); // one trial is no comparison
    CHECK_THROWS_AS(pick_trials(TrialFile{}, {}), UsageError);
}

TEST_CASE("a comparison shows each trial's ratio to the first") {
    std::ostringstream out;
    print_comparison(out, {{1, record("aaaaaa", 4)}, {2, record("bbbbbb", 8)}});
    const std::string text = out.str();
    CHECK(text.find("#1 aaaaaa") != std::string::npos);
    CHECK(text.find("#2 bbbbbb") != std::string::npos);
    CHECK(text.find("8.00 (2.00x)") != std::string::npos); // the lock rate doubled
}

TEST_CASE("the mix names locks, claims, messages and pushes with weights, and refuses the rest") {
    const BenchMix mix = parse_bench_mix("messages=2,locks=4,pushes=1");
    CHECK(mix.locks == 4);
    CHECK(mix.claims == 0);
    CHECK(mix.messages == 2);
    CHECK(mix.pushes == 1);
    CHECK(bench_mix_text(mix) == "locks=4,claims=0,messages=2,pushes=1");
    CHECK_THROWS_AS(parse_bench_mix("locks=0"), UsageError);
    CHECK_THROWS_AS(parse_bench_mix("locks=101"), UsageError);
    CHECK_THROWS_AS(parse_bench_mix("locks"), UsageError);
    CHECK_THROWS_AS(parse_bench_mix("locks=1,locks=2"), UsageError);
    CHECK_THROWS_AS(parse_bench_mix("deploys=1"), UsageError);
    CHECK_THROWS_WITH(parse_bench_mix("locks=x"), Catch::Contains("a weight from 0 to 100"));
}

TEST_CASE("a write's event is matched on every listener and what never comes is missing") {
    FanoutTracker tracker(2);
    const auto sent = FanoutTracker::Clock::now();
    tracker.expect(bench_write_key(BenchOp::message, "hi"), BenchOp::message, sent);
    tracker.expect(bench_write_key(BenchOp::lock, "a/b"), BenchOp::lock, sent);
    const nlohmann::json message = {{"type", "chat.message"}, {"data", {{"text", "hi"}}}};
    const nlohmann::json lock = {{"type", "lock.acquired"}, {"data", {{"paths", {"a/b"}}}}};
    const nlohmann::json other = {{"type", "chat.message"}, {"data", {{"text", "else"}}}};
    tracker.seen(message, sent + std::chrono::milliseconds(3));
    tracker.seen(message, sent + std::chrono::milliseconds(5));
    tracker.seen(other, sent);
    tracker.seen(lock, sent + std::chrono::milliseconds(1));
    CHECK_FALSE(tracker.drain(std::chrono::milliseconds(1))); // one listener never had the lock
    CHECK(tracker.delays(BenchOp::message).count() == 2);
    CHECK(tracker.delays(BenchOp::message).max_ms() == Approx(5));
    CHECK(tracker.missing(BenchOp::message) == 0);
    CHECK(tracker.delays(BenchOp::lock).count() == 1);
    CHECK(tracker.missing(BenchOp::lock) == 1);
    CHECK(bench_event_key({{"type", "task.claimed"}, {"data", {{"id", "t3"}}}}) ==
          bench_write_key(BenchOp::claim, "t3"));
    CHECK(bench_event_key({{"type", "sync.pushed"}, {"data", {{"new", "ab12"}}}}) ==
          bench_write_key(BenchOp::push, "ab12"));
    CHECK(bench_event_key({{"type", "lock.acquired"}, {"data", {{"paths", {"a", "b"}}}}}).empty());
}
