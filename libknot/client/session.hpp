// What the porcelain's room commands, the hooks and the remote helper each need: the clone, its
// identity, its room, a client signed as this agent and the outbox of notices not yet delivered.
// One object opens them all; the options say where the three programs differ. Outside any
// repository, the porcelain's session is the user's relay agent's (relay_home.hpp): it has no
// clone, and what needs one says so.
#pragma once

#include "libknot/client/clone.hpp"
#include "libknot/client/outbox.hpp"
#include "libknot/client/relay_home.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/identity.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace knot {

// Whether opening a session sends what waits in the outbox before anything else (the remote
// helper does), or leaves that to the caller (a hook delivers only when it has something to
// say, so that a hook with nothing to do costs no request).
enum class OutboxOnOpen { keep, deliver };

struct SessionOptions {
    // How long one request may wait for the server; nothing: the HTTP client's default. A hook
    // waits a few seconds at most, then warns and lets git go on.
    std::optional<std::chrono::milliseconds> timeout = std::nullopt;
    OutboxOnOpen outbox = OutboxOnOpen::keep;
};

// The room and server a knot:: URL names (knot::<server>/<room>), which the remote helper's
// session must be for.
struct RoomAddress {
    std::string server; // base URL
    std::string room;
};

class Session {
public:
    // Opens the clone around the current directory (GIT_DIR when git set it), loads its
    // identity and joined room. Throws knot::Error when any is missing (naming the command that
    // fixes it), the identity checked first. Outside any repository it opens the relay agent
    // RelayHome::select() chooses, or throws knot::Error saying how to join as one.
    explicit Session(SessionOptions options = {});
    // A session for a clone and room already read (the hooks read the room first, so that a
    // clone outside a room costs nothing and says nothing). Throws knot::Error without an
    // identity.
    Session(Clone clone, RoomConfig room, SessionOptions options = {});
    // The remote helper's session: the clone git runs it in (GIT_DIR), which must have joined
    // `address.room` (knot::Error "this clone has not joined room <room>; run git knot join
    // <invite> first" otherwise); its client talks to `address.server`, the server the URL
    // names.
    Session(const RoomAddress& address, SessionOptions options = {});
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // The clone; a relay agent has none, and this throws knot::Refused saying so (run it in a
    // clone, or carry the identity into one with `git knot upgrade`).
    Clone& clone();
    const Clone& clone() const;
    // Whether this is a relay agent's session (no clone).
    bool relay() const { return !m_clone.has_value(); }
    // Where this agent keeps its state (the outbox, its intent): the clone's .git/knot, or the
    // relay folder.
    std::filesystem::path state_dir() const;
    // The agent's name and kind as configured (knot.name and knot.kind, or the relay's).
    std::string agent_name() const;
    std::string agent_kind() const;
    // A setting of the user's (knot.reviewer, knot.planner): git's whole config cascade in a
    // clone, the global and system config for a relay agent.
    std::optional<std::string> user_config(const std::string& key) const;
    const Identity& identity() const { return m_identity; }
    const RoomConfig& room() const { return m_room; }
    RoomClient& client() { return m_client; }
    Outbox& outbox() { return m_outbox; }

    // Sends what waits in the outbox, oldest first (Outbox::deliver); a server that is still
    // down leaves it waiting.
    // Refusals are warned about on `warnings` (standard error unless said).
    Outbox::Delivery deliver_outbox();
    Outbox::Delivery deliver_outbox(std::ostream& warnings);

private:
    // What each way of opening reads, in its own order, before the session is built from it.
    struct Opened {
        std::optional<Clone> clone;
        std::optional<RelayHome> relay;
        Identity identity;
        RoomConfig room;
    };
    static Opened open_joined();
    static Opened open_for(const RoomAddress& address);
    Session(Opened opened, const SessionOptions& options);

    std::optional<Clone> m_clone;
    std::optional<RelayHome> m_relay;
    Identity m_identity;
    RoomConfig m_room;
    RoomClient m_client;
    Outbox m_outbox;
};

} // namespace knot
