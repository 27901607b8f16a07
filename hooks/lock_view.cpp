// The locks that conflict and the refusal they cause (see lock_view.hpp).
#include "hooks/lock_view.hpp"

#include "libknot/base/time_text.hpp"

#include <algorithm>
#include <sstream>

namespace knot {
namespace {

// "4m 59s", "2h 5m", "now".
std::string duration_text(std::int64_t seconds) {
    return seconds <= 0 ? "now" : seconds_text(seconds);
}

} // namespace

std::vector<wire::Lock> locks_held_by_others(const std::vector<wire::Lock>& locks,
                                             const std::vector<std::string>& paths,
                                             std::string_view self) {
    std::vector<wire::Lock> out;
    for (const auto& lock : locks)
        if (lock.agent != self && std::binary_search(paths.begin(), paths.end(), lock.path))
            out.push_back(lock);
    return out;
}

std::string refusal_message(std::string_view action, const std::vector<wire::Lock>& conflicts,
                            std::int64_t now) {
    std::ostringstream out;
    const std::size_t n = conflicts.size();
    out << "knot: " << action << " refused: " << n << (n == 1 ? " path is" : " paths are")
        << " locked by another agent\n";
    for (const auto& lock : conflicts) {
        const std::string holder = lock.agent_name.empty() ? lock.agent : lock.agent_name;
        out << "  " << lock.path << "  locked by " << holder;
        out << (lock.intent.empty() ? " (no intent given)" : " (\"" + lock.intent + "\")");
        if (lock.expires_at > 0)
            out << ", expires in " << duration_text(lock.expires_at - now) << " (at "
                << local_clock(lock.expires_at) << ")";
        out << '\n';
    }
    out << "hint: coordinate with the holder ('git knot say ...') or wait for the lease to end; "
           "the room's server refuses (hosted) or holds (forge) a push of this change whatever "
           "the hooks say\n";
    return out.str();
}

} // namespace knot
