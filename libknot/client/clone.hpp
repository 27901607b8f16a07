// One clone's knot state: its identity under .git/knot/, its room in `git config knot.*`, and
// the invite token in .git/knot/token (0600, never in git config, which others may read).
#pragma once

#include "libknot/git/git_repo.hpp"
#include "libknot/protocol/identity.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace knot {

// The room this clone has joined, as stored by `join` or `up`.
struct RoomConfig {
    std::string server; // base URL
    std::string room;
    std::string token;
    std::string agent_id;
};

// The agent name configuration gives: `knot_name`, else a name made from `user_name`, else from
// the login name ($USER), else "agent".
std::string agent_name_from(const std::optional<std::string>& knot_name,
                            const std::optional<std::string>& user_name);

// Throws the knot::Error that tells the user to join a room (or host one).
[[noreturn]] void refuse_not_joined();

class Clone {
public:
    // The clone containing the current directory; throws knot::Error outside a repository.
    static Clone open();
    explicit Clone(GitRepo repo);

    GitRepo& repo() { return m_repo; }
    const GitRepo& repo() const { return m_repo; }

    // <common git dir>/knot, shared by every worktree of the clone.
    std::filesystem::path knot_dir() const;
    std::filesystem::path key_path() const;
    std::filesystem::path token_path() const;
    // Where `git knot up` keeps the server's data unless told otherwise.
    std::filesystem::path default_server_dir() const;

    bool has_identity() const;
    // Loads the identity; throws knot::Error when there is none ("run git knot init") or the
    // key file's permissions are too open.
    Identity identity() const;
    // Creates the identity; throws knot::Error when one exists.
    Identity create_identity();
    // Stores an identity made earlier (join makes one before the server accepts it).
    void create_identity_from(const Identity& identity);

    // The agent name: knot.name, else derived from user.name or the login name.
    std::string agent_name() const;
    std::string agent_kind() const;

    // The joined room, or nothing when this clone has not joined one.
    std::optional<RoomConfig> room() const;
    // The joined room, or knot::Error telling the user to join one.
    RoomConfig require_room() const;
    // Stores the room: git config knot.server/room/agent and the token file.
    void save_room(const RoomConfig& room);

private:
    GitRepo m_repo;
};

} // namespace knot
