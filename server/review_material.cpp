// A review's material, read from the room's repository and records (see review_material.hpp).
#include "review_material.hpp"

#include "git_handles.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/git/git_command.hpp"
#include "store.hpp"

namespace knot::server {
namespace {

// git's empty tree: what a room's first integration is compared with.
constexpr const char* k_empty_tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
constexpr int k_max_subjects = 20;

std::string cut(const std::string& text, std::size_t budget) {
    if (text.size() <= budget)
        return text;
    return std::string(utf8_prefix(text, budget)) +
           "\n[cut: " + std::to_string(text.size() - budget) + " more bytes]";
}

// Runs git, keeping at most `keep` bytes of its output. Once more than `keep` came git is
// stopped (its pipe closed): a diff of gigabytes, which any member may ask to see again and
// again, costs this server no more memory or time than its budget. `total` is then a lower
// bound and `stopped` is set.
struct BoundedOutput {
    std::string kept;
    std::size_t total = 0;
    bool stopped = false;
};

struct EnoughRead {};

BoundedOutput bounded_git(const std::vector<std::string>& args, const std::filesystem::path& repo,
                          std::size_t keep) {
    BoundedOutput output;
    const std::string git_dir = "--git-dir=" + repo.string();
    std::vector<std::string> all{git_dir};
    all.insert(all.end(), args.begin(), args.end());
    try {
        run_git_piped(all, repo, {}, [&](const char* data, std::size_t size) {
            output.total += size;
            if (output.kept.size() < keep)
                output.kept.append(data, std::min(size, keep - output.kept.size()));
            if (output.total > keep)
                throw EnoughRead{};
        });
    } catch (const EnoughRead&) {
        output.stopped = true;
    }
    return output;
}

std::string from(const std::string& base) {
    return base.empty() ? k_empty_tree : base;
}

// In this process with libgit2, not through a git process: these two are read for every review
// request, before a run parks or asks the model, and each git process costs milliseconds.
using Revwalk = git::Owned<git_revwalk, git_revwalk_free>;
using Diff = git::Owned<git_diff, git_diff_free>;
using DiffStats = git::Owned<git_diff_stats, git_diff_stats_free>;

git::Repository open_repository(const std::filesystem::path& repo) {
    git::ensure_init();
    git_repository* raw = nullptr;
    git::check(git_repository_open_bare(&raw, repo.c_str()), "open the room's repository");
    return git::Repository(raw);
}

// The subjects of the commits `tip` brings over `base` ("": all), newest first, at most 20.
std::string commit_subjects(const std::filesystem::path& repo, const std::string& tip,
                            const std::string& base) {
    const git::Repository repository = open_repository(repo);
    git_revwalk* raw = nullptr;
    git::check(git_revwalk_new(&raw, repository.get()), "revwalk");
    const Revwalk walk(raw);
    git::check(git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME), "sorting");
    git_oid oid = git::oid_of(tip);
    git::check(git_revwalk_push(walk.get(), &oid), "push");
    if (!base.empty()) {
        const git_oid hidden = git::oid_of(base);
        git::check(git_revwalk_hide(walk.get(), &hidden), "hide");
    }
    std::string subjects;
    for (int count = 0; count < k_max_subjects && git_revwalk_next(&oid, walk.get()) == 0;
         ++count) {
        git_commit* commit = nullptr;
        if (git_commit_lookup(&commit, repository.get(), &oid) != 0)
            break;
        const git::Commit owned(commit);
        const char* summary = git_commit_summary(commit);
        subjects += std::string(summary ? summary : "") + "\n";
    }
    return subjects;
}

// The tree of commit `oid`, or nothing for "" (the empty tree).
git::Tree tree_of(git_repository* repository, const std::string& oid) {
    if (oid.empty())
        return git::Tree(nullptr);
    const git_oid id = git::oid_of(oid);
    git_commit* commit = nullptr;
    git::check(git_commit_lookup(&commit, repository, &id), "commit");
    const git::Commit owned(commit);
    git_tree* tree = nullptr;
    git::check(git_commit_tree(&tree, commit), "tree");
    return git::Tree(tree);
}

} // namespace

