// git knot check: the integration pipeline run here, now: HEAD merged onto the room's
// refs/knot/integration (fetched first) and checked in a scratch tree, or with --here the work
// tree as it is; --history and --log read the room's integration runs; --configure sends this
// clone's check settings to the room.
#include "command.hpp"
#include "git-knot/check_candidate.hpp"
#include "git-knot/check_report.hpp"
#include "libknot/base/error.hpp"
#include "libknot/checks/check_config.hpp"
#include "libknot/checks/check_runner.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/git/git_repo.hpp"
#include "libknot/git/merge_preview.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/refs.hpp"
#include "libknot/protocol/wire_integration.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

namespace knot::cli {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};

void interrupt(int) {
    g_interrupted = true;
}

// Ctrl-C reaches git-knot only (each check runs in a process group of its own): the handler asks
// run_checks to kill the running group, and the command then exits 130.
struct InterruptGuard {
    struct sigaction old_int {};
    struct sigaction old_term {};
    struct sigaction old_hup {};
    InterruptGuard() {
        struct sigaction action {};
        action.sa_handler = interrupt;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &old_int);
        sigaction(SIGTERM, &action, &old_term);
        sigaction(SIGHUP, &action, &old_hup);
    }
    ~InterruptGuard() {
        sigaction(SIGINT, &old_int, nullptr);
        sigaction(SIGTERM, &old_term, nullptr);
        sigaction(SIGHUP, &old_hup, nullptr);
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;
};

std::string short_oid(const std::string& oid) {
    return oid.substr(0, 7);
}

// "850 ms", "12.3 s", "4 min 05 s".
std::string duration_text(long long ms) {
    if (ms < 1000)
        return std::to_string(ms) + " ms";
    if (ms < 60000)
        return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
    const long long seconds = ms / 1000;
    const std::string rest = std::to_string(seconds % 60);
    return std::to_string(seconds / 60) + " min " + (rest.size() < 2 ? "0" : "") + rest + " s";
}

std::string padded(std::string text, std::size_t width) {
    if (text.size() < width)
        text.resize(width, ' ');
    return text;
}

// A path relative to the current directory when it is inside it, as people typed it.
std::string shown_path(const fs::path& path) {
    std::error_code ec;
    const fs::path relative = fs::relative(path, fs::current_path(), ec);
    if (ec || relative.empty() || *relative.begin() == "..")
        return path.string();
    return relative.string();
}

// Where the checks run with which environment: the user's own HOME (caches and credentials of
// the tools work as they do by hand), the usual temporary directory, and `build`, a build
// directory that persists between runs (one per tree checked: a build directory remembers its
// sources).
std::map<std::string, std::string> local_environment(const GitRepo& repo, const fs::path& build) {
    const char* home = std::getenv("HOME");
    const fs::path home_dir =
        home && fs::path(home).is_absolute() ? fs::path(home) : repo.git_dir() / "knot/check-home";
    std::error_code ec;
    fs::path tmp = fs::temp_directory_path(ec);
    if (ec)
        tmp = "/tmp";
    return scrubbed_environment(home_dir, tmp, build);
}

// Where and how a check runs, and the words that say so.
struct CheckTarget {
    fs::path tree;                          // the checks' working directory
    std::map<std::string, std::string> env; // their environment
    std::string where;                      // for the checks line: "in the work tree"
    std::string verdict_prefix;             // for the verdict: "in the work tree (--here)"
};

// Runs `config`'s plan in `target` and reports it (into `report` for --json, else as text).
int run_and_report(const CheckConfig& config, const CheckTarget& target, nlohmann::json report,
                   const fs::path& log_path, bool json, bool quiet) {
    // With --json the report owns standard output; the checks' output goes to standard error.
    std::ostream& live = json ? std::cerr : std::cout;
    const CheckPlan plan = plan_configured_checks(config, target.tree);
    std::vector<std::string> names;
    for (const auto& command : plan.commands)
        names.push_back(command.name);
    if (!json)
        std::cout << "checks  " << plan.source << ": "
                  << (names.empty() ? std::string("nothing to run")
                                    : std::to_string(names.size()) +
                                          (names.size() == 1 ? " command" : " commands"))
                  << ", " << target.where << '\n';
    std::cout.flush();

    CheckLimits limits;
    limits.time_limit =
        std::chrono::seconds(config.timeout_seconds.value_or(k_default_check_timeout));
    limits.cancel = &g_interrupted;
    std::function<void(std::string_view)> on_output;
    if (!quiet)
        on_output = [&live](std::string_view bytes) { live << bytes << std::flush; };
    CheckOutcome outcome;
    {
        InterruptGuard guard;
        outcome = run_checks(plan, target.tree, target.env, limits, log_path, on_output);
    }
    const bool passed = outcome.verdict == CheckVerdict::pass;
    report["verdict"] = passed ? "pass" : "fail";
    report["checks"] = {
        {"source", plan.source},
        {"commands", names},
        {"verdict", verdict_name(outcome.verdict)},
        {"summary", outcome.summary},
        {"duration_ms", outcome.duration.count()},
        {"exit_code", outcome.exit_code},
        {"command", passed ? nlohmann::json(nullptr) : nlohmann::json(outcome.command_name)}};
    report["log"] = log_path.string();
    if (json) {
        std::cout << report.dump(2) << '\n';
    } else if (passed) {
        std::cout << "\u2713 check passed " << target.verdict_prefix << ": " << outcome.summary
                  << " (" << duration_text(outcome.duration.count()) << ")\n";
    } else {
        std::cout << (outcome.verdict == CheckVerdict::cancelled ? "\u2717 check interrupted "
                                                                 : "\u2717 check failed ")
                  << target.verdict_prefix << ": " << outcome.summary << "; log "
                  << shown_path(log_path) << '\n';
    }
    if (outcome.verdict == CheckVerdict::cancelled)
        return 130;
    return passed ? 0 : 1;
}

