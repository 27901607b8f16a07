// git knot plan: add tasks to the room's board, from arguments, a file or standard input, or
// from a goal that the agent's local AI (knot.planner) splits into tasks.
#include "command.hpp"
#include "git-knot/ai_command.hpp"
#include "git-knot/plan_answer.hpp"
#include "git-knot/plan_prompt.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/session.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_repo.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace knot::cli {
namespace {

void read_titles(std::istream& in, std::vector<ProposedTask>& tasks) {
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        const auto start = line.find_first_not_of(" \t-*");
        if (start == std::string::npos || line[start] == '#')
            continue;
        tasks.push_back({line.substr(start), {}});
    }
}

// The repository's files and the board's unfinished tasks, for the planner's prompt. A relay
// agent has no clone: its planner sees the tasks only.
PlanMaterial material_of(Session& session) {
    PlanMaterial material;
    const GitResult listed = session.relay()
                                 ? GitResult{0, "", ""}
                                 : run_git({"ls-files", "-z"}, session.clone().repo().workdir());
    for (std::size_t at = 0; at < listed.out.size();) {
        const std::size_t end = std::min(listed.out.find('\0', at), listed.out.size());
        material.files.push_back(listed.out.substr(at, end - at));
        at = end + 1;
    }
    for (const auto& task : wire::FieldReader(session.client().get("/tasks"), "tasks answer")
                                .objects<wire::Task>("tasks"))
        if (task.status != "done")
            material.open_tasks.push_back({task.title, task.files});
    return material;
}

// Runs the planner with the prompt for `goal`; its tasks, or knot::Refused saying why there are
// none (it failed, hung or answered no plan), or nothing when Ctrl-C (or SIGTERM, SIGHUP)
// stopped it, which was said.
std::optional<std::vector<ProposedTask>> ask_planner(const std::string& planner,
                                                     const std::string& goal,
                                                     const PlanMaterial& material, int timeout) {
    std::cerr << "asking the planner (" << terminal_text(planner) << ") to split the goal...\n"
              << std::flush;
    const AiRun run =
        run_ai_command(planner, plan_prompt(goal, material), std::chrono::seconds(timeout));
    const std::string who = "the planner (" + planner + ")";
    if (run.stopped) {
        std::cerr << "git-knot: " << terminal_text(who) << " was stopped by a signal; "
                  << "no task was added\n";
        return std::nullopt;
    }
    if (run.timed_out)
        throw Refused(who + " did not answer within " + std::to_string(timeout) +
                      " s and was stopped (--timeout); no task was added");
    if (run.exit_code != 0)
        throw Refused(who + " failed (exit " + std::to_string(run.exit_code) +
                      "); no task was added");
    try {
        return read_plan_answer(run.output);
    } catch (const PlanAnswerError& e) {
        throw Refused(std::string(e.what()) + "; no task was added");
    }
}

void show(const std::vector<ProposedTask>& tasks, const std::string& goal, std::ostream& out) {
    out << (goal.empty() ? std::string("tasks to add:") : "tasks for '" + goal + "':") << '\n';
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        out << "  " << i + 1 << ". " << terminal_text(tasks[i].title) << '\n';
        for (std::size_t f = 0; f < tasks[i].files.size(); ++f)
            out << (f == 0 ? "     files: " : ", ") << terminal_text(tasks[i].files[f]);
        if (!tasks[i].files.empty())
            out << '\n';
    }
}

bool confirmed(std::size_t count) {
    std::cerr << "add " << count << (count == 1 ? " task" : " tasks") << " to the board? [y/N] "
              << std::flush;
    std::string line;
    std::getline(std::cin, line);
    return line == "y" || line == "Y" || line == "yes";
}