std::string review_intent(const Reader& reader, const RunRecord& run,
                          const std::filesystem::path& repo) {
    std::string intent;
    if (const auto agent = reader.find_agent(run.room_id, run.agent_id);
        agent && !agent->status.empty())
        intent += "Doing: " + agent->status + "\n";
    for (const TaskRecord& task : reader.tasks(run.room_id))
        if (task.status == "claimed" && task.claimed_by == run.agent_id)
            intent += "Task t" + std::to_string(task.number) + ": " + task.title +
                      (task.goal.empty() ? "" : " (" + task.goal + ")") + "\n";
    const std::string subjects = commit_subjects(repo, run.commit_oid, run.base_oid);
    if (!subjects.empty())
        intent += "Commits:\n" + subjects;
    return cut(intent, k_review_stat_budget);
}

std::string review_diff_stat(const std::filesystem::path& repo, const std::string& base,
                             const std::string& candidate) {
    const git::Repository repository = open_repository(repo);
    const git::Tree old_tree = tree_of(repository.get(), base);
    const git::Tree new_tree = tree_of(repository.get(), candidate);
    git_diff* raw = nullptr;
    git::check(
        git_diff_tree_to_tree(&raw, repository.get(), old_tree.get(), new_tree.get(), nullptr),
        "diff");
    const Diff diff(raw);
    git_diff_find_options renames = GIT_DIFF_FIND_OPTIONS_INIT;
    git::check(git_diff_find_similar(diff.get(), &renames), "renames");
    git_diff_stats* stats_raw = nullptr;
    git::check(git_diff_get_stats(&stats_raw, diff.get()), "stats");
    const DiffStats stats(stats_raw);
    git_buf text = GIT_BUF_INIT;
    git::check(git_diff_stats_to_buf(&text, stats.get(), GIT_DIFF_STATS_FULL, 120), "stat text");
    std::string out(text.ptr ? text.ptr : "", text.size);
    git_buf_dispose(&text);
    return cut(out, k_review_stat_budget);
}

std::string review_diff(const std::filesystem::path& repo, const std::string& base,
                        const std::string& candidate, std::size_t budget) {
    const BoundedOutput diff = bounded_git(
        {"diff", "--no-color", "--no-ext-diff", "-M", from(base), candidate}, repo, budget);
    if (diff.total <= diff.kept.size())
        return diff.kept;
    // Whole files where they fit: cut at the last file header inside the budget.
    std::size_t end = diff.kept.rfind("\ndiff --git ");
    if (end == std::string::npos || end == 0)
        end = utf8_prefix(diff.kept, budget).size();
    std::string shown = diff.kept.substr(0, end);
    const BoundedOutput names = bounded_git(
        {"diff", "--no-color", "--name-only", "-M", from(base), candidate}, repo, 16 * 1024);
    std::string left_out;
    std::size_t listed = 0;
    std::size_t at = 0;
    // The files whose header is not in what is shown.
    while (at < names.kept.size() && listed < 50) {
        std::size_t line_end = names.kept.find('\n', at);
        if (line_end == std::string::npos)
            line_end = names.kept.size();
        const std::string name = names.kept.substr(at, line_end - at);
        at = line_end + 1;
        if (!name.empty() && shown.find(" b/" + name + "\n") == std::string::npos) {
            left_out += (listed ? ", " : "") + name;
            ++listed;
        }
    }
    return shown + "\n[knot: the diff is longer than " + std::to_string(budget) +
           " bytes; the bytes after its first " + std::to_string(shown.size()) +
           " bytes were left out" + (left_out.empty() ? std::string() : ", in: " + left_out) +
           "]\n";
}

} // namespace knot::server
