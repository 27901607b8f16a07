// knot-agent: one clone's background helper, which answers the pre-commit hook (knot-hook) over
// a 0600 Unix socket in <git dir>/knot, so that a commit starts neither git-knot nor git: it
// keeps the room's session (identity, a warm connection to the server) and reads the staged
// paths with libgit2. What it answers is what `git-knot hook pre-commit` would do (the same
// pre_commit code, hooks/pre_commit.cpp); whatever it cannot answer the same way it hands back
// to the hook, which then runs git-knot (agent_wire.hpp).
//
// One agent a clone (a lock file in <git dir>/knot); started in the background by
// `git-knot hook pre-commit` (hooks/agent_starter.hpp). It ends when idle for k_idle, when its
// socket is removed or replaced (`git knot init --uninstall-hooks`, a deleted clone), when its
// program file is replaced (an upgrade), when knot.hookAgent is set to false, or on SIGTERM.
#pragma once

#include <chrono>
#include <filesystem>

namespace knot {

inline constexpr std::chrono::minutes k_agent_idle{15};

// Serves the clone whose work tree is `workdir` until one of the ends above. Returns the
// process's exit code: 0 when it ended as it should, or when another agent already serves the
// clone. Throws knot::Error when it cannot start (no such clone, a linked worktree, no
// <git dir>/knot, a socket it cannot bind).
int run_agent(const std::filesystem::path& workdir);

} // namespace knot
