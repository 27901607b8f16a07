// Fuzzes how a planner's answer is read (git-knot/plan_answer.cpp): the agent's local AI writes
// it, steered by whatever the repository and the board hold, and its tasks go to the room.
#include "git-knot/plan_answer.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/repo_path.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

// Whatever the output, it is either refused with a PlanAnswerError (anything else thrown ends
// the run) or read into 1 to 50 tasks whose titles are one line of valid UTF-8 within the bound
// and whose files are distinct repository paths, at most 100 a task.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view output(reinterpret_cast<const char*>(data), size);
    std::vector<knot::cli::ProposedTask> tasks;
    try {
        tasks = knot::cli::read_plan_answer(output);
    } catch (const knot::cli::PlanAnswerError& e) {
        if (!knot::is_valid_utf8(e.what()))
            std::abort();
        return 0;
    }
    if (tasks.empty() || tasks.size() > knot::cli::k_max_proposed_tasks)
        std::abort();
    for (const auto& task : tasks) {
        if (task.title.empty() || !knot::is_valid_utf8(task.title))
            std::abort();
        std::size_t chars = 0;
        for (const char c : task.title) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                std::abort();
            chars += (static_cast<unsigned char>(c) & 0xc0) != 0x80 ? 1 : 0;
        }
        if (chars > knot::k_max_task_title_chars || task.files.size() > knot::k_max_task_files)
            std::abort();
        const std::set<std::string> distinct(task.files.begin(), task.files.end());
        if (distinct.size() != task.files.size())
            std::abort();
        for (const auto& file : task.files)
            if (knot::invalid_repo_path(file))
                std::abort();
    }
    return 0;
}
