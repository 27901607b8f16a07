// Simulated room members for load runs (`git knot bench` and bench/): each a real member with
// its own Ed25519 identity, registered with a signed card through the room's invite.
#pragma once

#include "libknot/protocol/identity.hpp"

#include <string>
#include <vector>

namespace knot {

struct Invite;

// One registered member; the identity must outlive the clients and streams that sign with it.
struct SimulatedAgent {
    Identity identity;
    std::string id;
    std::string name;
};

// Registers `count` new members of `invite`'s room named <prefix>000, <prefix>001, ... (so
// `prefix` plus three digits must be an agent name the room has never had), each with a fresh
// key and the capability "bench". Throws knot::HttpError as the server refuses one.
std::vector<SimulatedAgent> register_simulated_agents(const Invite& invite, int count,
                                                      const std::string& prefix);

} // namespace knot
