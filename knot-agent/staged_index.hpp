// The paths staged for the next commit, read by libgit2 in the agent's own process: what
// hooks/hook_git.hpp's staged_paths() gets from `git diff --cached`, without starting git on
// the commit's path.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct git_repository;

namespace knot {

class StagedIndex {
public:
    // Opens the repository whose git dir is `git_dir`. Throws knot::Error when libgit2 cannot.
    explicit StagedIndex(const std::filesystem::path& git_dir);
    ~StagedIndex();
    StagedIndex(const StagedIndex&) = delete;
    StagedIndex& operator=(const StagedIndex&) = delete;

    // The paths in the index file `index_file` that differ from HEAD's tree (every path on an
    // unborn branch), both sides of a rename, sorted, each once: `git diff --cached
    // --name-only --no-renames`. Nothing when git's own answer is needed: a merge being
    // concluded (MERGE_HEAD: staged_paths() keeps only what differs from every parent), an
    // index libgit2 cannot read (a split index, say), any libgit2 error.
    std::optional<std::vector<std::string>> paths(const std::filesystem::path& index_file);

private:
    std::filesystem::path m_git_dir;
    git_repository* m_repo = nullptr;
};

} // namespace knot
