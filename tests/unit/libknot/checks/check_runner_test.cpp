// Tests of libknot/checks/check_runner.cpp: verdicts, summaries and the log, the time and output
// limits (the whole process group is killed), background processes, and the scrubbed environment.
#include "libknot/base/error.hpp"
#include "libknot/checks/check_runner.hpp"
#include "tests/support/signal_state.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

using namespace knot;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A generous bound for runs that must end long before their commands would: not a benchmark.
constexpr auto k_prompt = 30s;

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

CheckPlan plan_of(const std::vector<std::string>& commands) {
    CheckPlan plan{"knot.check", {}};
    for (std::size_t i = 0; i < commands.size(); ++i)
        plan.commands.push_back({"step " + std::to_string(i + 1), commands[i]});
    return plan;
}

// A working directory, an environment, a log path and limits for one run.
struct Run {
    test::TempDir dir;
    test::TempDir state;
    std::map<std::string, std::string> environment =
        scrubbed_environment(state.path() / "home", state.path() / "tmp", state.path() / "build");
    CheckLimits limits;
    fs::path log = state.path() / "logs" / "run" / "check.log";

    CheckOutcome operator()(const std::vector<std::string>& commands) {
        return run_checks(plan_of(commands), dir.path(), environment, limits, log);
    }
    std::string log_text() const { return read(log); }
};

} // namespace

TEST_CASE("a plan whose commands all exit 0 passes and logs each command and the verdict") {
    Run run;
    const auto outcome = run({"echo one", "echo two >&2; true"});
    CHECK(outcome.verdict == CheckVerdict::pass);
    CHECK(outcome.exit_code == 0);
    CHECK(outcome.command_name.empty());
    CHECK(outcome.summary == "all 2 commands passed");
    const std::string expected =
        "$ echo one\none\n$ echo two >&2; true\ntwo\nknot: pass: all 2 commands passed\n";
    CHECK(run.log_text() == expected);
    CHECK(outcome.tail == expected);
}

TEST_CASE("commands run in the given directory with stdin from /dev/null") {
    Run run;
    std::ofstream(run.dir.path() / "marker.txt") << "here\n";
    const auto outcome = run({"cat marker.txt", "cat; echo end-of-input"});
    CHECK(outcome.verdict == CheckVerdict::pass);
    CHECK(run.log_text().find("here\n$ cat; echo end-of-input\nend-of-input\n") !=
          std::string::npos);
}

TEST_CASE("a failing command stops the plan and is named in the outcome") {
    Run run;
    const auto outcome = run({"true", "echo failing; exit 3", "echo never-run"});
    CHECK(outcome.verdict == CheckVerdict::fail);
    CHECK(outcome.exit_code == 3);
    CHECK(outcome.command_name == "step 2");
    CHECK(outcome.summary == "`echo failing; exit 3` exited with 3");
    const auto log = run.log_text();
    CHECK(log.find("$ echo failing; exit 3\nfailing\n") != std::string::npos);
    CHECK(log.find("never-run") == std::string::npos);
    CHECK(log.ends_with("knot: fail: `echo failing; exit 3` exited with 3\n"));
}

TEST_CASE("a command killed by a signal fails with 128 plus the signal's number") {
    Run run;
    const auto outcome = run({"kill -USR1 $$"});
    CHECK(outcome.verdict == CheckVerdict::fail);
    CHECK(outcome.exit_code == 128 + SIGUSR1);
    CHECK(outcome.summary == "`kill -USR1 $$` was killed by SIGUSR1");
}

TEST_CASE("an empty plan passes with nothing to run") {
    Run run;
    const auto outcome =
        run_checks({"none", {}}, run.dir.path(), run.environment, run.limits, run.log);
    CHECK(outcome.verdict == CheckVerdict::pass);
    CHECK(outcome.summary == "no checks to run");
    CHECK(run.log_text() == "knot: pass: no checks to run\n");
}

TEST_CASE("a missing directory is an error, not an exception") {
    Run run;
    const fs::path missing = run.dir.path() / "gone";
    const auto outcome =
        run_checks(plan_of({"true"}), missing, run.environment, run.limits, run.log);
    CHECK(outcome.verdict == CheckVerdict::error);
    CHECK(outcome.command_name == "step 1");
    CHECK(outcome.summary == "cannot run in " + missing.string() + ": No such file or directory");
    CHECK(run.log_text() == "knot: error: " + outcome.summary + "\n");
}

