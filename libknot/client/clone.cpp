// One clone's knot state (see clone.hpp).
#include "libknot/client/clone.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/invite.hpp"
#include "libknot/protocol/protocol.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace knot {

Clone Clone::open() {
    return Clone(GitRepo::discover(std::filesystem::current_path()));
}

Clone::Clone(GitRepo repo)
    : m_repo(std::move(repo)) {}

std::filesystem::path Clone::knot_dir() const {
    return m_repo.common_dir() / "knot";
}
std::filesystem::path Clone::key_path() const {
    return knot_dir() / "keys" / "agent.key";
}
std::filesystem::path Clone::token_path() const {
    return knot_dir() / "token";
}
std::filesystem::path Clone::default_server_dir() const {
    return knot_dir() / "server";
}

bool Clone::has_identity() const {
    return std::filesystem::exists(key_path());
}

Identity Clone::identity() const {
    return Identity::load(key_path());
}

Identity Clone::create_identity() {
    Identity id = Identity::generate();
    create_identity_from(id);
    return id;
}

void Clone::create_identity_from(const Identity& identity) {
    if (has_identity())
        throw Error("an identity already exists at " + key_path().string());
    std::filesystem::create_directories(key_path().parent_path());
    ::chmod(knot_dir().c_str(), 0700);
    ::chmod(key_path().parent_path().c_str(), 0700);
    identity.save(key_path());
}

std::string agent_name_from(const std::optional<std::string>& knot_name,
                            const std::optional<std::string>& user_name) {
    if (knot_name)
        return *knot_name;
    if (user_name) {
        if (auto slug = slug_agent_name(*user_name); !slug.empty())
            return slug;
    }
    if (const char* login = std::getenv("USER")) {
        if (auto slug = slug_agent_name(login); !slug.empty())
            return slug;
    }
    return "agent";
}

std::string Clone::agent_name() const {
    return agent_name_from(m_repo.config_get("knot.name"), m_repo.config_get_any("user.name"));
}

std::string Clone::agent_kind() const {
    return m_repo.config_get("knot.kind").value_or("human");
}

std::optional<RoomConfig> Clone::room() const {
    RoomConfig room;
    auto server = m_repo.config_get("knot.server");
    auto id = m_repo.config_get("knot.room");
    auto agent = m_repo.config_get("knot.agent");
    if (!server || !id || !agent)
        return std::nullopt;
    room.server = *server;
    room.room = *id;
    room.agent_id = *agent;
    if (std::filesystem::exists(token_path())) {
        room.token = chomp(read_file(token_path()));
    }
    if (!is_invite_token(room.token))
        throw Error("the room token in " + token_path().string() +
                    " is missing or damaged; run 'git knot join <invite-url>' again");
    return room;
}

void refuse_not_joined() {
    throw Error("this clone has not joined a room: run 'git knot join <invite-url>' "
                "(or 'git knot up' to host one)");
}

RoomConfig Clone::require_room() const {
    auto joined = room();
    if (!joined)
        refuse_not_joined();
    return *joined;
}

void Clone::save_room(const RoomConfig& room) {
    std::filesystem::create_directories(knot_dir());
    write_file_atomic(token_path(), room.token + "\n", 0600);
    m_repo.config_set("knot.server", room.server);
    m_repo.config_set("knot.room", room.room);
    m_repo.config_set("knot.agent", room.agent_id);
}

} // namespace knot
