// What the hook program (knot-hook, hooks/hook_client.cpp) and knot-agent say to each other over
// the agent's Unix socket; plain constants, so the hook program needs nothing but libc.
//
// The hook connects to <git dir>/knot/agent.sock and sends NUL-terminated fields: k_version, the
// hook's name, the directory it runs in, and GIT_INDEX_FILE as git set it (empty when unset);
// then it shuts its side down. The agent answers with one line, the hook's exit code in decimal
// or k_fallback, then what the hook prints on standard error, and closes. k_fallback, no answer
// or an agent that cannot be reached: the hook runs as if there were no agent (`git-knot hook`).
#pragma once

#include <cstddef>

namespace knot::agent_wire {

inline constexpr char k_socket_name[] = "agent.sock";
inline constexpr char k_lock_name[] = "agent.lock";
inline constexpr char k_version[] = "knot-hook/1";
inline constexpr char k_fallback[] = "fallback";
// The most a request may hold (four fields; a path is at most PATH_MAX).
inline constexpr std::size_t k_max_request = 16384;
// The most an answer may hold (the refusal lists at most a few hundred locks).
inline constexpr std::size_t k_max_answer = 1 << 20;

} // namespace knot::agent_wire
