// Who git knot acts as here (see agent_here.hpp).
#include "git-knot/agent_here.hpp"

#include "libknot/client/relay_home.hpp"

namespace knot {

AgentHere agent_here() {
    if (std::optional<GitRepo> repo = GitRepo::discover_if_any(std::filesystem::current_path())) {
        const Clone clone(std::move(*repo));
        return {clone.identity(), clone.agent_name(), clone.agent_kind(), clone.room(), false};
    }
    const RelayHome relay = RelayHome::select_outside_clone();
    return {relay.identity(), relay.agent_name(), relay.agent_kind(), relay.room(), true};
}

} // namespace knot
