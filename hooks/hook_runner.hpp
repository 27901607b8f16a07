// What each git hook does for knot (`git knot hook <name>`): pre-commit claims locks on the
// staged paths, pre-push refuses to send paths other agents hold and announces the push,
// post-merge / post-checkout / post-rewrite report the new head and release locks whose changes
// reached refs/knot/integration. A hook never blocks git because the server is down: it warns
// once, queues its report in the outbox and lets git go on. Only a lock held by another agent
// refuses (exit 1).
#pragma once

#include "hooks/hook_git.hpp"

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

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