TEST_CASE("a hanging command is killed at the time limit") {
    Run run;
    run.limits.time_limit = 1s;
    const auto outcome = run({"echo started; sleep 600", "echo never-run"});
    CHECK(outcome.verdict == CheckVerdict::timed_out);
    CHECK(outcome.duration >= 1s);
    CHECK(outcome.duration < k_prompt);
    CHECK(outcome.command_name == "step 1");
    CHECK(outcome.exit_code == 128 + SIGTERM);
    CHECK(outcome.summary ==
          "timed out after 1 s (limit) in `echo started; sleep 600`; process group killed");
    CHECK(run.log_text().find("never-run") == std::string::npos);
}

TEST_CASE("a command that ignores SIGTERM is killed with SIGKILL after a grace") {
    Run run;
    run.limits.time_limit = 1s;
    const auto outcome = run({"trap '' TERM; sleep 600; echo survived"});
    CHECK(outcome.verdict == CheckVerdict::timed_out);
    CHECK(outcome.duration < k_prompt);
    CHECK(outcome.exit_code == 128 + SIGKILL);
    CHECK(run.log_text().find("\nsurvived\n") == std::string::npos);
}

TEST_CASE("a background process holding the output does not keep the run alive") {
    Run run;
    const auto outcome = run({"sleep 600 & echo left-behind; exit 0", "echo next"});
    CHECK(outcome.verdict == CheckVerdict::pass);
    CHECK(outcome.duration < k_prompt);
    CHECK(run.log_text().find("left-behind\n$ echo next\nnext\n") != std::string::npos);
}

TEST_CASE("a process that leaves the group stops holding the run after a short drain") {
    Run run;
    const fs::path pid_file = run.dir.path() / "escaped.pid";
    const auto outcome = run({"setsid sh -c 'echo $$ > escaped.pid; exec sleep 600' & "
                              "while [ ! -s escaped.pid ]; do :; done; echo parent-done"});
    CHECK(outcome.verdict == CheckVerdict::pass);
    CHECK(outcome.duration < k_prompt);
    CHECK(run.log_text().find("parent-done") != std::string::npos);
    const int escaped = std::stoi(read(pid_file));
    ::kill(escaped, SIGKILL);
}

TEST_CASE("a run is cancelled when its cancel flag is set, its group killed") {
    Run run;
    std::atomic<bool> cancel{false};
    run.limits.cancel = &cancel;
    const auto outcome =
        run_checks(plan_of({"echo started; sleep 600", "echo never-run"}), run.dir.path(),
                   run.environment, run.limits, run.log, [&](std::string_view bytes) {
                       if (bytes.find("started") != std::string_view::npos)
                           cancel = true;
                   });
    CHECK(outcome.verdict == CheckVerdict::cancelled);
    CHECK(outcome.duration < k_prompt);
    CHECK(outcome.command_name == "step 1");
    CHECK(outcome.summary == "cancelled in `echo started; sleep 600`; process group killed");
    CHECK(run.log_text().find("never-run") == std::string::npos);
}

TEST_CASE("a run cancelled before it starts runs nothing") {
    Run run;
    std::atomic<bool> cancel{true};
    run.limits.cancel = &cancel;
    const auto outcome = run({"echo never-run"});
    CHECK(outcome.verdict == CheckVerdict::cancelled);
    CHECK(outcome.summary == "cancelled before `echo never-run` started");
    CHECK(run.log_text() == "knot: cancelled: " + outcome.summary + "\n");
}

TEST_CASE("on_start sees each command's process group, led by its shell") {
    Run run;
    std::vector<int> groups;
    run.limits.on_start = [&](int group) { groups.push_back(group); };
    const auto outcome = run({"true", "echo $$; cut -d' ' -f5 /proc/$$/stat"});
    REQUIRE(outcome.verdict == CheckVerdict::pass);
    REQUIRE(groups.size() == 2);
    const auto group = std::to_string(groups[1]);
    CHECK(run.log_text().find("\n" + group + "\n" + group + "\n") != std::string::npos);
}

