// What `git knot claim` warns of when the task it claimed names files (`files`, from its plan):
// those of them that another agent holds a live lock on, or that a task claimed by another agent
// names too. A warning, not a refusal: plans are guesses, locks are what refuses.
#pragma once

#include <string>
#include <vector>

namespace knot::wire {
struct Lock;
struct Task;
} // namespace knot::wire

namespace knot::cli {

// One line per overlap, without a prefix and ready for a terminal, for example
// "src/a.c is locked by bob (rewrite the parser)" or "src/a.c is also a file of t2 (add the
// lexer), claimed by carol". `self` is this agent's id: its own locks and tasks are no overlap,
// nor is `claimed` itself. Paths are compared exactly, as locks name them. At most 20 lines, then
// "... and N more".
std::vector<std::string> claim_overlaps(const wire::Task& claimed,
                                        const std::vector<wire::Lock>& locks,
                                        const std::vector<wire::Task>& tasks,
                                        const std::string& self);

} // namespace knot::cli
