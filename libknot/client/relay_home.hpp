// A relay agent: a member of a room that has no clone (an agent planning, chatting, claiming and
// reviewing from wherever it runs). Its identity and room live in the user's config folder,
// one folder a room: $XDG_CONFIG_HOME/knot/relay/<room>/ (~/.config when XDG_CONFIG_HOME is
// unset or relative), 0700, holding agent.key and token (0600) and room.json (the server, the
// room, the agent's id, name and kind). `git knot` run outside any repository acts as it;
// `git knot upgrade` moves it into a clone.
#pragma once

#include "libknot/client/clone.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/wire.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace knot {

// The capability a relay agent's card carries; the server refuses it locks and pushes.
inline constexpr const char* k_relay_capability = "relay";

// Whether a member's card, as the room lists it, is a relay agent's.
bool is_relay_member(const wire::Agent& member);

class RelayHome {
public:
    // <config>/knot/relay: the folder of every relay room of this user.
    static std::filesystem::path root();
    // The rooms with a relay identity here, sorted.
    static std::vector<std::string> rooms();
    // The relay room commands act in: KNOT_ROOM when set (an error when it has no relay
    // identity here), else the only one; nothing when there is none. Several without KNOT_ROOM
    // is an error listing them.
    static std::optional<RelayHome> select();
    // As select, run outside any repository: no relay agent is an error saying how to make one.
    static RelayHome select_outside_clone();
    // The relay folder of `room`, whether or not it exists yet.
    static RelayHome of(const std::string& room);

    const std::filesystem::path& dir() const { return m_dir; }
    bool exists() const;
    std::filesystem::path key_path() const { return m_dir / "agent.key"; }

    bool has_identity() const;
    // Loads the key; knot::Error when its file is readable by others or missing.
    Identity identity() const;
    // The stored room, agent name and kind; knot::Error when damaged.
    RoomConfig room() const;
    std::string agent_name() const;
    std::string agent_kind() const;

    // Writes the folder: the key (unless one is there), the token and room.json, each
    // atomically; the caller has had the card accepted by the server first.
    void save(const Identity& identity, const RoomConfig& room, const std::string& name,
              const std::string& kind);
    // Removes the folder (after `upgrade` carried it into a clone).
    void remove();

private:
    explicit RelayHome(std::filesystem::path dir)
        : m_dir(std::move(dir)) {}
    std::filesystem::path m_dir;
};

} // namespace knot
