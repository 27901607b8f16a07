// The client's half of the patch exchange (docs/protocol.md, "Patches"): making a patch's commits
// from the work tree or a range, publishing it signed, checking a fetched patch against its
// author's signature before it touches the work tree, applying it, and waiting for the run its
// merge queued.
#pragma once

#include "libknot/protocol/wire.hpp"
#include "libknot/protocol/wire_patch.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace knot {

class Session;

// What a patch changes: the diff base..tip, `tip` holding the content.
struct PatchCommits {
    std::string base;
    std::string tip;
};

// Which of the work tree's changes a shared patch holds.
enum class ChangeScope {
    all,    // staged and unstaged, against HEAD (untracked files are not included)
    staged, // the index only
};

// The work tree's changes as a commit on HEAD, leaving the work tree, the index and the stash
// alone: `git stash create` for all, `git write-tree` + `git commit-tree -p HEAD` for staged.
// Throws knot::Refused when there is nothing to share, knot::Error without a HEAD.
PatchCommits work_tree_commits(const std::filesystem::path& workdir, ChangeScope scope);

// The commits of `range`: "" is the current branch since refs/knot/integration (from their merge
// base to HEAD); "A..B" is from the merge base of A and B to B; a single commit C is C^..C.
// Throws knot::Refused when the range holds no commit, knot::Error when git cannot resolve it.
PatchCommits range_commits(const std::filesystem::path& workdir, const std::string& range);

// The message a submit uses when none is given: the tip's subject.
std::string default_message(const std::filesystem::path& workdir, const PatchCommits& commits);

// Pushes `commits.tip` to this agent's patch ref under a fresh id, signs the statement and sends
// it (POST /patches) as `kind` (draft or submitted). Returns the stored patch.
wire::Patch publish_patch(Session& session, const PatchCommits& commits, const std::string& kind,
                          const std::string& message);

// Throws knot::UsageError unless `id` is a patch id as typed on a command line.
void require_patch_id(const std::string& id);

// GET /patches/<id>.
wire::Patch fetch_patch_record(Session& session, const std::string& id);

// Refuses (knot::Refused "<id> does not match its author's signature: ...") a patch whose
// statement, rebuilt from the fields this client will use and this clone's room, does not verify
// against the key `agents` lists for its author, or whose author id is not that key's.
void verify_patch(const wire::Patch& patch, const std::string& room,
                  const std::vector<wire::Agent>& agents);

// Fetches the patch's ref from the room and refuses (knot::Refused) unless the fetched tip is
// exactly the signed tip and the signed base is one of its ancestors.
void fetch_patch_commits(const std::filesystem::path& workdir, const wire::Patch& patch);

// How a verified patch went onto the work tree.
enum class ApplyOutcome {
    clean,     // the diff applied as it is
    three_way, // applied with a 3-way merge, without conflicts (the result is staged)
    conflicts, // applied with conflict markers left in the work tree
};

// Applies base..tip to the work tree: as it is when it applies cleanly, else with git apply
// --3way. Throws knot::Refused with git's words when neither can apply (the work tree is then
// as it was).
ApplyOutcome apply_patch_commits(const std::filesystem::path& workdir, const wire::Patch& patch);

// The event that ends integration run `run` (sync.integrated, sync.check_failed,
// sync.merge_conflict, sync.review_failed, integration.skipped, integration.error), read from
// the room's event stream after `since`.
wire::Event wait_for_run(Session& session, std::int64_t run, std::int64_t since);

// "p1a2b3c4d5e  coder-1  submitted  +1 -0  subject" lines are the command's; this is the state
// with its run and review, as `patches` shows it: "integrated (run 4, review pass)".
std::string patch_state_text(const wire::Patch& patch);

} // namespace knot
