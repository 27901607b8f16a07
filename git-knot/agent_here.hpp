// Who `git knot` acts as where it runs, for the commands that read it without opening a session
// (whoami, status): the clone's agent, or outside any repository the user's relay agent.
#pragma once

#include "libknot/client/clone.hpp"
#include "libknot/protocol/identity.hpp"

#include <optional>
#include <string>

namespace knot {

struct AgentHere {
    Identity identity;
    std::string name;
    std::string kind;
    std::optional<RoomConfig> room; // nothing: a clone that joined no room
    bool relay = false;
};

// Throws knot::Error when the clone has no identity, or outside a repository when there is no
// relay agent (saying how to join as one).
AgentHere agent_here();

} // namespace knot
