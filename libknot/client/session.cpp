// What most room commands need (see session.hpp).
#include "libknot/client/session.hpp"

#include "libknot/base/error.hpp"

namespace knot {

Session::Session()
    : m_clone(Clone::open())
    , m_identity(m_clone.identity())
    , m_room(m_clone.require_room())
    , m_client(m_room.server, m_room.room, m_room.token, &m_identity, m_room.agent_id)
    , m_outbox(m_clone.knot_dir() / "outbox") {}

void Session::deliver_outbox() {
    if (m_outbox.size() == 0)
        return;
    try {
        m_outbox.flush(m_client);
    } catch (const UnreachableError&) {
    }
}

} // namespace knot
