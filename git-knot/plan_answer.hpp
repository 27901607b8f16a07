// Reading a planner's answer for `git knot plan "goal"`: the list of tasks a local AI proposed,
// found wherever it sits in the output (a ```json fence, after prose) and checked strictly.
#pragma once

#include "libknot/base/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace knot::cli {

// A task a plan proposes: its title and the repository paths it will touch.
struct ProposedTask {
    std::string title;
    std::vector<std::string> files;
};

// At most this many tasks from one answer.
inline constexpr std::size_t k_max_proposed_tasks = 50;

// Why an answer was not a plan; what() says it for people.
class PlanAnswerError : public Error {
public:
    using Error::Error;
};

// The tasks in a planner's `output`: the last JSON array in it whose items are each a string or an
// object with a "title" (an array inside another is part of it, not an answer of its own), read
// as ["title", ...] or [{"title": "...", "files": ["src/a.c"]}, ...] or a mix; other members of
// an object are ignored. Titles are trimmed and must be one line of 1 to k_max_task_title_chars
// characters; files must be repository paths (repo_path.hpp), at most k_max_task_files a task,
// duplicates dropped; 1 to k_max_proposed_tasks tasks. Throws PlanAnswerError naming the first
// thing wrong (the task by its number from 1), or, when there is no such array, quoting the
// output's first line. Nesting deeper than an answer needs is refused, not recursed into; only
// the first 1 MiB is read.
std::vector<ProposedTask> read_plan_answer(std::string_view output);

} // namespace knot::cli
