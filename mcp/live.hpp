// The room as it changes, for an MCP session: a thread follows the room's event stream (which
// resumes after a drop without losing an event) and, for each event, tells the client that the
// resources it subscribed to and the event touches were updated
// (notifications/resources/updated), and sends the event as a log message whose level follows
// its kind (notifications/message: a failed check is an error, a broken lock a warning).
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace knot {
class EventStream;
class Session;
} // namespace knot

namespace knot::mcp {

// The resources an event of `type` changes (knot://events always).
std::set<std::string> resources_touched(const std::string& type);

// The MCP log level of an event of `type`: error, warning, notice, info or debug.
std::string log_level_of(const std::string& type);

// True when a message at `level` passes the client's minimum `minimum` (RFC 5424's order).
bool level_passes(const std::string& level, const std::string& minimum);

class LiveRoom {
public:
    using Send = std::function<void(const nlohmann::json& notification)>;

    // `session` and `send` must outlive this object; `send` is called from the follower thread.
    LiveRoom(Session& session, Send send);
    ~LiveRoom();
    LiveRoom(const LiveRoom&) = delete;
    LiveRoom& operator=(const LiveRoom&) = delete;

    // Starts following from the room's newest event (once; later calls do nothing).
    void start();

    // Asks the follower to end (within about a second) without waiting for it; the destructor
    // waits. Stopping many rooms first, then destroying them, waits about a second in all.
    void stop();

    void subscribe(const std::string& uri);
    void unsubscribe(const std::string& uri);
    void set_log_level(const std::string& level);

private:
    void deliver(const nlohmann::json& event);

    Session& m_session;
    Send m_send;
    std::unique_ptr<EventStream> m_stream;
    std::thread m_thread;
    std::mutex m_mutex; // guards the four below (the stream's pointer, not the stream)
    bool m_stopped = false;
    std::set<std::string> m_subscribed;
    std::string m_log_level = "info";
};

} // namespace knot::mcp
