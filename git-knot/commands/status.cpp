// git knot status: the room at a glance: agents online or not, counts, the server.
#include "command.hpp"
#include "git-knot/agent_here.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/relay_home.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/client/sync_summary.hpp"
#include "libknot/protocol/wire.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool json = false;
    app.add_flag("--json", json, "Print JSON");
    if (!parse_args(app, args))
        return 0;
    const AgentHere self = agent_here();
    if (!self.room)
        refuse_not_joined();
    const RoomConfig room = *self.room;

    RoomClient client(room.server, room.room, room.token, nullptr, room.agent_id);
    wire::Room overview;
    std::string unreachable;
    const auto start = std::chrono::steady_clock::now();
    std::optional<IntegrationState> integration;
    try {
        overview = client.get("").get<wire::Room>();
        integration = integration_state(client.get("/integration?limit=1"));
    } catch (const UnreachableError& e) {
        unreachable = e.what();
    }
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    // The server's own agent is shown apart: "agents" are the room's members.
    std::vector<wire::Agent> members;
    std::optional<wire::Agent> server_agent;
    if (unreachable.empty()) {
        overview.counts.online = 0;
        for (const auto& agent : overview.agents) {
            if (agent.role == "server") {
                server_agent = agent;
                continue;
            }
            overview.counts.online += agent.online ? 1 : 0;
            members.push_back(agent);
        }
        overview.counts.agents = static_cast<std::int64_t>(members.size());
    }
    if (json) {
        nlohmann::json out = {
            {"room", room.room},
            {"you", room.agent_id},
            {"relay", self.relay},
            {"server", {{"url", room.server}, {"reachable", unreachable.empty()}}}};
        if (unreachable.empty()) {
            out["server"]["latency_ms"] = latency;
            out["name"] = overview.name;
            out["agents"] = members;
            out["server_agent"] = server_agent ? nlohmann::json(*server_agent) : nlohmann::json();
            out["counts"] = overview.counts;
            out["integration"] = {{"commit", integration->commit.empty()
                                                 ? nlohmann::json()
                                                 : nlohmann::json(integration->commit)},
                                  {"run", integration->run},
                                  {"status", integration->status},
                                  {"summary", integration->summary}};
        } else {
            out["server"]["error"] = unreachable;
        }
        std::cout << out.dump(2) << '\n';
        return unreachable.empty() ? 0 : 2;
    }
    if (!unreachable.empty()) {
        std::cout << "room     " << room.room << '\n'
                  << "server   " << room.server << "  unreachable\n";
        std::cerr << "git-knot: error: " << unreachable << '\n';
        return 2;
    }
    const wire::RoomCounts& counts = overview.counts;
    std::cout << "room     " << room.room << "  " << overview.name << '\n'
              << "server   " << room.server << "  reachable (" << latency << " ms)\n"
              << "agents   " << counts.agents << " (" << counts.online << " online)   tasks "
              << counts.tasks << "   locks " << counts.locks << '\n';
    if (server_agent)
        members.push_back(*server_agent);
    for (const auto& agent : members) {
        const bool server = agent.role == "server";
        std::string name = agent.name.empty() ? "?" : agent.name;
        name.resize(std::max<std::size_t>(name.size(), 14), ' ');
        std::string kind = agent.kind;
        kind.resize(std::max<std::size_t>(kind.size(), 8), ' ');
        std::cout << "  " << (agent.online || server ? "●" : "○") << " " << name << ' ' << kind
                  << ' ';
        if (server)
            std::cout << "server agent";
        else if (is_relay_member(agent))
            std::cout << (agent.online ? "online, relay"
                                       : "relay, last seen " + ago(agent.last_seen));
        else if (agent.online)
            std::cout << "online";
        else
            std::cout << "last seen " << ago(agent.last_seen);
        if (agent.id == room.agent_id)
            std::cout << "  ← you";
        std::cout << '\n';
    }
    std::cout << "integration  "
              << (integration->commit.empty() ? "none yet" : integration->commit.substr(0, 8));
    if (integration->run > 0)
        std::cout << "  run " << integration->run << ' ' << integration->status << ": "
                  << integration->summary;
    std::cout << '\n';
    return 0;
}

const Registration registration{
    {"status", "Room overview: agents, online or not, counts, the server", run}};

} // namespace

} // namespace knot::cli
