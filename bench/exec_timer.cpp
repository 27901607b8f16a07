// knot_bench_exec: runs a command N times with posix_spawnp (output to /dev/null) and prints
// the median, 90th percentile and minimum of its wall time in milliseconds.
#include "libknot/base/latency.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <iomanip>
#include <iostream>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <vector>

extern char** environ;

namespace {

using clock_type = std::chrono::steady_clock;

struct Outcome {
    double milliseconds = 0;
    int exit_code = -1;
};

// Spawns `argv` (a null-terminated array) with stdin and output on /dev/null and waits for it.
// Throws std::runtime_error when it cannot be spawned.
Outcome time_one_run(const std::vector<char*>& argv) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const auto start = clock_type::now();
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw std::runtime_error(std::string("cannot run ") + argv[0] + ": " + std::strerror(rc));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
    const std::chrono::duration<double, std::milli> took = clock_type::now() - start;
    Outcome outcome;
    outcome.milliseconds = took.count();
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return outcome;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Time N runs of a command; prints 'median p90 min' in milliseconds",
                 "knot_bench_exec"};
    int runs = 200;
    int warmup = 3;
    std::vector<std::string> command;
    app.add_option("-n,--runs", runs, "Timed runs")->check(CLI::Range(1, 100000));
    app.add_option("--warmup", warmup, "Untimed runs first")->check(CLI::Range(0, 1000));
    app.add_option("command", command, "The command and its arguments (after --)")->required();
    CLI11_PARSE(app, argc, argv);

    std::vector<char*> spawn_argv;
    for (auto& word : command)
        spawn_argv.push_back(word.data());
    spawn_argv.push_back(nullptr);
    try {
        std::vector<double> times;
        times.reserve(static_cast<std::size_t>(runs));
        for (int i = 0; i < warmup + runs; ++i) {
            const Outcome outcome = time_one_run(spawn_argv);
            if (outcome.exit_code != 0) {
                std::cerr << "knot_bench_exec: '" << command.front() << "' exited with "
                          << outcome.exit_code << '\n';
                return 1;
            }
            if (i >= warmup)
                times.push_back(outcome.milliseconds);
        }
        std::sort(times.begin(), times.end());
        std::cout << std::fixed << std::setprecision(3) << knot::percentile(times, 50) << ' '
                  << knot::percentile(times, 90) << ' ' << times.front() << '\n';
    } catch (const std::exception& e) {
        std::cerr << "knot_bench_exec: error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
