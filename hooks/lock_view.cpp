// Locks in the server's answers and the refusal they cause (see lock_view.hpp).
#include "hooks/lock_view.hpp"

#include "libknot/base/time_text.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

namespace knot {
namespace {

using nlohmann::json;

// "4m 59s", "2h 5m", "now".
std::string duration_text(std::int64_t seconds) {
    return seconds <= 0 ? "now" : seconds_text(seconds);
}

} // namespace

std::vector<LockView> parse_locks(const json& locks) {
    std::vector<LockView> out;
    if (!locks.is_array())
        return out;
    for (const auto& lock : locks) {
        if (!lock.is_object() || !lock.contains("path") || !lock["path"].is_string())
            continue;
        LockView view;
        view.path = lock["path"].get<std::string>();
        const auto text = [&](const char* key) {
            return lock.contains(key) && lock[key].is_string() ? lock[key].get<std::string>() : "";
        };
        view.agent = text("agent");
        view.agent_name = text("agent_name");
        view.intent = text("intent");
        if (lock.contains("expires_at") && lock["expires_at"].is_number_integer())
            view.expires_at = lock["expires_at"].get<std::int64_t>();
        out.push_back(std::move(view));
    }
    return out;
}

std::vector<LockView> locks_held_by_others(const std::vector<LockView>& locks,
                                           const std::vector<std::string>& paths,
                                           std::string_view self) {
    std::vector<LockView> out;
    for (const auto& lock : locks)
        if (lock.agent != self && std::binary_search(paths.begin(), paths.end(), lock.path))
            out.push_back(lock);
    return out;
}

std::string refusal_message(std::string_view action, const std::vector<LockView>& conflicts,
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
