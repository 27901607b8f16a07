// MCP over Streamable HTTP (protocol 2025-11-25, "Transports"): one endpoint, /mcp, on Poco's
// HTTP server. POST carries one JSON-RPC message (a request is answered as JSON, anything else
// with 202); initialize issues an MCP-Session-Id that every later request must carry (400
// without, 404 when unknown; DELETE ends the session); GET opens the session's server-to-client
// stream (text/event-stream: resource updates and log messages). MCP-Protocol-Version, when
// sent, must be one this server speaks (400). Host must name this machine's loopback and
// Origin, when sent, a page of it (403 otherwise), so that a web page cannot drive the server
// through DNS rebinding. Each session is a room session of its own, as this clone's agent.
#pragma once

#include <cstddef>
#include <string>

namespace knot::mcp {

struct HttpOptions {
    std::string bind = "127.0.0.1";
    int port = 8788; // 0: any free port
};

// Serves until SIGINT or SIGTERM. Prints the endpoint's URL on standard output once it listens.
// Returns the process's exit code; throws knot::Error when it cannot listen.
int serve_http(const HttpOptions& options);

} // namespace knot::mcp
