// The sessions of MCP over HTTP (http.hpp): each a room session of its own with the MCP server
// on it, the room's events it follows and the notifications waiting for its event stream; and
// the table of them by MCP-Session-Id, bounded, idle ones reclaimed.
#pragma once

#include "libknot/client/session.hpp"
#include "mcp/live.hpp"
#include "mcp/server.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace knot::mcp {

// Sessions open at once at most; an initialize beyond them is refused with 503.
inline constexpr std::size_t k_max_http_sessions = 256;

class McpSession {
public:
    // Opens the clone's room session; throws knot::Error as Session does.
    McpSession();

    // One message at a time: the room session's connection is not shared between threads.
    std::optional<nlohmann::json> handle(const std::string& body);

    // How long since the session was last used; zero while an event stream is open on it.
    std::chrono::steady_clock::duration idle() const;

    // Counts an event stream open on the session while it lives.
    class Streaming {
    public:
        explicit Streaming(McpSession& session);
        ~Streaming();
        Streaming(const Streaming&) = delete;
        Streaming& operator=(const Streaming&) = delete;

    private:
        McpSession& m_session;
    };

    // Queues a notification for the event stream; beyond k_max_queued the oldest goes.
    void push(const nlohmann::json& note);
    // The next notification, or nothing after `wait` or once the session is closed.
    std::optional<nlohmann::json> pop(std::chrono::milliseconds wait);

    // Ends the session's streams and asks its follower to stop; the destructor waits for it.
    void close();
    bool closed();

private:
    void touch();

    std::atomic<std::chrono::steady_clock::rep> m_last_used;
    std::atomic<int> m_streams{0};
    std::mutex m_call;
    std::mutex m_queue_mutex;
    std::condition_variable m_ready;
    std::deque<nlohmann::json> m_queue;
    bool m_closed = false;
    Session m_session;
    LiveRoom m_live;
    McpServer m_server;
};

class Sessions {
public:
    // A new session and its id; nothing when k_max_http_sessions are open and none can be
    // reclaimed. Throws knot::Error when the room session cannot be opened.
    std::optional<std::pair<std::string, std::shared_ptr<McpSession>>> open();
    std::shared_ptr<McpSession> find(const std::string& id);
    // Ends session `id`; false when there is none.
    bool close(const std::string& id);
    void close_all();

private:
    // Moves to `ended` the sessions idle for k_session_idle and, when the table is still full,
    // the one idle the longest if that is at least k_min_idle (a client that never said DELETE).
    void reclaim(std::vector<std::shared_ptr<McpSession>>& ended);

    std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<McpSession>> m_sessions;
};

} // namespace knot::mcp
