// Starting, finding and stopping a background knot-server (and its tunnel) for `git knot up`
// and `git knot down`. The server itself writes <data>/server.json once it listens.
#pragma once

#include "libknot/base/process.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace knot {

struct RunningProcess {
    pid_t pid = 0;
    std::string url;
};

// The server recorded in <data_dir>/server.json when its process is still alive.
std::optional<RunningProcess> running_server(const std::filesystem::path& data_dir);
// The tunnel recorded in <data_dir>/tunnel.json when its process is still alive.
std::optional<RunningProcess> running_tunnel(const std::filesystem::path& data_dir);

// How the server runs the checks members push: in its sandbox, or, only when the host asks for
// it (`git knot up --unsandboxed-checks`, for a trusted single-room server), with the server's
// own rights.
enum class PushedChecks { sandboxed, unsandboxed };

// The review modes the host turns on for the server it starts: a model key (given to the server
// in its environment only, never on a command line nor in a file) and a webhook URL.
struct ServerReview {
    std::string anthropic_key;
    std::string webhook_url;
    std::string public_url;  // what webhooks are told to answer at ("" the server's own)
    std::string webhook_key; // the webhook's public key (base64), "" when it signs nothing
};

// Starts `knot-server --data <data_dir> --port <port> --bind <bind> --ready-fd 3` (and
// --unsandboxed-checks when `checks` says so, then `extra_args`) in its own session, its output
// appended to <data_dir>/server.log, and waits (without polling) until it reports its address.
// Throws knot::Error with the log's last lines when it exits instead.
RunningProcess start_server_background(const std::filesystem::path& server_program,
                                       const std::filesystem::path& data_dir, int port,
                                       const std::string& bind,
                                       PushedChecks checks = PushedChecks::sandboxed,
                                       const ServerReview& review = {},
                                       const std::vector<std::string>& extra_args = {});

// Starts a cloudflared quick tunnel to `local_url`, output in <data_dir>/tunnel.log, and waits
// up to `timeout` for the public URL it prints. Records <data_dir>/tunnel.json.
RunningProcess start_tunnel(const std::filesystem::path& cloudflared,
                            const std::filesystem::path& data_dir, const std::string& local_url,
                            std::chrono::seconds timeout);

// Finds the public URL in cloudflared's output, or "" when it has not printed one yet.
std::string find_tunnel_url(const std::string& output);

// False when another socket listens on (or holds) TCP `port` of `bind` (an IP address), as the
// server would find when it binds there (SO_REUSEADDR, so a closed connection's TIME_WAIT does
// not count). True when it is free, and for port 0.
bool port_is_free(const std::string& bind, int port);

// The port of a URL "http://host:port" (an IPv6 host in brackets), or 0 when it names none.
int port_of_url(const std::string& url);

// The last `lines` lines of a file, for error messages.
std::string tail_of_file(const std::filesystem::path& path, int lines);

} // namespace knot
