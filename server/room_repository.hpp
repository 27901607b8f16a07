// One room's bare repository, <data>/repos/<room>.git: where it lives, the compare-and-swap that
// moves its refs, and which paths differ between two of its commits. Every part of the server
// that touches a room's repository (git_store, integration_git, the integration run, its forge
// push and maintenance, start-up cleanup) finds it here. libgit2 stays in room_repository.cpp.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace knot::server {

class RoomRepository {
public:
    // The repository of `room_id` under the server's data directory `data_dir`. Nothing is
    // created or opened.
    RoomRepository(const std::filesystem::path& data_dir, const std::string& room_id);
    // The bare repository at `path` itself.
    explicit RoomRepository(std::filesystem::path path);

    // <data_dir>/repos: where every room's repository lives.
    static std::filesystem::path repos_dir(const std::filesystem::path& data_dir);
    // The repositories under `data_dir`, one per room that has one; none when there are none.
    static std::vector<RoomRepository> all(const std::filesystem::path& data_dir);

    const std::filesystem::path& path() const { return m_path; }
    // The id of the room it belongs to: its name without ".git".
    std::string room_id() const { return m_path.stem().string(); }
    // "--git-dir=<path>": how the git binary is pointed at it.
    std::string git_dir_option() const { return "--git-dir=" + m_path.string(); }

    // Moves `ref` from `expected` ("" or all zeros when the ref must not exist yet) to commit
    // `target`, writing `reason` in its log. Returns false, changing nothing, when it lost a race:
    // the ref is no longer at `expected` (moved, created or deleted meanwhile), or another writer
    // holds the ref's lock file at this moment (git's own `update-ref` refuses then too). Any
    // other failure (a missing repository, a disk error, `target` not in the repository) throws
    // std::runtime_error: not a lost race, and not the client's fault.
    bool compare_and_swap(const std::string& ref, const std::string& expected,
                          const std::string& target, const std::string& reason) const;

    // The paths whose entries (object or mode) differ between the trees of commits `before` and
    // `after`, at most `max`, unsorted. "", all zeros or a commit the repository lacks counts as
    // an empty tree. Subtrees with the same oid on both sides are skipped, so the cost follows
    // the change rather than the size of the tree (libgit2's git_diff_tree_to_tree reads every
    // tree of both sides: tens of milliseconds at 50,000 files). A path that changes between
    // file and folder is listed itself and with the files below it. The walk keeps an explicit
    // stack of oids, never recursion, and only the trees of one level in memory.
    std::vector<std::string> changed_paths(const std::string& before, const std::string& after,
                                           std::size_t max) const;

private:
    std::filesystem::path m_path;
};

} // namespace knot::server