TEST_CASE("a flood of output is cut at the cap and its process group killed") {
    Run run;
    run.limits.max_output_bytes = 64 << 10;
    std::string streamed;
    const auto outcome =
        run_checks(plan_of({"yes", "echo never-run"}), run.dir.path(), run.environment, run.limits,
                   run.log, [&](std::string_view bytes) { streamed += bytes; });
    CHECK(outcome.verdict == CheckVerdict::output_limit);
    CHECK(outcome.summary == "output passed 64 KiB in `yes`; process group killed");
    CHECK(outcome.duration < k_prompt);
    const auto log = run.log_text();
    CHECK(log.size() > run.limits.max_output_bytes);
    CHECK(log.size() < run.limits.max_output_bytes + 1024);
    CHECK(log.find("never-run") == std::string::npos);
    CHECK(streamed == log);
    CHECK(outcome.tail.size() <= 4096);
    CHECK(log[log.size() - outcome.tail.size() - 1] == '\n');
    CHECK(outcome.tail.find("knot: output_limit: output passed 64 KiB") != std::string::npos);
}

TEST_CASE("the tail is the end of the log, cut at the start of a line") {
    Run run;
    const auto outcome = run({"seq 1 5000"});
    REQUIRE(outcome.verdict == CheckVerdict::pass);
    CHECK(outcome.tail.size() <= 4096);
    CHECK(outcome.tail.size() > 3000);
    CHECK(outcome.tail.ends_with("4999\n5000\nknot: pass: the one command passed\n"));
    const auto log = run.log_text();
    const auto at = log.size() - outcome.tail.size();
    CHECK(log.substr(at) == outcome.tail);
    CHECK(log[at - 1] == '\n');
}

TEST_CASE("the tail replaces bytes that are not UTF-8") {
    Run run;
    const auto outcome = run({R"(printf 'caf\303\251 \377\n')"});
    CHECK(outcome.tail.find("café \xEF\xBF\xBD\n") != std::string::npos);
}

TEST_CASE("the log is truncated when it exists") {
    Run run;
    fs::create_directories(run.log.parent_path());
    std::ofstream(run.log) << std::string(10000, 'x');
    run({"echo fresh"});
    CHECK(run.log_text() == "$ echo fresh\nfresh\nknot: pass: the one command passed\n");
}

TEST_CASE("a log that cannot be written is an exception") {
    Run run;
    std::ofstream(run.dir.path() / "file") << "not a directory";
    CHECK_THROWS_AS(run_checks(plan_of({"true"}), run.dir.path(), run.environment, run.limits,
                               run.dir.path() / "file" / "check.log"),
                    Error);
}

TEST_CASE("commands see the scrubbed environment and nothing else of this process's") {
    ::setenv("KNOT_SECRET", "hunter2", 1);
    ::setenv("GIT_DIR", "/somewhere", 1);
    Run run;
    const auto outcome = run({"env"});
    ::unsetenv("KNOT_SECRET");
    ::unsetenv("GIT_DIR");
    REQUIRE(outcome.verdict == CheckVerdict::pass);
    const auto log = run.log_text();
    CHECK(log.find("KNOT_SECRET") == std::string::npos);
    CHECK(log.find("hunter2") == std::string::npos);
    CHECK(log.find("GIT_DIR") == std::string::npos);
    CHECK(log.find("\nHOME=" + (run.state.path() / "home").string() + "\n") != std::string::npos);
    CHECK(log.find("\nTMPDIR=" + (run.state.path() / "tmp").string() + "\n") != std::string::npos);
    CHECK(log.find("\nKNOT_BUILD_DIR=" + (run.state.path() / "build").string() + "\n") !=
          std::string::npos);
    CHECK(log.find("\nCI=true\n") != std::string::npos);
}

TEST_CASE("the scrubbed environment creates HOME and TMPDIR and keeps a PATH") {
    test::TempDir state;
    const auto environment =
        scrubbed_environment(state.path() / "h", state.path() / "t", state.path() / "b");
    CHECK(fs::is_directory(state.path() / "h"));
    CHECK(fs::is_directory(state.path() / "t"));
    CHECK(environment.size() == 7);
    CHECK(environment.at("LANG") == "C.UTF-8");
    CHECK(environment.at("TERM") == "dumb");
    CHECK(environment.at("PATH") == std::getenv("PATH"));

    const std::string saved = std::getenv("PATH");
    ::unsetenv("PATH");
    const auto defaulted =
        scrubbed_environment(state.path() / "h", state.path() / "t", state.path() / "b");
    ::setenv("PATH", saved.c_str(), 1);
    CHECK(defaulted.at("PATH") == "/usr/local/bin:/usr/bin:/bin");
}