// A conflict ends the check before any command runs, as the room would end its run.
int refuse_conflict(nlohmann::json report, bool json) {
    report["verdict"] = "fail";
    if (json)
        std::cout << report.dump(2) << '\n';
    else
        std::cout << "\u2717 check failed: HEAD does not merge onto " << k_integration_ref
                  << " (the room would refuse it); merge it (git merge " << k_integration_ref
                  << "), then check again\n";
    return 1;
}

// --here: the checks in the work tree as it is, with a merge preview onto this clone's copy of
// the integration ref (not fetched).
int check_here(bool json, bool quiet) {
    const GitRepo repo = GitRepo::discover(fs::current_path());
    const fs::path workdir = repo.workdir();
    const CheckConfig config = read_check_config(workdir);
    const MergePreview merge = preview_merge(workdir);
    nlohmann::json report = {{"target", "here"},     {"fetch", nullptr},
                             {"candidate", nullptr}, {"merge", merge_json(merge)},
                             {"checks", nullptr},    {"log", nullptr}};
    if (!json)
        std::cout << "here    the work tree as it is, uncommitted changes included; not the merge "
                     "the room checks\n"
                  << merge_line(merge, MergeUse::preview);
    if (merge.state == MergePreview::State::conflict)
        return refuse_conflict(report, json);
    const CheckTarget target{workdir, local_environment(repo, repo.git_dir() / "knot/check-build"),
                             "in the work tree", "in the work tree (--here)"};
    return run_and_report(config, target, report, repo.git_dir() / "knot/checks/last.log", json,
                          quiet);
}

// The default: HEAD merged onto the room's integration ref, fetched first, checked in this
// worktree's scratch tree.
int check_merge(bool json, bool quiet) {
    const GitRepo repo = GitRepo::discover(fs::current_path());
    const fs::path workdir = repo.workdir();
    const CheckConfig config = read_check_config(workdir);
    const ScratchLock lock(repo);
    const IntegrationFetch fetch = fetch_integration(repo);
    const MergePreview merge = preview_merge(workdir);
    nlohmann::json report = {{"target", "merge"},    {"fetch", fetch_json(fetch)},
                             {"candidate", nullptr}, {"merge", merge_json(merge)},
                             {"checks", nullptr},    {"log", nullptr}};
    if (!json)
        std::cout << fetch_line(fetch, merge) << merge_line(merge, MergeUse::checked);
    if (merge.state == MergePreview::State::conflict)
        return refuse_conflict(report, json);
    const std::string candidate = candidate_commit(workdir, merge);
    report["candidate"] = candidate;
    if (!json && has_uncommitted_changes(workdir))
        std::cout << "note    uncommitted changes are not part of it (git knot check --here checks "
                     "the work tree)\n";
    const ScratchTree scratch = local_scratch_tree(repo);
    scratch.check_out(candidate);
    const CheckTarget target{scratch.tree(), local_environment(repo, scratch.build()),
                             "in " + shown_path(scratch.tree()), checked_text(merge)};
    return run_and_report(config, target, report, repo.git_dir() / "knot/checks/last.log", json,
                          quiet);
}

// The room's check settings for people: a "checks" line and a "time" line.
std::string settings_text(const wire::Settings& settings) {
    std::string text = "checks  ";
    if (!settings.checks) {
        text += "from each pushed tree: .knot/checks, else detected";
    } else if (settings.checks->empty()) {
        text += "none (merge only)";
    } else {
        for (std::size_t i = 0; i < settings.checks->size(); ++i)
            text += (i ? "; " : "") + (*settings.checks)[i];
    }
    return text + "\ntime    " + std::to_string(settings.time_limit) + " s limit per run\n";
}

