// What most room commands need: the clone, its identity, its room and a client signed as this
// agent. Opening one delivers what waits in the outbox first.
#pragma once

#include "libknot/client/clone.hpp"
#include "libknot/client/outbox.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/identity.hpp"

#include <nlohmann/json.hpp>

namespace knot {

class Session {
public:
    // Opens the clone around the current directory, loads its identity and joined room.
    // Throws knot::Error when any is missing (naming the command that fixes it).
    Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    Clone& clone() { return m_clone; }
    const Identity& identity() const { return m_identity; }
    const RoomConfig& room() const { return m_room; }
    RoomClient& client() { return m_client; }
    Outbox& outbox() { return m_outbox; }

    // Sends what waits in the outbox; a server that is still down leaves it waiting.
    void deliver_outbox();

private:
    Clone m_clone;
    Identity m_identity;
    RoomConfig m_room;
    RoomClient m_client;
    Outbox m_outbox;
};

} // namespace knot
