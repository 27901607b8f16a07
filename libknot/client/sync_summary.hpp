// `git knot sync`'s work: pushing HEAD to this agent's ref through the knot remote, fetching
// every agent's refs, and the summary of what moved (mode, our push, each teammate's ref).
#pragma once

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace knot {

class GitRepo;

// What the knot remote's helper will do for this clone: "forge" (git moves the bytes to
// `where`, the forge's URL) when knot.forge names a remote, or when `origin` exists and
// knot.forge is not "none"; otherwise "hosted" (the server at `where` keeps the objects).
struct SyncMode {
    std::string name;
    std::string where;
    std::string remote; // forge mode: the forge's remote name ("origin"); hosted: ""
};
SyncMode sync_mode(const GitRepo& repo, const std::string& server);

// The outcome of pushing HEAD: `ref` is refs/knot/<agent>/<branch>, `previous` the commit it
// held before ("" when new), `files` the paths the push brings, as the server's sync.pushed
// event counts them: those that differ from HEAD's merge base with refs/knot/integration as
// fetched (from the integration itself when the histories are unrelated); without one, from
// `previous` (every path of HEAD for a new ref).
struct PushResult {
    std::string ref;
    std::string branch;
    std::string commit;
    std::string previous;
    std::vector<std::string> files;
    bool up_to_date() const { return commit == previous; }
};

// refs/knot/<agent>/<branch of HEAD>. Throws knot::Error on a detached HEAD or an unborn
// branch, naming what to do.
std::string own_ref(const std::filesystem::path& workdir, const std::string& agent);

// `git push knot HEAD:<own_ref>` with the real git and helper. Throws knot::Refused with git's
// message when the push is refused, knot::UnreachableError when the server cannot be reached,
// knot::Error for anything else.
PushResult push_head(const std::filesystem::path& workdir, const std::string& agent);

// `git push knot <commit>:<ref>` (a patch's tip to its ref); throws as push_head.
void push_commit(const std::filesystem::path& workdir, const std::string& commit,
                 const std::string& ref);

// The refs a sync fetches: every agent's and the integration ref, each onto itself.
inline constexpr std::string_view k_knot_refspec = "+refs/knot/*:refs/knot/*";

// `git fetch knot` (the refspec +refs/knot/*:refs/knot/* set by join), or `git fetch knot
// <refspec>` when one is given; throws as push_head (a ref the room lacks is a knot::Error whose
// message holds git's "couldn't find remote ref").
void fetch_refs(const std::filesystem::path& workdir, const std::string& refspec = {});

// `git fetch <remote> <refspec>`: by default every agent's refs and the integration ref as the
// forge `remote` has them, which needs no knot server. Throws knot::Error with git's message.
void fetch_refs_from_forge(const std::filesystem::path& workdir, const std::string& remote,
                           const std::string& refspec = std::string(k_knot_refspec));

// A teammate's ref as fetched: `files` are what they changed since our merge base with it
// (`git diff --name-only HEAD...<ref>`).
struct TeammateRef {
    std::string agent;
    std::string branch;
    std::string ref;
    std::string commit;
    std::vector<std::string> files;
};

// Every ref under refs/knot/<agent>/ in the clone except `self`'s, refs/knot/integration and
// patches' refs (is_patch_ref), sorted by ref name.
std::vector<TeammateRef> teammate_refs(const std::filesystem::path& workdir,
                                       const std::string& self);

// The room's known-good state as the server reports it (GET .../integration?limit=1).
struct IntegrationState {
    std::string commit;  // refs/knot/integration, "" when none yet
    std::string base;    // the room's base (where the ref started), "" when it has none
    long long run = 0;   // the newest run, 0 when none
    std::string status;  // its status: queued, running, integrated, check_failed ...
    std::string summary; // its one line
    bool undone = false; // `git knot undo` moved the ref back past the newest run
    // Its review's verdict (PASS, WARN, FAIL) and reason, "" when no review ran.
    std::string review_verdict;
    std::string review_reason;
};

struct SyncSummary {
    SyncMode mode;
    std::optional<PushResult> pushed; // nothing when the push was skipped (--pull-only)
    bool fetched = false;
    std::string fetched_from; // "knot", or the forge's remote when the server was unreachable
    std::vector<TeammateRef> teammates;
    std::optional<IntegrationState> integration; // nothing when the server could not say
    bool server_reachable = true;
    int queued = 0; // notifications waiting in the outbox after the sync
};

// The lines the product shows:
//   mode  hosted  http://host:8787
//   ✓ pushed  a1b2c3d4  3 files      (or "✓ up to date  a1b2c3d4")
//   ✓ fetched
//   ● coder-2  9f8e7d6c  2 files  src/api.ts, src/db.ts
//   ◆ integration  5e6f7a8b  run 12 integrated: integrated coder-2@9f8e7d6
// With the server unreachable (forge mode), "✓ fetched from origin" and, last,
//   ! coordination queued: the knot server did not answer; 1 notification waits in the outbox...
// An undone newest run reads "run 12 integrated, then undone: ...", and an integration ref at
// the room's base says "(the room's base)".
std::string summary_text(const SyncSummary& summary);

// The same as an object: {"mode", "where", "pushed": {...} or null, "fetched", "fetched_from"
// ("knot", the forge's remote, or null), "teammates", "integration": {"commit", "base", "run",
// "status", "summary", "undone", "review": {"verdict", "reason"} or null} or null, "server":
// "reachable" or "unreachable", "queued"}.
nlohmann::json summary_json(const SyncSummary& summary);

// The integration state in the answer of GET .../integration (`runs` newest first); throws
// knot::Error when the answer is malformed.
IntegrationState integration_state(const nlohmann::json& answer);

} // namespace knot
