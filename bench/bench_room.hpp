// What the benchmarks share: a room on a real knot-server with registered agents, and the
// percentile and memory figures they print.
#pragma once

#include "libknot/base/latency.hpp"
#include "libknot/client/simulated_agents.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace knot::test {
class ServerProcess;
}

namespace knot::bench {

// One registered member of the bench room (libknot's, shared with `git knot bench`).
using Agent = SimulatedAgent;
using knot::percentile;

struct Room {
    std::string id;
    std::string token;
};

// Creates a room named "bench" with the server's admin token.
Room create_room(const test::ServerProcess& server);

// Registers `count` agents named bench-000, bench-001, ... each with its own key.
std::vector<Agent> register_agents(const std::string& url, const Room& room, int count);

// The value of `field` (e.g. "VmHWM") in /proc/<pid>/status, as written there ("12345 kB").
std::string proc_status_field(pid_t pid, const std::string& field);

// The CPU time (user and system) process `pid` has used so far, from /proc/<pid>/stat.
double cpu_seconds(pid_t pid);

} // namespace knot::bench
