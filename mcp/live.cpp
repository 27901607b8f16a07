// Following the room for an MCP session (see live.hpp).
#include "mcp/live.hpp"

#include "libknot/client/event_stream.hpp"
#include "libknot/client/session.hpp"
#include "mcp/json_rpc.hpp"

#include <array>
#include <iostream>
#include <string_view>

namespace knot::mcp {
namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
    return text.rfind(prefix, 0) == 0;
}

constexpr std::array<std::string_view, 8> k_levels = {"debug", "info",     "notice", "warning",
                                                      "error", "critical", "alert",  "emergency"};

std::size_t rank(const std::string& level) {
    for (std::size_t i = 0; i < k_levels.size(); ++i)
        if (k_levels[i] == level)
            return i;
    return 1; // an unknown level counts as info
}

} // namespace

std::set<std::string> resources_touched(const std::string& type) {
    std::set<std::string> touched = {"knot://events"};
    if (starts_with(type, "lock.") || type == "agent.doing")
        touched.insert({"knot://locks", "knot://room"});
    if (starts_with(type, "task."))
        touched.insert({"knot://tasks", "knot://room"});
    if (starts_with(type, "agent.") || starts_with(type, "room."))
        touched.insert("knot://room");
    if (starts_with(type, "integration.") || starts_with(type, "sync."))
        touched.insert("knot://integration");
    return touched;
}

std::string log_level_of(const std::string& type) {
    for (const char* failed : {"sync.check_failed", "sync.merge_conflict", "sync.review_failed",
                               "integration.error", "integration.forge_push_failed"})
        if (type == failed)
            return "error";
    for (const char* warned :
         {"lock.broken", "lock.expired", "sync.held_locked", "integration.undone"})
        if (type == warned)
            return "warning";
    if (type == "sync.integrated" || type == "chat.message" || starts_with(type, "task."))
        return "notice";
    if (type == "lock.renewed" || type == "agent.head")
        return "debug";
    return "info";
}

bool level_passes(const std::string& level, const std::string& minimum) {
    return rank(level) >= rank(minimum);
}

LiveRoom::LiveRoom(Session& session, Send send)
    : m_session(session)
    , m_send(std::move(send)) {}

LiveRoom::~LiveRoom() {
    if (m_stream)
        m_stream->stop();
    if (m_thread.joinable())
        m_thread.join();
}

void LiveRoom::start() {
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        if (m_stream || m_stopped)
            return;
    }
    const std::int64_t since = m_session.client().get("").value("last_seq", std::int64_t{0});
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (m_stopped)
        return;
    m_stream = std::make_unique<EventStream>(m_session.room(), m_session.identity());
    m_thread = std::thread([this, since] {
        try {
            m_stream->follow(since, [this](const nlohmann::json& event) {
                deliver(event);
                return true;
            });
        } catch (const std::exception& e) {
            // Refused for good (the token or the key): the tools still say so on each call.
            std::cerr << "git knot mcp: the room's event stream ended: " << e.what() << '\n';
        }
    });
}

void LiveRoom::stop() {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_stopped = true;
    if (m_stream)
        m_stream->stop();
}

void LiveRoom::subscribe(const std::string& uri) {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_subscribed.insert(uri);
}

void LiveRoom::unsubscribe(const std::string& uri) {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_subscribed.erase(uri);
}

void LiveRoom::set_log_level(const std::string& level) {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_log_level = level;
}

void LiveRoom::deliver(const nlohmann::json& event) {
    const std::string type = event.value("type", "");
    std::set<std::string> updated;
    bool log = false;
    const std::string level = log_level_of(type);
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        for (const auto& uri : resources_touched(type))
            if (m_subscribed.count(uri))
                updated.insert(uri);
        log = level_passes(level, m_log_level);
    }
    for (const auto& uri : updated)
        m_send(notification_message("notifications/resources/updated", {{"uri", uri}}));
    if (log)
        m_send(notification_message("notifications/message",
                                    {{"level", level}, {"logger", "knot"}, {"data", event}}));
}

} // namespace knot::mcp
