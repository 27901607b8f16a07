// Checking a candidate out for its checks with the real git (see scratch_tree.hpp).
#include "scratch_tree.hpp"

#include "libknot/error.hpp"
#include "libknot/git_command.hpp"

#include <fstream>

namespace knot::server {
namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush())
        throw Error("cannot write " + path.string());
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

} // namespace

ScratchTree::ScratchTree(std::filesystem::path root, std::filesystem::path repo)
    : m_root(std::move(root))
    , m_repo(std::move(repo)) {}

// The git directory is made again whenever it is incomplete (a checker may delete anything
// under the scratch root); the tree's .git file points at it so checks may run git.
void ScratchTree::prepare() const {
    const std::filesystem::path git_dir = m_root / "git";
    if (!std::filesystem::exists(git_dir / "HEAD") ||
        !std::filesystem::exists(git_dir / "objects" / "info")) {
        std::filesystem::remove_all(git_dir);
        std::filesystem::create_directories(m_root);
        run_git_checked({"init", "--quiet", "--bare", git_dir.string()}, m_root);
        std::filesystem::create_directories(git_dir / "objects" / "info");
    }
    write_text(git_dir / "objects" / "info" / "alternates",
               std::filesystem::absolute(m_repo / "objects").string() + "\n");
    for (const auto& dir : {tree(), build(), home(), tmp()})
        std::filesystem::create_directories(dir);
    write_text(tree() / ".git", "gitdir: " + std::filesystem::absolute(git_dir).string() + "\n");
    run_git_checked({"--git-dir=" + git_dir.string(), "config", "core.bare", "false"}, m_root);
    run_git_checked({"--git-dir=" + git_dir.string(), "config", "core.worktree",
                     std::filesystem::absolute(tree()).string()},
                    m_root);
}

void ScratchTree::check_out(const std::string& commit) const {
    prepare();
    const std::string git_dir = "--git-dir=" + (m_root / "git").string();
    const std::string work_tree = "--work-tree=" + tree().string();
    // read-tree --reset -u is what reset --hard does: it compares each tracked file with the
    // index and rewrites only those that differ or are missing.
    GitResult result = run_git({git_dir, work_tree, "read-tree", "--reset", "-u", commit}, m_root);
    if (result.status != 0) { // a damaged index: start it afresh once
        std::error_code ignored;
        std::filesystem::remove(m_root / "git" / "index", ignored);
        result = run_git({git_dir, work_tree, "read-tree", "--reset", "-u", commit}, m_root);
    }
    if (result.status != 0)
        throw Error("cannot check out " + commit + " for its checks: " + first_line(result.err));
    run_git_checked({git_dir, "update-ref", "--no-deref", "HEAD", commit}, m_root);
}

} // namespace knot::server
