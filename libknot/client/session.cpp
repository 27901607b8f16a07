// What the room commands, the hooks and the remote helper need (see session.hpp).
#include "libknot/client/session.hpp"

#include "libknot/base/error.hpp"

namespace knot {

Session::Opened Session::open_joined() {
    Clone clone = Clone::open();
    Identity identity = clone.identity();
    RoomConfig room = clone.require_room();
    return Opened{std::move(clone), std::move(identity), std::move(room)};
}

Session::Opened Session::open_for(const RoomAddress& address) {
    Clone clone = Clone::open();
    const std::optional<RoomConfig> room = clone.room();
    if (!room || room->room != address.room)
        throw Error("this clone has not joined room " + address.room +
                    "; run git knot join <invite> first");
    RoomConfig joined = *room;
    joined.server = address.server;
    Identity identity = clone.identity();
    return Opened{std::move(clone), std::move(identity), std::move(joined)};
}

Session::Session(SessionOptions options)
    : Session(open_joined(), options) {}

Session::Session(Clone clone, RoomConfig room, SessionOptions options)
    : Session(
          [&] {
              Identity identity = clone.identity();
              return Opened{std::move(clone), std::move(identity), std::move(room)};
          }(),
          options) {}

Session::Session(const RoomAddress& address, SessionOptions options)
    : Session(open_for(address), options) {}

Session::Session(Opened opened, const SessionOptions& options)
    : m_clone(std::move(opened.clone))
    , m_identity(std::move(opened.identity))
    , m_room(std::move(opened.room))
    , m_client(m_room.server, m_room.room, m_room.token, &m_identity, m_room.agent_id)
    , m_outbox(m_clone.knot_dir() / "outbox") {
    if (options.timeout)
        m_client.http() = HttpClient(m_room.server, *options.timeout);
    if (options.outbox == OutboxOnOpen::deliver)
        deliver_outbox();
}

Outbox::Delivery Session::deliver_outbox() {
    return m_outbox.deliver(m_client);
}

Outbox::Delivery Session::deliver_outbox(std::ostream& warnings) {
    return m_outbox.deliver(m_client, warnings);
}

} // namespace knot
