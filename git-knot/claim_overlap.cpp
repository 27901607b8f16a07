// The overlaps a claim warns of (see claim_overlap.hpp).
#include "git-knot/claim_overlap.hpp"

#include "libknot/base/utf8.hpp"
#include "libknot/protocol/wire.hpp"

#include <set>

namespace knot::cli {
namespace {

constexpr std::size_t k_max_lines = 20;

} // namespace

std::vector<std::string> claim_overlaps(const wire::Task& claimed,
                                        const std::vector<wire::Lock>& locks,
                                        const std::vector<wire::Task>& tasks,
                                        const std::string& self) {
    const std::set<std::string> files(claimed.files.begin(), claimed.files.end());
    std::vector<std::string> lines;
    for (const wire::Lock& lock : locks) {
        if (lock.agent == self || files.count(lock.path) == 0)
            continue;
        const std::string holder = lock.agent_name.empty() ? lock.agent : lock.agent_name;
        lines.push_back(lock.path + " is locked by " + holder +
                        (lock.intent.empty() ? "" : " (" + lock.intent + ")"));
    }
    for (const wire::Task& task : tasks) {
        if (task.id == claimed.id || task.status != "claimed" || !task.claimed_by ||
            *task.claimed_by == self)
            continue;
        const std::string claimer = task.claimed_by_name.value_or(*task.claimed_by);
        for (const std::string& file : task.files)
            if (files.count(file) != 0)
                lines.push_back(file + " is also a file of " + task.id + " (" + task.title +
                                "), claimed by " + claimer);
    }
    for (std::string& line : lines)
        line = terminal_text(line);
    if (lines.size() > k_max_lines) {
        const std::size_t more = lines.size() - k_max_lines;
        lines.resize(k_max_lines);
        lines.push_back("... and " + std::to_string(more) + " more");
    }
    return lines;
}

} // namespace knot::cli
