// The sessions of MCP over HTTP (see http_sessions.hpp).
#include "mcp/http_sessions.hpp"

#include "libknot/protocol/crypto.hpp"

namespace knot::mcp {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A session neither used nor streaming for this long is ended when room is needed for a new
// one; so is, when the table is full, the one idle the longest for at least k_min_idle.
constexpr auto k_session_idle = std::chrono::minutes(10);
constexpr auto k_min_idle = std::chrono::seconds(60);
// Notifications waiting for a session's event stream, at most; the oldest go first beyond.
constexpr std::size_t k_max_queued = 1000;

// Stops every session of `ended` first, so that their followers end together, then lets them
// go (each destructor waits for its follower, by then about done).
void end_all(std::vector<std::shared_ptr<McpSession>>& ended) {
    for (auto& session : ended)
        session->close();
    ended.clear();
}

} // namespace

McpSession::McpSession()
    : m_last_used(Clock::now().time_since_epoch().count())
    , m_session({.outbox = OutboxOnOpen::keep})
    , m_live(m_session, [this](const json& note) { push(note); })
    , m_server(m_session, &m_live) {}

std::optional<json> McpSession::handle(const std::string& body) {
    touch();
    const std::lock_guard<std::mutex> lock(m_call);
    return m_server.handle_text(body);
}

void McpSession::touch() {
    m_last_used = Clock::now().time_since_epoch().count();
}

Clock::duration McpSession::idle() const {
    if (m_streams > 0)
        return Clock::duration::zero();
    return Clock::now().time_since_epoch() - Clock::duration(m_last_used.load());
}

McpSession::Streaming::Streaming(McpSession& session)
    : m_session(session) {
    ++m_session.m_streams;
}

McpSession::Streaming::~Streaming() {
    --m_session.m_streams;
    m_session.touch();
}

void McpSession::push(const json& note) {
    {
        const std::lock_guard<std::mutex> lock(m_queue_mutex);
        if (m_queue.size() >= k_max_queued)
            m_queue.pop_front();
        m_queue.push_back(note);
    }
    m_ready.notify_all();
}

std::optional<json> McpSession::pop(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(m_queue_mutex);
    m_ready.wait_for(lock, wait, [this] { return !m_queue.empty() || m_closed; });
    if (m_queue.empty() || m_closed)
        return std::nullopt;
    json note = std::move(m_queue.front());
    m_queue.pop_front();
    return note;
}

void McpSession::close() {
    {
        const std::lock_guard<std::mutex> lock(m_queue_mutex);
        m_closed = true;
    }
    m_ready.notify_all();
    m_live.stop();
}

bool McpSession::closed() {
    const std::lock_guard<std::mutex> lock(m_queue_mutex);
    return m_closed;
}

std::optional<std::pair<std::string, std::shared_ptr<McpSession>>> Sessions::open() {
    std::vector<std::shared_ptr<McpSession>> ended;
    bool full = false;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        reclaim(ended);
        full = m_sessions.size() >= k_max_http_sessions;
    }
    end_all(ended); // outside the lock: a session takes up to a second to end
    if (full)
        return std::nullopt; // refused before any room session is opened for it
    auto session = std::make_shared<McpSession>(); // opens a room session: not under the lock
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (m_sessions.size() >= k_max_http_sessions)
        return std::nullopt;
    std::string id = random_hex(16);
    m_sessions[id] = session;
    return std::make_pair(std::move(id), std::move(session));
}

std::shared_ptr<McpSession> Sessions::find(const std::string& id) {
    const std::lock_guard<std::mutex> lock(m_mutex);
    const auto found = m_sessions.find(id);
    return found == m_sessions.end() ? nullptr : found->second;
}

bool Sessions::close(const std::string& id) {
    std::shared_ptr<McpSession> session;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        const auto found = m_sessions.find(id);
        if (found == m_sessions.end())
            return false;
        session = found->second;
        m_sessions.erase(found);
    }
    session->close();
    return true;
}

void Sessions::close_all() {
    std::vector<std::shared_ptr<McpSession>> ended;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        for (auto& [id, session] : m_sessions)
            ended.push_back(session);
        m_sessions.clear();
    }
    end_all(ended);
}

void Sessions::reclaim(std::vector<std::shared_ptr<McpSession>>& ended) {
    auto longest = m_sessions.end();
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        const auto idle = it->second->idle();
        if (idle >= k_session_idle) {
            ended.push_back(it->second);
            it = m_sessions.erase(it);
            continue;
        }
        if (longest == m_sessions.end() || idle > longest->second->idle())
            longest = it;
        ++it;
    }
    if (m_sessions.size() >= k_max_http_sessions && longest != m_sessions.end() &&
        longest->second->idle() >= k_min_idle) {
        ended.push_back(longest->second);
        m_sessions.erase(longest);
    }
}

} // namespace knot::mcp
