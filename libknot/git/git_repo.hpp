// One clone as the porcelain sees it. Finding the repository and reading its own config are
// done natively (hooks run this on every commit); changes go through the real git binary, so
// libgit2 and its start-up cost (it loads every CA certificate) stay out of git-knot.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

class GitConfigFile;

class GitRepo {
public:
    // Finds the repository containing `start` (as git does from the current directory).
    // Throws knot::Error naming what to do when there is none, or when it is bare.
    static GitRepo discover(const std::filesystem::path& start);
    // As discover, but nothing when `start` is in no repository at all (a relay agent's commands
    // run there); a bare repository or a git directory is still an error.
    static std::optional<GitRepo> discover_if_any(const std::filesystem::path& start);

    // The top of the work tree.
    std::filesystem::path workdir() const;
    // This work tree's git dir (.git, or .git/worktrees/<name> for a linked worktree).
    std::filesystem::path git_dir() const;
    // The git dir shared by every worktree of the clone: where knot keeps its state.
    std::filesystem::path common_dir() const;
    // False for a repository whose HEAD points at an unborn branch.
    bool has_commits() const;
    // The work tree that has `branch` (refs/heads/knot/t3) checked out, this one or a linked
    // one, or nothing when none has.
    std::optional<std::filesystem::path> worktree_of(std::string_view branch) const;

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
    GitRepo() = default;
    void forget_config() { m_local_config.reset(); }
    std::string git(const std::vector<std::string>& args) const;

    std::filesystem::path m_workdir;
    std::filesystem::path m_git_dir;
    std::filesystem::path m_common_dir;
    mutable std::shared_ptr<const GitConfigFile> m_local_config;
};

} // namespace knot
