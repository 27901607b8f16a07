// Starting a clone's knot-agent (knot-agent/agent.hpp) from the pre-commit hook, so that the
// next commit asks it instead of starting git-knot and git.
#pragma once

namespace knot {

class Clone;

// The variable knot-hook sets when it runs the hook without an agent: only then does an agent
// help (a hook that is the shim alone never asks one).
inline constexpr char k_hook_client_variable[] = "KNOT_HOOK_CLIENT";

// True when knot.hookAgent is set to false (or off, no, 0): no agent is to run for `clone`.
bool agent_disabled(const Clone& clone);

// True when the agent of `clone` accepts on its socket (<git dir>/knot/agent.sock).
bool agent_running(const Clone& clone);

// Starts knot-agent for `clone` in the background (its own session, no terminal, output on
// /dev/null) when the hook ran from knot-hook, knot.hookAgent is not false, the clone is its main
// work tree, and knot-agent is installed beside this program. An agent that already serves the
// clone keeps it (the new one finds its lock taken and ends). Never throws: git goes on.
void start_agent(const Clone& clone);

} // namespace knot
