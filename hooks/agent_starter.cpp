// Starting knot-agent (see agent_starter.hpp).
#include "hooks/agent_starter.hpp"

#include "libknot/base/process.hpp"
#include "libknot/base/spawn.hpp"
#include "libknot/client/clone.hpp"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace knot {

void start_agent(const Clone& clone) {
    try {
        if (std::getenv(k_hook_client_variable) == nullptr)
            return;
        const auto setting = clone.repo().config_get("knot.agent");
        if (setting &&
            (*setting == "false" || *setting == "off" || *setting == "no" || *setting == "0"))
            return;
        namespace fs = std::filesystem;
        if (fs::weakly_canonical(clone.repo().git_dir()) !=
            fs::weakly_canonical(clone.repo().common_dir()))
            return; // a linked worktree: its hooks run git-knot
        const auto dir = knot_lib_dir();
        if (!dir || ::access((*dir / "knot-agent").c_str(), X_OK) != 0)
            return;
        SpawnOptions options;
        options.argv = {(*dir / "knot-agent").string(), clone.repo().workdir().string()};
        options.environment[k_hook_client_variable] = std::nullopt;
        options.in = Stdio::null;
        options.out = Stdio::null;
        options.err = Stdio::null;
        options.group = ProcessGroup::new_session;
        spawn(options); // not waited for: it outlives this hook, then init reaps it
    } catch (...) {
        // A commit never depends on the agent: this one ran without it, as will the next.
    }
}

} // namespace knot