// The request body: "titles" when no task names files, which every server takes, else "tasks"
// (always "tasks" with `Shape::tasks`, as --dry-run --json prints it).
enum class Shape { fewest, tasks };
nlohmann::json plan_body(const std::vector<ProposedTask>& tasks, const std::string& goal,
                         Shape shape) {
    nlohmann::json body = nlohmann::json::object();
    const bool files =
        shape == Shape::tasks || std::any_of(tasks.begin(), tasks.end(),
                                             [](const auto& task) { return !task.files.empty(); });
    for (const ProposedTask& task : tasks) {
        if (files)
            body["tasks"].push_back({{"title", task.title}, {"files", task.files}});
        else
            body["titles"].push_back(task.title);
    }
    if (!goal.empty())
        body["goal"] = goal;
    return body;
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string goal;
    std::vector<std::string> titles;
    std::vector<std::string> files;
    std::string file;
    bool json = false;
    bool yes = false;
    bool dry_run = false;
    int timeout = 300;
    app.add_option("goal", goal,
                   "The goal: recorded with the tasks; alone, knot.planner splits it into tasks");
    app.add_option("--task,-t", titles, "A task title (repeatable)")->option_text("title");
    app.add_option("--files", files, "With one -t: the files it will touch, comma-separated")
        ->option_text("paths")
        ->delimiter(',');
    app.add_option("--file,-f", file, "Read task titles from a file, one a line ('-': stdin)")
        ->option_text("file");
    app.add_flag("--yes,-y", yes, "Add the planner's tasks without asking");
    app.add_flag("--dry-run", dry_run, "Only show the tasks; add nothing");
    app.add_option("--timeout", timeout, "Seconds the planner may take (default 300)")
        ->option_text("seconds")
        ->check(at_least(1));
    app.add_flag("--json", json, "Print the created tasks as JSON");
    if (!parse_args(app, args))
        return 0;
    std::vector<ProposedTask> tasks;
    for (const std::string& title : titles)
        tasks.push_back({title, {}});
    if (file == "-") {
        read_titles(std::cin, tasks);
    } else if (!file.empty()) {
        std::ifstream in(file);
        if (!in)
            throw Error("cannot read " + file);
        read_titles(in, tasks);
    } else if (tasks.empty() && !::isatty(0)) {
        read_titles(std::cin, tasks);
    }
    // Checked here as the server would, so that a planner is not run for a plan it refuses.
    if (std::count_if(goal.begin(), goal.end(), [](char c) { return (c & 0xc0) != 0x80; }) >
            static_cast<std::ptrdiff_t>(k_max_task_goal_chars) ||
        std::any_of(goal.begin(), goal.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
        throw UsageError("the goal must be one line of at most " +
                         std::to_string(k_max_task_goal_chars) +
                         " characters (the tasks are recorded with it)");
    if (!files.empty()) {
        if (titles.size() != 1 || tasks.size() != 1)
            throw UsageError("--files names the files of one task: give exactly one -t with it");
        tasks.front().files = repo_paths(files);
    }
    const bool planned = tasks.empty() && !goal.empty();
    if (tasks.empty() && !planned)
        throw UsageError("no tasks given: pass a goal for knot.planner to split, titles with -t, "
                         "a file with -f, or lines on stdin");
    std::optional<std::string> planner;
    if (planned) {
        // In a clone, git's whole config; outside one (a relay agent), the user's own.
        const auto repo = GitRepo::discover_if_any(std::filesystem::current_path());
        planner = repo ? repo->config_get_any("knot.planner") : user_config_get("knot.planner");
        if (!planner || planner->empty())
            throw UsageError("no planner: set the command that plans with your local AI, e.g. "
                             "git config knot.planner 'claude -p' (or 'codex exec', "
                             "'ollama run <model>'); it gets the prompt on standard input. "
                             "Nothing was added (-t, -f or lines on stdin add tasks without it)");
        if (!yes && !dry_run && !::isatty(0))
            throw UsageError("the planner's tasks are added after a confirmation on a terminal, "
                             "and standard input is not one: pass --yes to add them without "
                             "asking, or --dry-run to only show them; nothing was added");
    }
    Session session({.outbox = OutboxOnOpen::deliver});
    if (planned) {
        auto proposed = ask_planner(*planner, goal, material_of(session), timeout);
        if (!proposed)
            return 130; // interrupted, as git knot check is
        tasks = std::move(*proposed);
    }
    if (planned || dry_run)
        show(tasks, goal, json ? std::cerr : std::cout);
    if (dry_run) {
        std::cerr << "dry run: nothing was added\n";
        if (json)
            std::cout << plan_body(tasks, goal, Shape::tasks).dump(2) << '\n';
        return 0;
    }
    if (planned && !yes && !confirmed(tasks.size())) {
        std::cerr << "nothing was added\n";
        return 1;
    }
    const nlohmann::json answer =
        session.client().post("/tasks", plan_body(tasks, goal, Shape::fewest));
    if (json) {
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    for (const auto& task : wire::FieldReader(answer, "tasks answer").objects<wire::Task>("tasks"))
        std::cout << "planned  " << task.id << "  " << task.title << '\n';
    return 0;
}

const Registration registration{
    {"plan", "Add tasks to the board, or have knot.planner split a goal into tasks", run}};

} // namespace

} // namespace knot::cli
