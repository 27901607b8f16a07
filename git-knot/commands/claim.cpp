// git knot claim: claim a task (exactly one agent wins) and make its worktree on knot/<id>.
#include "command.hpp"
#include "git-knot/claim_overlap.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_repo.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

namespace knot::cli {

namespace fs = std::filesystem;

namespace {

// Warns on standard error when `task`'s files are locked by others or named by tasks others
// claimed. Never fails the claim: a board that cannot be read is a warning too.
void warn_of_overlaps(Session& session, const wire::Task& task) {
    if (task.files.empty())
        return;
    try {
        const auto locks = wire::FieldReader(session.client().get("/locks"), "locks answer")
                               .objects<wire::Lock>("locks");
        const auto tasks = wire::FieldReader(session.client().get("/tasks"), "tasks answer")
                               .objects<wire::Task>("tasks");
        for (const std::string& line : claim_overlaps(task, locks, tasks, session.room().agent_id))
            std::cerr << "git-knot: warning: " << task.id << ": " << line << '\n';
    } catch (const Error& e) {
        std::cerr << "git-knot: warning: " << task.id
                  << "'s files were not checked against others' locks and tasks: " << e.what()
                  << '\n';
    }
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string id;
    std::string path;
    bool no_worktree = false;
    bool json = false;
    app.add_option("id", id, "The task id (t3)")->required();
    app.add_option("--path", path, "Where to create the worktree (default: ../<repo>-<id>)")
        ->option_text("dir");
    app.add_flag("--no-worktree", no_worktree, "Only claim; create no worktree");
    app.add_flag("--json", json, "Print JSON");
    if (!parse_args(app, args))
        return 0;
    if (id.size() < 2 || id.size() > 12 || id[0] != 't' || id[1] == '0' ||
        id.find_first_not_of("0123456789", 1) != std::string::npos)
        throw UsageError("'" + id + "' is not a task id (t1, t2, ...; see git knot tasks)");
    Session session({.outbox = OutboxOnOpen::deliver});
    const nlohmann::json answer =
        session.client().post("/tasks/" + id + "/claim", nlohmann::json::object());
    const wire::Task task = wire::FieldReader(answer, "task answer").object<wire::Task>("task");
    if (session.relay()) { // it claims to hand the task on: no clone, so no worktree
        if (json)
            std::cout << answer.dump(2) << '\n';
        else
            std::cout << "claimed " << id << ": " << task.title << " (no worktree: a relay agent "
                      << "has no clone)\n";
        return 0;
    }
    const GitRepo& repo = session.clone().repo();
    const auto workdir = repo.workdir();
    const std::string branch = "knot/" + id;
    // Claiming one's own task again (an agent that lost track, or one working in the task's
    // worktree) finds the worktree that has the branch, wherever it is, and keeps the claim.
    const auto existing = no_worktree ? std::nullopt : repo.worktree_of("refs/heads/" + branch);
    if (existing && (path.empty() || fs::weakly_canonical(path) == fs::weakly_canonical(*existing)))
        path = existing->string();
    if (path.empty())
        path = (workdir.parent_path() / (workdir.filename().string() + "-" + id)).string();
    if (!no_worktree && path != (existing ? existing->string() : "")) {
        const bool branch_exists =
            run_git({"rev-parse", "-q", "--verify", "refs/heads/" + branch}, workdir).status == 0;
        const GitResult made =
            branch_exists ? run_git({"worktree", "add", "-q", path, branch}, workdir)
                          : run_git({"worktree", "add", "-q", "-b", branch, path, "HEAD"}, workdir);
        if (made.status != 0 && existing)
            throw Error(id + " stays claimed by you, with its worktree at " + existing->string() +
                        "; no second worktree made at " + path + ": " + made.err);
        if (made.status != 0) {
            // Nothing half-done: without its worktree the claim is given back. When that fails
            // too (the server went away meanwhile), the message says the task is still held.
            std::string claim = "claim given back";
            try {
                session.client().post("/tasks/" + id + "/release", nlohmann::json::object());
            } catch (const Error& e) {
                claim = "and could not give the claim back: " + std::string(e.what()) + "; " + id +
                        " stays claimed by you until 'git knot release " + id + "'";
            }
            throw Error("claimed " + id + " but could not create its worktree (" + claim +
                        "): " + made.err);
        }
    }
    warn_of_overlaps(session, task);
    if (json) {
        nlohmann::json out = answer;
        if (!no_worktree) {
            out["worktree"] = path;
            out["branch"] = branch;
        }
        std::cout << out.dump(2) << '\n';
        return 0;
    }
    std::cout << "claimed " << id << ": " << task.title << '\n';
    if (!task.files.empty()) {
        std::cout << "  files";
        for (const std::string& file : task.files)
            std::cout << ' ' << terminal_text(file);
        std::cout << '\n';
    }
    if (!no_worktree)
        std::cout << "  worktree " << path << " on branch " << branch << '\n';
    return 0;
}

const Registration registration{
    {"claim", "Claim a task atomically and create its worktree on knot/<id>", run}};

} // namespace

} // namespace knot::cli