int configure(bool json) {
    Session session;
    const CheckConfig config = read_check_config(session.clone().repo().workdir());
    const wire::Settings settings = send_check_settings(session, config);
    if (json)
        std::cout << nlohmann::json(settings).dump(2) << '\n';
    else
        std::cout << "room " << session.room().room << " check settings:\n"
                  << settings_text(settings);
    return 0;
}

int history(int count, bool json) {
    Session session;
    const nlohmann::json answer =
        session.client().get("/integration?limit=" + std::to_string(count));
    if (json) {
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    const auto state = answer.get<wire::Integration>();
    std::cout << k_integration_ref << "  "
              << (state.integration ? short_oid(*state.integration) : std::string("(none yet)"))
              << '\n';
    const std::vector<wire::Run>& runs = state.runs;
    if (runs.empty()) {
        std::cout << "no integration runs yet (each push to the room makes one)\n";
        return 0;
    }
    const bool any_undone =
        std::any_of(runs.begin(), runs.end(), [](const wire::Run& run) { return run.undone; });
    AgentNames names;
    if (any_undone)
        names = agent_names_of(session.client().get("/agents"));
    // Every column but the last (the summary) as wide as its widest cell, two blanks apart.
    std::vector<std::vector<std::string>> rows = {
        {"run", "agent", "commit", "status", "time", "when", "summary"}};
    for (const auto& run : runs) {
        const long long finished = run.finished_at;
        const long long started = run.started_at;
        std::string summary = run.summary;
        if (run.undone) {
            const std::string& by = run.undone_by;
            summary += " (undone by " + (names.count(by) ? names[by] : by) + ")";
        }
        if (run.detail.contains("review") && run.detail["review"].is_object() &&
            run.detail["review"].contains("id")) {
            const nlohmann::json& review = run.detail["review"];
            summary +=
                "  [review " + json_text(review, "id") + ": " + json_text(review, "verdict") +
                " by " + json_text(review, "reviewer") +
                (review.contains("verified") && review["verified"] == false ? ", unverified" : "") +
                "]";
        }
        if (run.log)
            summary += "  [log]";
        rows.push_back({std::to_string(run.run), run.agent, short_oid(run.commit), run.status,
                        finished ? duration_text(run.duration_ms) : "-",
                        ago(finished  ? finished
                            : started ? started
                                      : run.queued_at),
                        summary});
    }
    std::vector<std::size_t> widths(rows.front().size() - 1, 0);
    for (const auto& row : rows)
        for (std::size_t i = 0; i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < widths.size(); ++i)
            std::cout << padded(row[i], widths[i] + 2);
        std::cout << row.back() << '\n';
    }
    std::cout << "A run's check output: git knot check --log <run>\n";
    return 0;
}

int show_log(long long run) {
    Session session;
    const RoomConfig& room = session.room();
    const std::string target =
        "/v1/rooms/" + room.room + "/integration/runs/" + std::to_string(run) + "/log";
    const HttpResponse response = session.client().http().request(
        "GET", target, {}, {{std::string(k_header_token), room.token}});
    if (response.status != 200)
        json_or_throw(response);
    std::cout << response.body;
    if (!response.body.empty() && response.body.back() != '\n')
        std::cout << '\n';
    return 0;
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool json = false;
    bool quiet = false;
    bool here = false;
    bool show_history = false;
    bool configure_room = false;
    int count = 10;
    long long log_run = 0;
    app.add_flag("--json", json, "Print JSON");
    auto* quiet_flag =
        app.add_flag("--quiet,-q", quiet, "Do not show the checks' output (the log keeps it)");
    auto* history_flag =
        app.add_flag("--history", show_history, "Show the room's last integration runs");
    app.add_option("-n", count, "How many runs --history shows (default 10)")
        ->check(CLI::Range(1, 500))
        ->needs(history_flag)
        ->option_text("count");
    auto* log_option =
        app.add_option("--log", log_run, "Print the check log of the room's integration run N")
            ->check(CLI::Range(1LL, 1LL << 53))
            ->excludes(history_flag)
            ->excludes(quiet_flag)
            ->option_text("run");
    app.add_flag("--configure", configure_room,
                 "Send knot.check and knot.checkTimeout to the room (owner only)")
        ->excludes(history_flag)
        ->excludes(log_option)
        ->excludes(quiet_flag);
    history_flag->excludes(quiet_flag);
    app.add_flag("--here", here,
                 "Check the work tree as it is (uncommitted changes included), not the merge")
        ->excludes(history_flag)
        ->excludes(log_option)
        ->excludes("--configure");
    if (!parse_args(app, args))
        return 0;
    if (log_run > 0) {
        if (json)
            throw UsageError("--log prints the log as it is; it has no --json form");
        return show_log(log_run);
    }
    if (configure_room)
        return configure(json);
    if (show_history)
        return history(count, json);
    return here ? check_here(json, quiet) : check_merge(json, quiet);
}

const Registration registration{
    {"check", "Check HEAD merged onto the room's integration; --history of its runs", run}};

} // namespace

} // namespace knot::cli
