// What the room commands, the hooks and the remote helper need (see session.hpp).
#include "libknot/client/session.hpp"

#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"

namespace knot {

Session::Opened Session::open_joined() {
    std::optional<GitRepo> repo = GitRepo::discover_if_any(std::filesystem::current_path());
    if (!repo) {
        RelayHome relay = RelayHome::select_outside_clone();
        Identity identity = relay.identity();
        RoomConfig room = relay.room();
        return Opened{std::nullopt, std::move(relay), std::move(identity), std::move(room)};
    }
    Clone clone(std::move(*repo));
    Identity identity = clone.identity();
    RoomConfig room = clone.require_room();
    return Opened{std::move(clone), std::nullopt, std::move(identity), std::move(room)};
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
    return Opened{std::move(clone), std::nullopt, std::move(identity), std::move(joined)};
}

Session::Session(SessionOptions options)
    : Session(open_joined(), options) {}

Session::Session(Clone clone, RoomConfig room, SessionOptions options)
    : Session(
          [&] {
              Identity identity = clone.identity();
              return Opened{std::move(clone), std::nullopt, std::move(identity), std::move(room)};
          }(),
          options) {}

Session::Session(const RoomAddress& address, SessionOptions options)
    : Session(open_for(address), options) {}

Session::Session(Opened opened, const SessionOptions& options)
    : m_clone(std::move(opened.clone))
    , m_relay(std::move(opened.relay))
    , m_identity(std::move(opened.identity))
    , m_room(std::move(opened.room))
    , m_client(m_room.server, m_room.room, m_room.token, &m_identity, m_room.agent_id)
    , m_outbox(state_dir() / "outbox") {
    if (options.timeout)
        m_client.http() = HttpClient(m_room.server, *options.timeout);
    if (options.outbox == OutboxOnOpen::deliver)
        deliver_outbox();
}

namespace {

[[noreturn]] void refuse_without_clone(const RoomConfig& room, const std::string& name) {
    throw Refused("this needs a clone of the room's repository, and '" + name +
                  "' is the relay agent of room " + room.room +
                  " (no clone here): run it inside a clone, or carry this identity into one "
                  "with 'git knot upgrade' there");
}

} // namespace

Clone& Session::clone() {
    if (!m_clone)
        refuse_without_clone(m_room, agent_name());
    return *m_clone;
}

const Clone& Session::clone() const {
    if (!m_clone)
        refuse_without_clone(m_room, agent_name());
    return *m_clone;
}

std::filesystem::path Session::state_dir() const {
    return m_clone ? m_clone->knot_dir() : m_relay->dir();
}

std::string Session::agent_name() const {
    return m_clone ? m_clone->agent_name() : m_relay->agent_name();
}

std::string Session::agent_kind() const {
    return m_clone ? m_clone->agent_kind() : m_relay->agent_kind();
}

std::optional<std::string> Session::user_config(const std::string& key) const {
    if (m_clone)
        return m_clone->repo().config_get_any(key);
    return user_config_get(key);
}

Outbox::Delivery Session::deliver_outbox() {
    return m_outbox.deliver(m_client);
}

Outbox::Delivery Session::deliver_outbox(std::ostream& warnings) {
    return m_outbox.deliver(m_client, warnings);
}

} // namespace knot