TEST_CASE("several plans can run at once from different threads") {
    std::vector<Run> runs(4);
    std::vector<CheckOutcome> outcomes(runs.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < runs.size(); ++i)
        threads.emplace_back([&, i] {
            outcomes[i] = runs[i]({"echo run " + std::to_string(i), "exit " + std::to_string(i)});
        });
    for (auto& thread : threads)
        thread.join();
    for (std::size_t i = 0; i < runs.size(); ++i) {
        CHECK(outcomes[i].exit_code == static_cast<int>(i));
        CHECK(runs[i].log_text().starts_with("$ echo run " + std::to_string(i) + "\nrun " +
                                             std::to_string(i) + "\n"));
    }
}

TEST_CASE("verdicts have their protocol names") {
    CHECK(verdict_name(CheckVerdict::pass) == "pass");
    CHECK(verdict_name(CheckVerdict::fail) == "fail");
    CHECK(verdict_name(CheckVerdict::timed_out) == "timed_out");
    CHECK(verdict_name(CheckVerdict::output_limit) == "output_limit");
    CHECK(verdict_name(CheckVerdict::error) == "error");
    CHECK(verdict_name(CheckVerdict::cancelled) == "cancelled");
}

TEST_CASE("a confined command runs inside its wrapper, under its resource limits") {
    Run run;
    CheckConfinement confinement;
    confinement.wrapper = {"/usr/bin/env", "KNOT_WRAPPED=yes"};
    confinement.max_memory_bytes = 1ull << 30;
    confinement.max_file_bytes = 1ull << 20;
    confinement.max_cpu_seconds = 100;
    confinement.description = "confined for a test";
    run.limits.confinement = confinement;
    const auto outcome =
        run({"echo \"wrapped=$KNOT_WRAPPED as=$(ulimit -v) fsize=$(ulimit -f) cpu=$(ulimit -t)\""});
    CHECK(outcome.verdict == CheckVerdict::pass);
    // dash reports address space in KiB and file size in 512-byte blocks.
    CHECK(run.log_text().find("wrapped=yes as=1048576 fsize=2048 cpu=100\n") != std::string::npos);
    CHECK(run.log_text().starts_with("knot: confined for a test\n$ echo"));
}

TEST_CASE("a confined command writing past its file size limit fails naming the limit") {
    Run run;
    CheckConfinement confinement;
    confinement.wrapper = {"/usr/bin/env"};
    confinement.max_file_bytes = 1u << 20;
    run.limits.confinement = confinement;
    const auto outcome = run({"head -c 2000000 /dev/zero > big"});
    CHECK(outcome.verdict == CheckVerdict::fail);
    CHECK(outcome.summary.find("killed by SIGXFSZ: over the sandbox's file size limit (1 MiB") !=
          std::string::npos);
    CHECK(fs::file_size(run.dir.path() / "big") == (1u << 20));
}

TEST_CASE("a wrapper's exit status 128+N reads as the command killed by signal N") {
    Run run;
    CheckConfinement confinement;
    confinement.wrapper = {"/usr/bin/env"};
    confinement.max_cpu_seconds = 60;
    run.limits.confinement = confinement;
    const auto outcome = run({"exit 152"}); // how bwrap reports its command's SIGXCPU
    CHECK(outcome.verdict == CheckVerdict::fail);
    CHECK(outcome.exit_code == 152);
    CHECK(outcome.summary ==
          "`exit 152` was killed by SIGXCPU: over the sandbox's CPU time limit (60 s per process)");
}

TEST_CASE(
    "a wrapper that cannot start is an error that names the directory as the command sees it") {
    Run run;
    CheckConfinement confinement;
    confinement.wrapper = {"/nonexistent/bwrap"};
    confinement.shown_dir = "/knot/tree";
    run.limits.confinement = confinement;
    const auto outcome = run({"true"});
    CHECK(outcome.verdict == CheckVerdict::error);
    CHECK(outcome.summary.find("cannot start /nonexistent/bwrap for `true` in /knot/tree") == 0);
    CHECK(outcome.summary.find(run.dir.path().string()) == std::string::npos);
}

TEST_CASE("a command starts with no signal blocked or ignored even when the server blocks them") {
    test::BlockedSignals blocked;
    Run run;
    const auto outcome = run({test::k_print_signal_state});
    CHECK(outcome.verdict == CheckVerdict::pass);
    CHECK(run.log_text().find(std::string("\n") + test::k_clean_signal_state) != std::string::npos);
}
