// The persistent scratch work tree a candidate commit is checked in: the server's integration
// runs keep one per room (<data>/scratch/<room>/), `git knot check` one per worktree
// (.git/knot/scratch/). Its root holds git/ (the tree's own index and HEAD, borrowing the
// objects of the repository the candidate is in; the checker's alone) and work/, the one
// directory a check may write:
// work/tree (the files), work/build ($KNOT_BUILD_DIR), work/home and work/tmp. Moving between
// commits rewrites only the files that differ, so builds stay incremental; whatever a checker
// removed or changed among the tracked files is restored; untracked build output is kept.
//
// A check may have left anything in work/: symlinks to the server's files where directories
// were, a FIFO where a file was. Nothing here follows a link a check could have made: the
// directories of work/ are checked with lstat and made again when they are not plain ones, git
// (which never writes through a symlink in a work tree) does the checkout, and ownership is
// handed over one name at a time relative to directories opened with O_NOFOLLOW.
#pragma once

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace knot {

// Whether checks run in the server's sandbox (server/check_sandbox.hpp; only the host chooses,
// on knot-server's command line: no room setting reaches it) or as plain processes of the
// user, as `git knot check` runs them.
enum class SandboxPolicy { sandboxed, unsandboxed };

// The user a run's writable directory belongs to: the sandbox's user when the server runs as
// root (so its files are the check's to change), else the server's (or the user's) own.
struct ScratchOwner {
    uid_t uid = 0;
    gid_t gid = 0;
};

class ScratchTree {
public:
    // `owner` owns what work/ holds, so that checks running as it can change it (the sandbox's
    // user when the server is root). Unsandboxed, work/tree/.git also points at git/ so that
    // checks may run git; a sandboxed check cannot see git/ (its alternates name the room's
    // repository), so it gets none.
    ScratchTree(std::filesystem::path root, std::filesystem::path repo, ScratchOwner owner,
                SandboxPolicy policy);

    // Makes tree() hold exactly `commit`'s tracked files, (re)creating whatever is missing, and
    // gives work/ and the tracked files to the owner. Throws knot::Error with git's message when
    // it cannot.
    void check_out(const std::string& commit) const;

    // The directory a check may write, and its parts.
    std::filesystem::path work() const { return m_root / "work"; }
    std::filesystem::path tree() const { return work() / "tree"; }
    std::filesystem::path build() const { return work() / "build"; }
    std::filesystem::path home() const { return work() / "home"; }
    std::filesystem::path tmp() const { return work() / "tmp"; }

private:
    void prepare() const;
    void start_afresh_for_another_owner() const;
    bool give_tracked_files() const;

    std::filesystem::path m_root;
    std::filesystem::path m_repo;
    ScratchOwner m_owner;
    SandboxPolicy m_policy;
};

} // namespace knot
