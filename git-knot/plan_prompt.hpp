// The prompt `git knot plan "goal"` gives the planner (knot.planner): the goal, the repository's
// layout and the board's open tasks, the last two fenced as data, and the answer's JSON shape.
#pragma once

#include "git-knot/plan_answer.hpp"

#include <string>
#include <vector>

namespace knot::cli {

// What a planner is shown besides the goal.
struct PlanMaterial {
    std::vector<std::string> files;       // the repository's files (git ls-files), any number
    std::vector<ProposedTask> open_tasks; // the board's open and claimed tasks
};

// The layout is cut to about this many bytes: the files in order until it is reached, then how
// many more there are under each top-level directory.
inline constexpr std::size_t k_max_layout_bytes = 16 * 1024;

// The prompt for `goal` (the user's own words, the request). The layout and the tasks come from
// the repository and the room, which others write: they sit between BEGIN and END lines of a
// boundary that occurs nowhere in them, so no file name or title can close the fence, and the
// prompt says that what is inside is data, not instructions. Files that are not repository
// paths (control characters, not UTF-8) are left out.
std::string plan_prompt(const std::string& goal, const PlanMaterial& material);

} // namespace knot::cli
