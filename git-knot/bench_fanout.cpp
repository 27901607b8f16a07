// `git knot bench`'s fan-out figure (see bench_fanout.hpp).
#include "git-knot/bench_fanout.hpp"

#include <nlohmann/json.hpp>

namespace knot {
namespace {

constexpr std::array<const char*, k_bench_ops> k_event_types = {
    "lock.acquired", "lock.released", "task.claimed", "chat.message", "sync.pushed"};

std::size_t index_of(BenchOp op) {
    return static_cast<std::size_t>(op);
}

// A string member of `object`, "" when absent or of another type.
std::string text_of(const nlohmann::json& object, const char* name) {
    const auto found = object.find(name);
    return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

} // namespace

const char* bench_op_name(BenchOp op) {
    constexpr std::array<const char*, k_bench_ops> names = {"lock", "release", "claim", "message",
                                                            "push"};
    return names[index_of(op)];
}

std::string bench_write_key(BenchOp op, const std::string& subject) {
    return std::string(k_event_types[index_of(op)]) + " " + subject;
}

std::string bench_event_key(const nlohmann::json& event) {
    if (!event.is_object())
        return "";
    const std::string type = text_of(event, "type");
    const auto data = event.find("data");
    if (data == event.end() || !data->is_object())
        return "";
    if (type == "lock.acquired" || type == "lock.released") {
        // Each of our lock requests names one path.
        const auto paths = data->find("paths");
        if (paths == data->end() || !paths->is_array() || paths->size() != 1 ||
            !paths->front().is_string())
            return "";
        return type + " " + paths->front().get<std::string>();
    }
    if (type == "task.claimed")
        return type + " " + text_of(*data, "id");
    if (type == "chat.message")
        return type + " " + text_of(*data, "text");
    if (type == "sync.pushed")
        return type + " " + text_of(*data, "new");
    return "";
}

FanoutTracker::FanoutTracker(int listeners)
    : m_listeners(listeners) {}

void FanoutTracker::expect(const std::string& key, BenchOp op, Clock::time_point sent) {
    std::lock_guard lock(m_mutex);
    m_pending[key] = {op, sent, m_listeners};
}

void FanoutTracker::forget(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_pending.erase(key);
    m_changed.notify_all();
}

void FanoutTracker::seen(const nlohmann::json& event, Clock::time_point now) {
    const std::string key = bench_event_key(event);
    if (key.empty())
        return;
    std::lock_guard lock(m_mutex);
    const auto found = m_pending.find(key);
    if (found == m_pending.end())
        return;
    m_delays[index_of(found->second.op)].add(
        std::chrono::duration<double, std::milli>(now - found->second.sent).count());
    ++m_deliveries;
    if (--found->second.left <= 0)
        m_pending.erase(found);
    m_changed.notify_all();
}

bool FanoutTracker::drain(std::chrono::milliseconds quiet) {
    std::unique_lock lock(m_mutex);
    while (!m_pending.empty()) {
        const std::uint64_t before = m_deliveries;
        m_changed.wait_for(lock, quiet,
                           [&] { return m_pending.empty() || m_deliveries != before; });
        if (!m_pending.empty() && m_deliveries == before)
            break; // nothing of ours arrived for `quiet`: what is left is not coming
    }
    const bool complete = m_pending.empty();
    for (const auto& [key, pending] : m_pending)
        m_missing[index_of(pending.op)] += static_cast<std::uint64_t>(pending.left);
    m_pending.clear();
    return complete;
}

LatencyHistogram FanoutTracker::delays(BenchOp op) const {
    std::lock_guard lock(m_mutex);
    return m_delays[index_of(op)];
}

std::uint64_t FanoutTracker::missing(BenchOp op) const {
    std::lock_guard lock(m_mutex);
    return m_missing[index_of(op)];
}

} // namespace knot
