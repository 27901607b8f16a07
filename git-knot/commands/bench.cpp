// git knot bench: a load run of simulated agents against a throwaway server or the joined room,
// recorded as a trial; --compare prints trials side by side.
#include "command.hpp"
#include "git-knot/bench_load.hpp"
#include "git-knot/bench_target.hpp"
#include "git-knot/bench_trials.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/signal_watch.hpp"
#include "libknot/client/clone.hpp"

#include <CLI/CLI.hpp>
#include <cctype>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <unistd.h>

namespace knot::cli {

namespace {

// "10s", "500ms", "2m", "1h", or a number of seconds.
std::chrono::milliseconds parse_duration(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && digits < 9 &&
           std::isdigit(static_cast<unsigned char>(text[digits])))
        ++digits;
    const std::string unit = text.substr(digits);
    const long long value = digits == 0 ? -1 : std::stoll(text.substr(0, digits));
    const long long scale = unit == "ms"                  ? 1
                            : unit == "s" || unit.empty() ? 1000
                            : unit == "m"                 ? 60'000
                            : unit == "h"                 ? 3'600'000
                                                          : -1;
    const std::chrono::milliseconds span(value * scale);
    if (value <= 0 || scale < 0 || span > k_max_bench_duration)
        throw UsageError("--duration: '" + text + "' is not a span of 1ms to 1h (10s, 500ms, " +
                         "2m, 1h)");
    return span;
}

std::string random_tag() {
    std::random_device device;
    std::ostringstream tag;
    tag << std::hex << std::setw(6) << std::setfill('0') << (device() & 0xffffff);
    return tag.str();
}

int compare(const std::filesystem::path& path, const std::vector<std::string>& names, bool json) {
    const TrialFile file = read_trials(path);
    for (const auto& problem : file.problems)
        std::cerr << "git knot bench: " << problem << '\n';
    const auto trials = pick_trials(file, names);
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& trial : trials)
            out.push_back({{"number", trial.number}, {"trial", trial.record}});
        std::cout << out.dump(2) << '\n';
        return 0;
    }
    print_comparison(std::cout, trials);
    return 0;
}

