// Hosting a room from a clone (`git knot up` / `down`): the server, the room, the tunnel, and
// the files that tell teammates how to join.
#pragma once

#include "git-knot/server_launcher.hpp"
#include "libknot/client/clone.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

namespace knot {

enum class TunnelMode { automatic, off };
enum class ServerMode { background, foreground };

// The port `up` listens on without --port, when the room has had none before.
inline constexpr int k_default_port = 8787;

struct HostOptions {
    // Nothing or 0: the port the room had when it last ran from this data directory (so the
    // invite teammates hold stays valid), else k_default_port (nothing) or any free one (0).
    std::optional<int> port;
    std::string bind = "127.0.0.1";
    std::filesystem::path data_dir; // empty: the clone's default
    std::string public_url;         // empty: the tunnel's, else the local one
    std::string room_name;          // empty: the work tree's directory name
    TunnelMode tunnel = TunnelMode::automatic;
    ServerMode mode = ServerMode::background;
    PushedChecks checks = PushedChecks::sandboxed;
    ServerReview review; // --anthropic-key and --review-webhook
};

struct HostedRoom {
    std::string room;
    std::string local_url;  // where this clone talks to the server
    std::string public_url; // what the invite carries
    std::string invite;
    pid_t server_pid = 0;
    pid_t tunnel_pid = 0;
    std::filesystem::path data_dir;
    bool created = false; // false when an existing room was started again
    std::string hooks;    // what installing the git hooks did, for people
    // When the room existed and teammates' invite no longer reaches it: the public URL it had
    // (else ""), and the port it listened on when another program holds that port now (else 0).
    std::string previous_public_url;
    int taken_port = 0;
};

// Starts the server for this clone and makes sure its room exists: creates the room on first
// run (the owner registered with this clone's identity), reuses it afterwards. Configures the
// clone as a member, writes .knot/HOST.md. Records the port and public URL in <data>/host.json
// for the next start. When the port the room had is taken and no other was asked for, listens
// on any free one and says so (HostedRoom::taken_port). Throws knot::Refused when a server
// already runs for this data directory, knot::Error when the repository has no commits or a
// port asked for is taken. On failure after the server started, the server is stopped again.
HostedRoom host_room(Clone& clone, const HostOptions& options);

// The data directory `up` used for this clone (knot.serverdata, else the default).
std::filesystem::path host_data_dir(const Clone& clone);

struct StoppedRoom {
    pid_t server_pid = 0;
    pid_t tunnel_pid = 0;
};

// Stops the tunnel and the server running for `data_dir`. Returns zeros when none ran.
StoppedRoom stop_hosting(const std::filesystem::path& data_dir);

} // namespace knot
