// Following a room's events over the WebSocket stream (docs/protocol.md, "The event stream"),
// resuming from the last sequence number seen whenever the stream drops.
#pragma once

#include "libknot/client/clone.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace knot {

class Identity;

class EventStream {
public:
    // `identity` must outlive the stream.
    EventStream(RoomConfig room, const Identity& identity);

    // Calls `on_event` for every event with seq > `since`, in order and exactly once, until it
    // returns false or stop() is called. A dropped stream (no frame for 45 s, a closed socket,
    // a restarted server) is reopened from the last seq delivered; `on_state` hears
    // "connected", "reconnecting: <why>" as that happens. Throws knot::HttpError when the
    // server refuses the hello (bad token or signature), since retrying cannot help.
    void follow(std::int64_t since, const std::function<bool(const nlohmann::json&)>& on_event,
                const std::function<void(const std::string&)>& on_state = {});

    // Makes follow() return within about a second. Safe from any thread or a signal handler.
    void stop() { m_stopped = true; }
    std::int64_t last_seq() const { return m_last_seq; }

private:
    RoomConfig m_room;
    const Identity& m_identity;
    std::atomic<bool> m_stopped{false};
    std::int64_t m_last_seq = 0;
};

} // namespace knot
