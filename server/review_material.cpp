// A review's material, read from the room's repository and records (see review_material.hpp).
#include "review_material.hpp"

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
    std::vector<std::string> args{
        "log", "--no-color", "--format=%s", "-n", std::to_string(k_max_subjects), run.commit_oid};
    if (!run.base_oid.empty())
        args.push_back("^" + run.base_oid);
    const BoundedOutput subjects = bounded_git(args, repo, k_review_stat_budget);
    if (!subjects.kept.empty())
        intent += "Commits:\n" + subjects.kept;
    return cut(intent, k_review_stat_budget);
}

std::string review_diff_stat(const std::filesystem::path& repo, const std::string& base,
                             const std::string& candidate) {
    const BoundedOutput stat =
        bounded_git({"diff", "--no-color", "--no-ext-diff", "--stat=120", from(base), candidate},
                    repo, k_review_stat_budget);
    return cut(stat.kept, k_review_stat_budget) +
           (stat.total > stat.kept.size() ? "\n[cut: the stat is longer]" : "");
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
