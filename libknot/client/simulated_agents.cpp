// Simulated room members (see simulated_agents.hpp).
#include "libknot/client/simulated_agents.hpp"

#include "libknot/client/room_client.hpp"
#include "libknot/protocol/invite.hpp"

#include <iomanip>
#include <sstream>

namespace knot {

std::vector<SimulatedAgent> register_simulated_agents(const Invite& invite, int count,
                                                      const std::string& prefix) {
    std::vector<SimulatedAgent> agents;
    agents.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        SimulatedAgent agent{Identity::generate(), {}, {}};
        std::ostringstream name;
        name << prefix << std::setw(3) << std::setfill('0') << i;
        agent.name = name.str();
        RoomClient client(invite.base_url, invite.room, invite.token, &agent.identity, "");
        agent.id = client.register_agent(wire::AgentCard{agent.name, "other", {"bench"}, ""}).id;
        agents.push_back(std::move(agent));
    }
    return agents;
}

} // namespace knot
