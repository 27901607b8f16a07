// What the hooks read from git (see hook_git.hpp).
#include "hooks/hook_git.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_repo.hpp"
#include "libknot/protocol/protocol.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace knot {
namespace {

namespace fs = std::filesystem;

// Adds the names of git's -z output to `into`.
void add_names(const std::string& text, std::set<std::string>& into) {
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\0', start);
        if (end == std::string::npos)
            end = text.size();
        if (end > start)
            into.insert(text.substr(start, end - start));
        start = end + 1;
    }
}

// The names changed by the commits `range` selects (git log revision arguments).
GitResult log_names(const std::vector<std::string>& range, const fs::path& workdir) {
    std::vector<std::string> args = {"log",          "-z",           "--format=",
                                     "--name-only",  "--no-renames", "--diff-merges=dense-combined",
                                     "--no-relative"};
    args.insert(args.end(), range.begin(), range.end());
    return run_git(args, workdir);
}

} // namespace

bool PushUpdate::deletes() const {
    return is_null_oid(local_sha);
}
bool PushUpdate::creates() const {
    return is_null_oid(remote_sha);
}

bool is_null_oid(std::string_view oid) {
    return (oid.size() == 40 || oid.size() == 64) &&
           oid.find_first_not_of('0') == std::string_view::npos;
}

std::vector<PushUpdate> parse_push_updates(std::string_view input) {
    std::vector<PushUpdate> updates;
    std::istringstream lines{std::string(input)};
    for (std::string line; std::getline(lines, line);) {
        line = chomp(line);
        if (trim_blanks(line).empty())
            continue;
        std::istringstream fields(line);
        PushUpdate u;
        std::string extra;
        if (!(fields >> u.local_ref >> u.local_sha >> u.remote_ref >> u.remote_sha) ||
            (fields >> extra) || !is_object_id(u.local_sha) || !is_object_id(u.remote_sha))
            throw Error("pre-push: git sent a line knot does not understand: '" + line + "'");
        updates.push_back(std::move(u));
    }
    return updates;
}

std::vector<std::string> outgoing_paths(const std::vector<PushUpdate>& updates,
                                        const fs::path& workdir) {
    std::set<std::string> names;
    for (const auto& u : updates) {
        if (u.deletes())
            continue;
        GitResult result;
        if (!u.creates())
            result = log_names(
                {u.local_sha, "^" + u.remote_sha, "--not", "--glob=refs/knot/*", "--"}, workdir);
        // A new ref, or a remote tip this clone never fetched (a forced push): what no
        // remote-tracking ref has yet.
        if (u.creates() || result.status != 0)
            result =
                log_names({u.local_sha, "--not", "--remotes", "--glob=refs/knot/*", "--"}, workdir);
        if (result.status != 0)
            throw Error("cannot list the commits pushed to " + u.remote_ref + ": " +
                        chomp(result.err));
        add_names(result.out, names);
    }
    return {names.begin(), names.end()};
}

std::vector<std::string> staged_paths(const GitRepo& repo) {
    const std::vector<std::string> diff = {"diff",         "--cached",      "--name-only",  "-z",
                                           "--no-renames", "--no-relative", "--no-ext-diff"};
    std::set<std::string> names;
    add_names(run_git_checked(diff, repo.workdir()), names);
    // Concluding a merge: what the other side brought is its authors' (and maybe under their
    // locks); this commit changes only what differs from every parent.
    std::ifstream merge_heads(repo.git_dir() / "MERGE_HEAD");
    for (std::string head; std::getline(merge_heads, head) && !names.empty();) {
        if (head.empty())
            continue;
        auto against = diff;
        against.push_back(chomp(head));
        std::set<std::string> differing;
        add_names(run_git_checked(against, repo.workdir()), differing);
        std::erase_if(names, [&](const std::string& name) { return !differing.count(name); });
    }
    return {names.begin(), names.end()};
}

bool has_integration_ref(const GitRepo& repo) {
    std::error_code ec;
    if (fs::is_regular_file(repo.common_dir() / k_integration_ref, ec))
        return true;
    std::ifstream packed(repo.common_dir() / "packed-refs");
    const std::string suffix = " " + std::string(k_integration_ref);
    for (std::string line; std::getline(packed, line);)
        if (line.size() > suffix.size() &&
            line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0)
            return true;
    return false;
}

std::vector<std::string> paths_settled_in_integration(const std::vector<std::string>& paths,
                                                      const fs::path& workdir) {
    if (paths.empty())
        return {};
    std::vector<std::string> args = {"--literal-pathspecs",
                                     "diff",
                                     "--name-only",
                                     "-z",
                                     "--no-renames",
                                     "--no-relative",
                                     "--no-ext-diff",
                                     std::string(k_integration_ref),
                                     "HEAD",
                                     "--"};
    args.insert(args.end(), paths.begin(), paths.end());
    std::set<std::string> differing;
    add_names(run_git_checked(args, workdir), differing);
    std::vector<std::string> settled;
    for (const auto& path : paths)
        if (!differing.count(path))
            settled.push_back(path);
    return settled;
}

} // namespace knot
