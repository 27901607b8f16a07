// git knot upgrade: carry this user's relay agent into the clone here, so that the same agent
// (key, name, tasks, messages) can lock and push.
#include "command.hpp"
#include "git-knot/onboarding.hpp"
#include "hooks/hook_installer.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/relay_home.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/invite.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

namespace knot::cli {

namespace {

RelayHome relay_to_carry(const std::string& room) {
    if (!room.empty()) {
        if (!is_room_id(room))
            throw UsageError("--room '" + room + "' is not a room id (rm_ and 16 hex digits)");
        RelayHome home = RelayHome::of(room);
        if (!home.exists())
            throw Refused("no relay agent of room " + room + " in " + RelayHome::root().string() +
                          " ('git knot join <invite-url>' outside a repository makes one)");
        return home;
    }
    std::optional<RelayHome> home = RelayHome::select();
    if (!home)
        throw Refused("no relay agent to carry in: 'git knot join <invite-url>' outside a "
                      "repository makes one (this clone joins a room with 'git knot join' here)");
    return *home;
}

// A clone holds one identity. One of its own, whatever its room, is not replaced: that would
// lose a member's key.
void refuse_other_identity(const Clone& clone, const Identity& relay, const std::string& relay_name,
                           const std::string& relay_room) {
    if (!clone.has_identity() || clone.identity().public_key() == relay.public_key())
        return;
    const auto joined = clone.room();
    if (joined && joined->room == relay_room)
        throw Refused("this clone is already agent '" + clone.agent_name() + "' of room " +
                      relay_room + ", with a key of its own, and a clone holds one identity: " +
                      "carry relay agent '" + relay_name +
                      "' into a fresh clone (git clone <url> <dir>, then git knot upgrade "
                      "there), or keep working as '" +
                      clone.agent_name() + "' here and have '" + relay_name +
                      "' release its tasks for it to claim");
    if (joined)
        throw Refused("this clone is agent '" + clone.agent_name() + "' of another room (" +
                      joined->room + "), and a clone holds one identity: carry relay agent '" +
                      relay_name + "' of room " + relay_room +
                      " into a fresh clone (git clone <url> <dir>, then git knot upgrade there)");
    throw Refused("this clone has an identity of its own (" + clone.key_path().string() +
                  ") that is in no room: move it aside if it is unused (mv " +
                  clone.key_path().parent_path().string() + " " +
                  clone.key_path().parent_path().string() +
                  ".old), then run git knot upgrade again, or use a fresh clone");
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string room_id;
    bool json = false;
    app.add_option("--room", room_id,
                   "The relay agent's room (default: KNOT_ROOM, else the only relay room)")
        ->option_text("room");
    app.add_flag("--json", json, "Print JSON");
    if (!parse_args(app, args))
        return 0;

    Clone clone = Clone::open();
    RelayHome home = relay_to_carry(room_id);
    const Identity identity = home.identity();
    const RoomConfig room = home.room();
    const std::string name = home.agent_name();
    const std::string kind = home.agent_kind();
    refuse_other_identity(clone, identity, name, room.room);

    // The widened card: the agent's capabilities without relay, and code, signed by its key.
    RoomClient client(room.server, room.room, room.token, &identity, room.agent_id);
    std::vector<std::string> capabilities;
    for (const auto& agent :
         wire::FieldReader(client.get("/agents"), "agents answer").objects<wire::Agent>("agents"))
        if (agent.id == room.agent_id)
            capabilities = agent.capabilities;
    std::erase(capabilities, std::string(k_relay_capability));
    if (std::find(capabilities.begin(), capabilities.end(), "code") == capabilities.end())
        capabilities.insert(capabilities.begin(), "code");
    const wire::Agent agent = client.register_agent({name, kind, capabilities, ""});

    // The server knows the agent as a clone's now; the clone is set up as join would, and the
    // relay folder goes last, so that running upgrade again after a failure finishes the job.
    if (!clone.has_identity())
        clone.create_identity_from(identity);
    configure_clone_for_room(clone, room, agent.name, kind,
                             invite_url({room.server, room.room, room.token}));
    const HookReport hooks = install_hooks(clone.repo());
    home.remove();

    if (json) {
        std::cout << nlohmann::json{{"room", room.room},
                                    {"server", room.server},
                                    {"agent", agent},
                                    {"relay_home_removed", home.dir().string()}}
                         .dump(2)
                  << '\n';
        return 0;
    }
    std::cout << "upgraded " << agent.name << " in room " << room.room
              << ": this clone is now that agent (same key " << identity.fingerprint()
              << ", tasks and messages kept)\n"
              << "  can now    lock and push (git push knot, git knot sync)\n"
              << "  remote     knot -> knot::" << room.server << "/" << room.room << '\n'
              << "  hooks      " << describe(hooks) << '\n'
              << "  relay      " << home.dir().string()
              << " removed: outside this clone, join again to act as a relay\n";
    return 0;
}

const Registration registration{
    {"upgrade", "Carry your relay agent into this clone, to lock and push as it", run}};

} // namespace

} // namespace knot::cli
