// Starting knot-agent (see agent_starter.hpp).
#include "hooks/agent_starter.hpp"

#include "hooks/agent_wire.hpp"
#include "libknot/base/owned_fd.hpp"
#include "libknot/base/process.hpp"
#include "libknot/base/spawn.hpp"
#include "libknot/client/clone.hpp"

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace knot {

bool agent_disabled(const Clone& clone) {
    const auto setting = clone.repo().config_get("knot.hookAgent");
    return setting &&
           (*setting == "false" || *setting == "off" || *setting == "no" || *setting == "0");
}

bool agent_running(const Clone& clone) {
    // Connected through <git dir>/knot opened as a directory, so a long path still fits.
    const OwnedFd dir(::open(clone.knot_dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    const OwnedFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (dir.get() < 0 || fd.get() < 0)
        return false;
    const std::string path =
        "/proc/self/fd/" + std::to_string(dir.get()) + "/" + agent_wire::k_socket_name;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        return false;
    std::memcpy(address.sun_path, path.data(), path.size());
    return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

void start_agent(const Clone& clone) {
    try {
        if (std::getenv(k_hook_client_variable) == nullptr || agent_disabled(clone))
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
        if (agent_running(clone))
            return;
        spawn(options); // not waited for: it outlives this hook, then init reaps it
    } catch (...) {
        // A commit never depends on the agent: this one ran without it, as will the next.
    }
}

} // namespace knot
