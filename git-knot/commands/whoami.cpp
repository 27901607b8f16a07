// git knot whoami: this agent's fingerprint and, when joined, the room members' fingerprints.
#include "command.hpp"
#include "git-knot/agent_here.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/relay_home.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

namespace knot::cli {

namespace {

// How a member is marked in the list: the server's agent, a relay (no clone), an unsigned card.
std::string member_note(const wire::Agent& member) {
    if (member.role == "server")
        return " (server agent)";
    if (!member.signed_card)
        return " (unsigned)";
    if (is_relay_member(member))
        return " (relay: no clone)";
    return "";
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool json = false;
    bool local = false;
    app.add_flag("--json", json, "Print JSON");
    app.add_flag("--local", local, "Do not ask the server for the room members");
    if (!parse_args(app, args))
        return 0;

    const AgentHere self = agent_here();
    const Identity& identity = self.identity;
    const auto& room = self.room;
    nlohmann::json out = {{"fingerprint", identity.fingerprint()},
                          {"name", self.name},
                          {"kind", self.kind},
                          {"relay", self.relay},
                          {"public_key", identity.public_key_base64()}};
    std::vector<wire::Agent> members;
    std::string unreachable;
    if (room) {
        out["agent"] = room->agent_id;
        out["room"] = room->room;
        out["server"] = room->server;
        if (!local) {
            try {
                RoomClient client(room->server, room->room, room->token, &identity, room->agent_id);
                members = wire::FieldReader(client.get("/agents"), "agents answer")
                              .objects<wire::Agent>("agents");
            } catch (const UnreachableError& e) {
                unreachable = e.what();
            }
        }
    }
    if (json) {
        if (room && !local) {
            out["members"] = members;
            out["reachable"] = unreachable.empty();
        }
        std::cout << out.dump(2) << '\n';
        return unreachable.empty() ? 0 : 2;
    }

    std::cout << "fingerprint   " << identity.fingerprint() << '\n'
              << "name          " << self.name << " (" << self.kind << ")\n";
    if (self.relay)
        std::cout << "mode          relay: no clone, so no locks or pushes (git knot upgrade in "
                     "a clone carries this agent there)\n";
    if (!room) {
        std::cout << "room          none (git knot join <invite-url>)\n";
        return 0;
    }
    std::cout << "room          " << room->room << " at " << room->server << '\n';
    if (local)
        return 0;
    if (!unreachable.empty()) {
        std::cerr << "warning: room members unknown: " << unreachable << '\n';
        return 2;
    }
    for (const auto& m : members)
        if (self.relay && m.id == room->agent_id && !is_relay_member(m))
            std::cout << "warning       this relay agent's card in the room has left relay (an "
                         "upgrade that stopped half-way?): run git knot upgrade in its clone "
                         "again\n";
    std::cout << "room members\n";
    for (const auto& m : members) {
        const bool server = m.role == "server";
        const bool signed_card = m.signed_card;
        std::string name = m.name.empty() ? "?" : m.name;
        name.resize(std::max<std::size_t>(name.size(), 14), ' ');
        std::string kind = m.kind;
        kind.resize(std::max<std::size_t>(kind.size(), 8), ' ');
        std::cout << "  "
                  << (server        ? "●"
                      : signed_card ? "✓"
                                    : "?")
                  << "  " << name << ' ' << m.fingerprint << "  " << kind;
        if (m.id == room->agent_id)
            std::cout << " ← you";
        std::cout << member_note(m) << '\n';
    }
    return 0;
}

const Registration registration{
    {"whoami", "Show this agent's fingerprint and the room members' ones", run}};

} // namespace

} // namespace knot::cli
