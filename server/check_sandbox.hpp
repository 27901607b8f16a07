// The sandbox a room's checks run in: bubblewrap (bwrap) with no network, its own PID, IPC and
// UTS namespaces, the host's files read-only with the server's data directory hidden, and the
// run's scratch directory, at /knot, the only place it writes; as nobody when the server is root,
// under limits on memory, processes, file size and CPU time. Checks run other people's code.
#pragma once

#include "libknot/checks/check_runner.hpp"
#include "libknot/checks/scratch_tree.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace knot::server {

// Where a run's writable directory appears inside the sandbox, and what it holds.
inline constexpr std::string_view k_sandbox_root = "/knot";

class CheckSandbox {
public:
    // Under `policy` sandboxed: finds bwrap on PATH (or at `program` when it holds a '/'), then
    // runs `true` in the sandbox once, in <data_dir>/sandbox-probe, so a sandbox that cannot
    // work (no bwrap, no user namespaces, a /proc that cannot be mounted) is known before any
    // run. Never throws: what went wrong is problem().
    CheckSandbox(const std::filesystem::path& data_dir, SandboxPolicy policy,
                 const std::string& program = "bwrap");

    SandboxPolicy policy() const { return m_policy; }
    // Whether runs confine their checks (sandboxed, and the probe worked).
    bool usable() const { return m_policy == SandboxPolicy::unsandboxed || m_problem.empty(); }
    // For a run that is refused: why the sandbox does not work and what the host can do about
    // it, without the server's paths. Empty when usable().
    const std::string& problem() const { return m_problem; }
    // One line for the server's log at start: on, off (the flag), or unavailable and why.
    std::string status_line() const;

    // Who owns the directories a run writes (see ScratchOwner).
    ScratchOwner owner() const { return m_owner; }

    // How a run whose writable directory is `work` (bound at /knot; it holds tree/, build/,
    // home/ and tmp/, the latter also bound at /tmp) runs its commands: in /knot/tree, with
    // exactly `inside` as their environment (paths as the sandbox sees them). Only when
    // usable() and sandboxed.
    CheckConfinement confinement(const std::filesystem::path& work,
                                 const std::map<std::string, std::string>& inside) const;

private:
    void probe(const std::filesystem::path& data_dir);

    SandboxPolicy m_policy;
    std::string m_program;             // bwrap's absolute path
    std::string m_setpriv;             // setpriv's, when the server is root
    std::vector<std::string> m_mounts; // the host's view, the same for every run
    ScratchOwner m_owner;
    bool m_switch_user = false;
    std::string m_problem;
};

} // namespace knot::server
