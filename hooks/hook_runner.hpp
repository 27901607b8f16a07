// What each git hook does for knot (`git knot hook <name>`): pre-commit claims locks on the
// staged paths, pre-push refuses to send paths other agents hold and announces the push,
// post-merge / post-checkout / post-rewrite report the new head and release locks whose changes
// reached refs/knot/integration. A hook never blocks git because the server is down: it warns
// once, queues its report in the outbox and lets git go on. Only a lock held by another agent
// refuses (exit 1).
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

// Runs the knot part of hook `name` (pre-commit, pre-push, post-merge, post-checkout,
// post-rewrite) in the clone around the current directory, with git's arguments `args` and its
// standard input `input`; warnings and refusals go to `err`. Returns the exit code: 1 when a
// lock held by another agent refuses a commit or push, else 0, whatever else went wrong (the
// server down, the clone not in a room, a hook name this version does not know).
int run_hook(std::string_view name, const std::vector<std::string>& args, std::istream& input,
             std::ostream& err);

} // namespace knot
