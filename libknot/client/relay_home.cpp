// A relay agent's folder in the user's config folder (see relay_home.hpp).
#include "libknot/client/relay_home.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/invite.hpp"
#include "libknot/protocol/protocol.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace knot {

namespace fs = std::filesystem;

namespace {

// A relay folder, and the folder of them, must be the user's own directories that nobody else
// can write: another user who could would swap in a room of theirs (their server, their token)
// or plant a link where the key is written.
void require_private_dir(const fs::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0)
        throw Error("cannot read " + dir.string() + ": " + std::strerror(errno));
    if (!S_ISDIR(st.st_mode))
        throw Error(dir.string() + " is not a directory (a link?): a relay agent's folder must " +
                    "be a directory of its own");
    if (st.st_uid != ::geteuid() || (st.st_mode & 022) != 0)
        throw Error(dir.string() + " is writable by others or not yours: fix it with chmod 700 " +
                    "(and chown), then run the command again");
}

// Creates `dir` with mode 0700 when it does not exist (a directory made before is left as it
// is), then requires it private.
void make_private_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw Error("cannot create " + dir.string() + ": " + std::strerror(errno));
    require_private_dir(dir);
}

nlohmann::json read_room_file(const fs::path& dir) {
    const fs::path file = dir / "room.json";
    nlohmann::json room;
    try {
        room = nlohmann::json::parse(read_file(file));
    } catch (const nlohmann::json::exception&) {
        room = nullptr;
    }
    for (const char* key : {"server", "room", "agent", "name", "kind"})
        if (!room.is_object() || !room.contains(key) || !room[key].is_string())
            throw Error(file.string() + " is damaged (no '" + key +
                        "'): join the room again with 'git knot join <invite-url>'");
    return room;
}

} // namespace

bool is_relay_member(const wire::Agent& member) {
    return std::find(member.capabilities.begin(), member.capabilities.end(), k_relay_capability) !=
           member.capabilities.end();
}

fs::path RelayHome::root() {
    // The XDG base directory rules: a relative XDG_CONFIG_HOME is ignored.
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && xdg[0] == '/')
        return fs::path(xdg) / "knot" / "relay";
    const char* home = std::getenv("HOME");
    if (!home || home[0] != '/')
        throw Error("neither XDG_CONFIG_HOME nor HOME is an absolute path: set one to keep a "
                    "relay agent's identity");
    return fs::path(home) / ".config" / "knot" / "relay";
}

std::vector<std::string> RelayHome::rooms() {
    std::vector<std::string> found;
    std::error_code ec;
    const fs::path dir = root();
    if (!fs::is_directory(dir, ec))
        return found;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (is_room_id(name) && fs::exists(entry.path() / "room.json", ec))
            found.push_back(name);
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::optional<RelayHome> RelayHome::select() {
    if (const char* wanted = std::getenv("KNOT_ROOM"); wanted && *wanted) {
        if (!is_room_id(wanted))
            throw UsageError("KNOT_ROOM '" + std::string(wanted) + "' is not a room id (rm_...)");
        RelayHome home = of(wanted);
        if (!home.exists())
            throw Error("KNOT_ROOM names " + std::string(wanted) +
                        ", which has no relay identity in " + root().string() +
                        ": run 'git knot join <invite-url>' outside a repository first");
        return home;
    }
    const std::vector<std::string> all = rooms();
    if (all.empty())
        return std::nullopt;
    if (all.size() > 1) {
        std::string list;
        for (const auto& room : all)
            list += (list.empty() ? "" : ", ") + room;
        throw UsageError("this user is a relay agent in several rooms (" + list +
                         "): choose one with KNOT_ROOM=<room> (git knot upgrade: --room)");
    }
    return of(all.front());
}

RelayHome RelayHome::select_outside_clone() {
    std::optional<RelayHome> home = select();
    if (!home)
        throw Error("not a git repository, and no relay agent here: run this inside a clone of "
                    "the room's repository, or 'git knot join <invite-url>' here to join as a "
                    "relay agent (no clone)");
    return *home;
}

RelayHome RelayHome::of(const std::string& room) {
    if (!is_room_id(room))
        throw Error("'" + room + "' is not a room id");
    return RelayHome(root() / room);
}

bool RelayHome::exists() const {
    std::error_code ec;
    return fs::exists(m_dir / "room.json", ec);
}

bool RelayHome::has_identity() const {
    std::error_code ec;
    return fs::exists(key_path(), ec);
}

Identity RelayHome::identity() const {
    require_private_dir(m_dir.parent_path());
    require_private_dir(m_dir);
    return Identity::load(key_path());
}

RoomConfig RelayHome::room() const {
    require_private_dir(m_dir.parent_path());
    require_private_dir(m_dir);
    const nlohmann::json file = read_room_file(m_dir);
    RoomConfig room;
    room.server = file["server"].get<std::string>();
    room.room = file["room"].get<std::string>();
    room.agent_id = file["agent"].get<std::string>();
    room.token = chomp(read_file(m_dir / "token"));
    if (!is_invite_token(room.token))
        throw Error("the room token in " + (m_dir / "token").string() +
                    " is missing or damaged; run 'git knot join <invite-url>' again");
    return room;
}

std::string RelayHome::agent_name() const {
    return read_room_file(m_dir)["name"].get<std::string>();
}

std::string RelayHome::agent_kind() const {
    return read_room_file(m_dir)["kind"].get<std::string>();
}

void RelayHome::save(const Identity& identity, const RoomConfig& room, const std::string& name,
                     const std::string& kind) {
    // <config> itself may be shared with other programs; knot's own levels are made private.
    fs::create_directories(m_dir.parent_path().parent_path().parent_path());
    make_private_dir(m_dir.parent_path().parent_path());
    make_private_dir(m_dir.parent_path());
    make_private_dir(m_dir);
    if (!has_identity())
        identity.save(key_path());
    write_file_atomic(m_dir / "token", room.token + "\n", 0600);
    const nlohmann::json file = {{"server", room.server},
                                 {"room", room.room},
                                 {"agent", room.agent_id},
                                 {"name", name},
                                 {"kind", kind}};
    write_file_atomic(m_dir / "room.json", file.dump(2) + "\n", 0600);
}

void RelayHome::remove() {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
    if (ec)
        throw Error("cannot remove " + m_dir.string() + ": " + ec.message());
}

} // namespace knot
