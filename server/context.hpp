// What every route may use: the store, the event hub and the server's own credentials.
#pragma once

#include "forge_policy.hpp"
#include "libknot/protocol/crypto.hpp"
#include "pack_scan.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace knot::server {

class EventHub;
struct ReviewOptions;
class Store;

struct ServerContext {
    Store& store;
    // The secret that authorises creating rooms (the content of <data>/admin.token).
    std::string admin_token;
    // The public key of the server's own agent (from <data>/server.key).
    Bytes server_public_key;
    // Where committed events are fanned out to the streams.
    EventHub& hub;
    // How often a quiet stream sends a heartbeat frame.
    std::chrono::seconds heartbeat_interval{15};
    // The server's data directory; hosted rooms' bare repositories live in <data_dir>/repos.
    std::filesystem::path data_dir;
    // Which forges the owner may set and the server may reach (forge_policy.hpp).
    ForgePolicy forge_policy;
    // Tells the integration agent a run was queued (set by the server; empty in tests that
    // run no agent).
    std::function<void()> wake_integration;
    // What one pushed pack may expand to (ServerOptions::max_object_bytes and
    // max_pack_expanded_bytes).
    PackLimits pack_limits;
    // The server's review modes (set by the server before it serves).
    const ReviewOptions* review = nullptr;
    // Tells the server's agent how to sign (set by the server): the id of its own agent.
    std::string server_agent_id;
};

} // namespace knot::server
