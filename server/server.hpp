// The knot server as one object: data directory, store, event hub, lease reaper, routes and the
// HTTP listener.
#pragma once

#include "review_gate.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

namespace knot::server {

struct ServerOptions {
    // An IPv4 or IPv6 address literal to listen on.
    std::string bind_address = "127.0.0.1";
    // 0 asks the system for a free port.
    std::uint16_t port = 8787;
    std::filesystem::path data_dir = "knot-data";
    // Requests served at once (worker threads). Connections waiting for a request and event
    // streams hold none: one thread reads every request head, another serves every stream.
    int threads = 64;
    // Connections one remote address may hold open at once, event streams included; more are
    // refused with 429. Generous, because a tunnel or a NAT puts many clients behind one
    // address (all of `git knot up`'s tunnel traffic comes from 127.0.0.1).
    int max_connections_per_address = 256;
    // The whole request head must arrive within this many seconds (see ListenerOptions).
    int head_timeout_seconds = 10;
    // How often a quiet event stream sends a heartbeat frame.
    int heartbeat_seconds = 15;
    // Integration runs that may check at once (each in its own room).
    int integration_workers = 2;
    // Whether a room's owner may set a path on this machine (or file://) as its forge. Off by
    // default: for a server that hosts only its own clone's rooms (`git knot up` turns it on).
    // The data directory is never a forge.
    bool allow_local_forges = false;
    // Forge URL schemes allowed besides the default https (forge_policy.hpp).
    std::set<std::string> forge_schemes{"https"};
    // Whether a forge host may be on a loopback, private or link-local network.
    bool allow_private_forges = false;
    // No pushed object, and no object a pushed delta makes, may be larger (bytes).
    std::uint64_t max_object_bytes = std::uint64_t{100} << 20;
    // The objects of one pushed pack may expand to at most this many bytes together.
    std::uint64_t max_pack_expanded_bytes = std::uint64_t{4} << 30;
    // Whether pushed checks run unconfined, with this server's rights (--unsandboxed-checks).
    // Off by default: only for a trusted single-room server; no room setting reaches it.
    bool unsandboxed_checks = false;
    // The review modes the host turned on (--review-webhook, ANTHROPIC_API_KEY, ...); a room's
    // owner picks among them. public_url "" means the address the server listens on.
    ReviewOptions review;
};

class Server {
public:
    // Takes the data directory's lock, reads or creates its admin token and key, and opens the
    // database. Throws knot::Error with a message for a person when any of it fails.
    explicit Server(const ServerOptions& options);
    // Stops the server if it is still running.
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Raises the soft limit on open files to the hard one (connections are files), listens and
    // starts serving, then writes <data>/server.json. Returns the base URL,
    // http://ADDR:PORT with the real port (IPv6 addresses in brackets). Throws knot::Error when
    // the address cannot be bound.
    std::string start();
    // Stops accepting, lets in-flight requests finish, closes the event streams, stops the
    // lease reaper, closes the database (checkpointing the WAL) and removes server.json. Safe
    // to call twice.
    void stop();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace knot::server
