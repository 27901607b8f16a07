// What every hook needs once it knows the clone is in a room: the room's session with a short
// timeout, where warnings go, and the one way a hook goes on when the server is down (a warning,
// its reports queued in the outbox).
#pragma once

#include "libknot/client/session.hpp"

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knot {

class UnreachableError;

// A report a hook sends, or queues when the server cannot be reached: a signed POST of `body`
// to `target` under /v1/rooms/<room>.
struct Report {
    std::string target;
    nlohmann::json body;
};

class HookContext {
public:
    // The session of `clone` in `room` for hook `hook`, whose requests wait a few seconds at
    // most (hook_session_options()). Throws knot::Error when the clone has no identity.
    HookContext(Clone clone, RoomConfig room, std::string hook, std::ostream& err);
    // A hook run in a session that outlives it (knot-agent keeps one open between commits, its
    // connection warm); `session` must outlive this context.
    HookContext(Session& session, std::string hook, std::ostream& err);
    HookContext(const HookContext&) = delete;
    HookContext& operator=(const HookContext&) = delete;

    Clone& clone() { return m_session.clone(); }
    std::filesystem::path workdir() const { return m_session.clone().repo().workdir(); }
    const std::string& self() const { return m_session.room().agent_id; }
    RoomClient& client() { return m_session.client(); }
    std::ostream& err() { return m_err; }

    // Delivers what waits in the outbox, first, so the room sees reports in order. Throws
    // knot::UnreachableError when the server did not take the first of them.
    void deliver_outbox();

    // The server is down: one warning line, `reports` queued, git goes on. Returns 0, the hook's
    // exit code.
    int go_on_offline(const UnreachableError& e, const std::vector<Report>& reports);

private:
    std::unique_ptr<Session> m_owned; // null when the session is borrowed
    Session& m_session;
    std::string m_hook;
    std::ostream& m_err;
};

// What a hook's session is opened with: requests that wait a few seconds at most, then the hook
// warns and lets git go on.
SessionOptions hook_session_options();

// Splits `paths` into requests the server accepts (at most k_max_paths_per_request each).
std::vector<std::vector<std::string>> batches(const std::vector<std::string>& paths);

// What the agent says it is doing, sent as the intent of locks the hooks claim: the first line
// of `knot_dir`/intent (at most 200 bytes, cut between UTF-8 characters) when that file exists,
// else "" (the server then keeps the intent of a lock the agent renews, and records none for a
// new one).
std::string current_intent(const std::filesystem::path& knot_dir);

} // namespace knot
