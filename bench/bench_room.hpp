// What the benchmarks share: a room on a real knot-server with registered agents, and the
// percentile and memory figures they print.
#pragma once

#include "libknot/protocol/identity.hpp"

#include <string>
#include <sys/types.h>
#include <vector>

namespace knot::test {
class ServerProcess;
}

namespace knot::bench {

// One registered member of the bench room; the identity must outlive its clients.
struct Agent {
    Identity identity;
    std::string id;
    std::string name;
};

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

// Nearest-rank percentile `p` (0..100) of sorted `values`.
double percentile(const std::vector<double>& values, double p);

} // namespace knot::bench
