// The five hooks, one file each, which hook_runner.cpp dispatches by name. Each returns the
// hook's exit code: 1 when a lock held by another agent refuses a commit or a push, else 0; with
// the server down it warns and queues its report (HookContext::go_on_offline).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace knot {

class HookContext;

// Claims locks on the staged paths (unless knot.autolock is off), with the agent's intent.
int pre_commit(HookContext& ctx);
// pre_commit with the staged paths already read (knot-agent reads them from the index itself,
// without starting git): `staged` as staged_paths() lists them.
int pre_commit_paths(HookContext& ctx, const std::vector<std::string>& staged);

// Refuses a push of paths other agents hold, renews this agent's locks and announces the push
// (sync.pushing) unless it goes through knot itself. `args` are git's: remote name, URL; `input`
// lists the ref updates.
int pre_push(HookContext& ctx, const std::vector<std::string>& args, std::istream& input);

// Reports the new head (agent.head) and releases this agent's locks whose changes reached
// refs/knot/integration.
int post_merge(HookContext& ctx);

// After a branch checkout (`args`: previous HEAD, new HEAD, 1), what post_merge does; nothing
// after a checkout of files.
int post_checkout(HookContext& ctx, const std::vector<std::string>& args);

// After a rebase or an amend, what post_merge does; `input` (the rewritten commits) is drained.
int post_rewrite(HookContext& ctx, std::istream& input);

// What the three post-* hooks share: reports `commit` (HEAD's when empty) as the head of the
// branch HEAD names, unless HEAD is detached or unborn, then releases the locks that can go.
int report_new_head(HookContext& ctx, std::string commit);

} // namespace knot
