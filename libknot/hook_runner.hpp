// What each git hook does for knot (`git knot hook <name>`): pre-commit claims locks on the
// staged paths, pre-push refuses to send paths other agents hold and announces the push,
// post-merge / post-checkout / post-rewrite report the new head and release locks whose changes
// reached refs/knot/integration. A hook never blocks git because the server is down: it warns
// once, queues its report in the outbox and lets git go on. Only a lock held by another agent
// refuses (exit 1).
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

class GitRepo;

// One line of pre-push's standard input: what git is about to send where.
struct PushUpdate {
    std::string local_ref;
    std::string local_sha;
    std::string remote_ref;
    std::string remote_sha;

    // A push of the zero id deletes `remote_ref`: it sends no commit.
    bool deletes() const;
    // The remote has no such ref yet.
    bool creates() const;
};

// True for git's all-zero object id (40 or 64 zeros).
bool is_null_oid(std::string_view oid);

// Parses pre-push's standard input: lines of "<local ref> <local sha> <remote ref> <remote
// sha>". Blank lines are skipped; throws knot::Error naming a line of any other shape.
std::vector<PushUpdate> parse_push_updates(std::string_view input);

// The repository paths changed by the commits `updates` send, sorted, each once. The commits
// of an update are those reachable from its local sha and not from its remote sha; for a new
// remote ref (or a remote sha this clone does not have) those not reachable from any
// remote-tracking ref. Either way commits the room already has (reachable from refs/knot/*,
// teammates' work carried along) are left out. Merges count the paths they changed against
// every parent (a conflict resolution). Deleting a ref touches nothing. Throws knot::Error
// when git fails.
std::vector<std::string> outgoing_paths(const std::vector<PushUpdate>& updates,
                                        const std::filesystem::path& workdir);

// The paths staged for the next commit in `repo`, sorted (the index git's GIT_INDEX_FILE names
// against HEAD; everything staged on an unborn branch), both sides of a rename. Concluding a
// merge, only the paths that differ from every parent (a resolution, not what the other side
// brought). Throws knot::Error when git fails.
std::vector<std::string> staged_paths(const GitRepo& repo);

// A lock as the server shows it (docs/protocol.md, "Locks").
struct LockView {
    std::string path;
    std::string agent;
    std::string agent_name;
    std::string intent;
    std::int64_t expires_at = 0;
};

// Reads a JSON array of lock objects; entries without a path are skipped.
std::vector<LockView> parse_locks(const nlohmann::json& locks);

// Those of `locks` that lie on one of `paths` (sorted) and are held by an agent other than
// `self`.
std::vector<LockView> locks_held_by_others(const std::vector<LockView>& locks,
                                           const std::vector<std::string>& paths,
                                           std::string_view self);

// The text of a refusal: "knot: <action> refused: ...", one line per lock naming its path,
// holder, intent and expiry (relative to `now`, and as local time), then a hint: coordinate or
// wait. It names no way around the hooks: the room's server refuses (hosted) or holds (forge)
// such a push anyway.
std::string refusal_message(std::string_view action, const std::vector<LockView>& conflicts,
                            std::int64_t now);

// True when refs/knot/integration exists in the clone (loose or packed; read without git).
bool has_integration_ref(const GitRepo& repo);

// Of `paths`, those whose changes have reached refs/knot/integration: the blob at HEAD equals
// the blob at refs/knot/integration, or the path is absent from both. Throws knot::Error when
// git fails.
std::vector<std::string> paths_settled_in_integration(const std::vector<std::string>& paths,
                                                      const std::filesystem::path& workdir);

// What the agent says it is doing, sent as the intent of locks the hooks claim: the first line
// of `knot_dir`/intent (at most 200 bytes, cut between UTF-8 characters) when that file exists,
// else "" (the server then keeps the intent of a lock the agent renews, and records none for a
// new one).
std::string current_intent(const std::filesystem::path& knot_dir);

// Runs the knot part of hook `name` (pre-commit, pre-push, post-merge, post-checkout,
// post-rewrite) in the clone around the current directory, with git's arguments `args` and its
// standard input `input`; warnings and refusals go to `err`. Returns the exit code: 1 when a
// lock held by another agent refuses a commit or push, else 0, whatever else went wrong (the
// server down, the clone not in a room, a hook name this version does not know).
int run_hook(std::string_view name, const std::vector<std::string>& args, std::istream& input,
             std::ostream& err);

} // namespace knot
