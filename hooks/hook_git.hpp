// What the hooks read from git: pre-push's standard input, the paths a push or a commit
// changes, and whether those changes reached refs/knot/integration (see hook_runner.hpp).
#pragma once

#include "libknot/protocol/refs.hpp"
#include <filesystem>
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

// True when refs/knot/integration exists in the clone (loose or packed; read without git).
bool has_integration_ref(const GitRepo& repo);

// Of `paths`, those whose changes have reached refs/knot/integration: the blob at HEAD equals
// the blob at refs/knot/integration, or the path is absent from both. Throws knot::Error when
// git fails.
std::vector<std::string> paths_settled_in_integration(const std::vector<std::string>& paths,
                                                      const std::filesystem::path& workdir);

} // namespace knot