// Prints the progress line over itself on a terminal's stderr.
void show_progress(const BenchProgress& progress) {
    std::cerr << "\r\033[Kgit knot bench: " << std::fixed << std::setprecision(1)
              << progress.seconds << " s  " << progress.operations << " requests  "
              << std::setprecision(0)
              << (progress.seconds > 0 ? static_cast<double>(progress.operations) / progress.seconds
                                       : 0)
              << "/s  " << progress.errors << " errors" << std::flush;
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    BenchPlan plan;
    std::string duration_text;
    long long count = 0;
    std::string mix_text = "locks=4,claims=1,messages=2";
    bool room = false;
    std::string server_dir;
    std::string out;
    bool comparing = false;
    std::vector<std::string> names;
    bool json = false;
    bool yes = false;
    app.add_option("trials", names, "With --compare: the trials to compare (numbers or ids)");
    app.add_option("--agents", plan.agents, "Simulated agents (default 20, at most 500)")
        ->check(CLI::Range(1, k_max_bench_agents))
        ->option_text("n");
    auto* duration_option = app.add_option("--duration", duration_text,
                                           "How long the load runs (default 10s, at most 1h)")
                                ->option_text("span");
    app.add_option("--count", count, "Stop after this many operations in all")
        ->check(CLI::Range(1LL, k_max_bench_count))
        ->option_text("n");
    app.add_option("--mix", mix_text, "Operation weights (default locks=4,claims=1,messages=2)")
        ->option_text("weights");
    auto* room_flag = app.add_flag("--room", room, "Run against the room this clone has joined");
    app.add_option("--server-dir", server_dir,
                   "The throwaway server's data directory, kept (default: a temporary one)")
        ->excludes(room_flag)
        ->option_text("dir");
    app.add_option("--out", out, "The trials file (default .git/knot/bench/trials.jsonl)")
        ->option_text("file");
    app.add_flag("--compare", comparing, "Print trials side by side (default: the last two)");
    app.add_flag("--json", json, "Print the trial (or the trials compared) as JSON");
    app.add_flag("--yes", yes, "Allow --room: load a room this run does not own");
    if (!parse_args(app, args))
        return 0;
    const std::filesystem::path trials_path =
        out.empty() ? default_trials_path() : std::filesystem::path(out);
    if (comparing)
        return compare(trials_path, names, json);
    if (!names.empty())
        throw UsageError("trial names are for --compare");
    plan.mix = parse_bench_mix(mix_text);
    if (room && plan.mix.pushes > 0)
        throw UsageError("--room: pushes would stay in the room (the protocol deletes no ref) and "
                         "their commits would be integrated into its refs/knot/integration; "
                         "leave pushes out of the mix, or run against the throwaway server");
    plan.tag = random_tag();
    if (count > 0)
        plan.count = count;
    plan.duration = !duration_option->empty() ? parse_duration(duration_text)
                    : plan.count              ? std::chrono::milliseconds(k_max_bench_duration)
                                              : std::chrono::milliseconds(10'000);

    std::optional<Invite> joined;
    if (room) {
        const RoomConfig config = Clone::open().require_room();
        if (!yes)
            throw Refused("--room loads " + config.server + ", a room this run does not own: it " +
                          "would add " + std::to_string(plan.agents) + " members, and locks, " +
                          "tasks and messages there; nothing was done. Add --yes to run it");
        joined = Invite{config.server, config.room, config.token};
    }
    // Blocked before any thread starts, so a ^C ends the run cleanly: the throwaway server
    // stopped, the room's locks and tasks cleaned up, the trial recorded.
    SignalWatch signals{SIGINT, SIGTERM, SIGHUP};
    std::unique_ptr<ThrowawayServer> local;
    if (!joined)
        local = std::make_unique<ThrowawayServer>(server_dir);
    const Invite& invite = joined ? *joined : local->invite();
    const BenchConditions conditions = bench_conditions(invite, local.get());
    const bool progress = !json && ::isatty(2);
    bool stopped = false;
    const BenchResult result =
        run_bench_load(invite, plan,
                       {progress ? show_progress : std::function<void(const BenchProgress&)>{},
                        [&] { return stopped = stopped || signals.take() != 0; }});
    local.reset();
    if (progress)
        std::cerr << "\r\033[K";
    Trial trial{0, trial_record(plan.tag, plan, conditions, result)};
    trial.record["interrupted"] = stopped;
    const int number = append_trial(trials_path, trial.record);
    if (json) {
        std::cout << nlohmann::json{{"number", number},
                                    {"file", trials_path.string()},
                                    {"trial", trial.record}}
                         .dump(2)
                  << '\n';
    } else {
        print_trial(std::cout, {number, trial.record});
        if (stopped)
            std::cout << "interrupted: the figures cover the run until then\n";
        for (const auto& line : result.remains)
            std::cout << "left in the room: " << line << '\n';
        if (joined)
            std::cout << "left in the room: " << plan.agents << " members bench-" << plan.tag
                      << "-*, their messages and their done tasks (knot removes neither)\n";
        std::cout << "recorded as trial #" << number << " in " << trials_path.string() << '\n';
    }
    const auto errors = trial.record["errors"].get<std::uint64_t>();
    if (errors == 0)
        return stopped ? 130 : 0;
    std::cerr << "git knot bench: " << errors << " operations or deliveries failed"
              << (result.first_error.empty() ? "" : "; the first: " + result.first_error) << '\n';
    return 1;
}

const Registration registration{
    {"bench", "Load a throwaway server (or the room) with simulated agents; compare trials", run}};

} // namespace

} // namespace knot::cli
