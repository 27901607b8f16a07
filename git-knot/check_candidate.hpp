// What `git knot check` checks unless told --here: HEAD merged onto the room's
// refs/knot/integration (fetched first) as the integration agent merges it, checked out in a
// scratch tree of this worktree's own, like the server's (scratch_tree.hpp), so the checks see
// what the room would check and the work tree, the index and every branch stay as they are.
#pragma once

#include "libknot/checks/scratch_tree.hpp"
#include "libknot/git/merge_preview.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace knot {

class GitRepo;

// How refs/knot/integration was brought up to date before a check.
struct IntegrationFetch {
    enum class State {
        fetched,    // from `from`: "knot" (the room), or the forge's remote when it was down
        absent,     // the room has none yet: this clone's copy, if it had one, was removed
        not_joined, // this clone has no knot remote: its own copy (if any) is used
        failed,     // the room could not be read (`reason` says why): this clone's copy is used
    };
    State state = State::not_joined;
    std::string from;
    std::string reason; // why the room could not be read (also when the forge then served it)
};

// "fetched", "absent", "not_joined" or "failed".
std::string_view fetch_state_name(IntegrationFetch::State state);

// `git fetch knot +refs/knot/integration:refs/knot/integration`; in forge mode, when the server
// cannot be reached, the same from the forge (the integration agent pushes the ref there too).
// Where the room has no integration ref yet, removes this clone's copy, so that a stale one is
// not merged onto. Never throws for a remote that fails: that is `failed`.
IntegrationFetch fetch_integration(const GitRepo& repo);

// The commit the checks run on, for `merge` as preview_merge found it in `workdir`: a merge
// commit of refs/knot/integration and HEAD (parents in that order, as the integration agent
// makes it) when they merge cleanly; the integration itself when HEAD is already part of it; HEAD
// alone when there is no integration. Writes the commit's objects and moves no ref. Throws
// knot::Error for a conflict (nothing to check) and for a HEAD without commits.
std::string candidate_commit(const std::filesystem::path& workdir, const MergePreview& merge);

// True when tracked files in `workdir` differ from HEAD, staged or not: changes a check of a
// commit does not see.
bool has_uncommitted_changes(const std::filesystem::path& workdir);

// This worktree's scratch tree, <git dir>/knot/scratch, borrowing the clone's objects, owned by
// the user, its work/tree/.git pointing at the scratch tree's own git dir so that checks may
// run git.
ScratchTree local_scratch_tree(const GitRepo& repo);

// Holds <git dir>/knot/scratch.lock (flock) while a check uses the scratch tree: a second
// `git knot check` in the same worktree waits for the first, saying so once on stderr. The lock
// goes with the process, however it ends.
class ScratchLock {
public:
    explicit ScratchLock(const GitRepo& repo);
    ~ScratchLock();
    ScratchLock(const ScratchLock&) = delete;
    ScratchLock& operator=(const ScratchLock&) = delete;

private:
    int m_fd = -1;
};

} // namespace knot
