// The libgit2 calls knot needs, behind a small RAII class so no caller sees git2.h.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct git_repository;

namespace knot {

class GitRepo {
public:
    // Finds the repository containing `start` (as git does from the current directory).
    // Throws knot::Error naming what to do when there is none, or when it is bare.
    static GitRepo discover(const std::filesystem::path& start);
    ~GitRepo();
    GitRepo(GitRepo&&) noexcept;
    GitRepo& operator=(GitRepo&&) noexcept;

    // The top of the work tree.
    std::filesystem::path workdir() const;
    // This work tree's git dir (.git, or .git/worktrees/<name> for a linked worktree).
    std::filesystem::path git_dir() const;
    // The git dir shared by every worktree of the clone: where knot keeps its state.
    std::filesystem::path common_dir() const;
    // False for a repository whose HEAD points at an unborn branch.
    bool has_commits() const;
    // The full name of the branch HEAD points to (refs/heads/main), or "" when detached.
    std::string head_branch() const;

    // The repository's own (local) configuration, as `git config` sees it.
    std::optional<std::string> config_get(std::string_view key) const;
    // Reads with git's whole cascade (system, global, local), like `git config --get`.
    std::optional<std::string> config_get_any(std::string_view key) const;
    void config_set(std::string_view key, std::string_view value);
    void config_unset(std::string_view key);

    std::optional<std::string> remote_url(std::string_view name) const;
    std::vector<std::string> remote_names() const;
    // Creates or replaces remote `name` with exactly this URL and these refspecs.
    void set_remote(std::string_view name, std::string_view url, std::string_view fetch_refspec,
                    std::string_view push_refspec);

    // Adds `pattern` as a line of info/exclude in the common git dir unless it is there.
    void add_exclude(std::string_view pattern);

private:
    explicit GitRepo(git_repository* repo);
    git_repository* m_repo = nullptr;
};

} // namespace knot
