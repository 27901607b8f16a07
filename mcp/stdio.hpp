// MCP over stdio: one JSON-RPC message a line on standard input, each answer a line on standard
// output and nothing else there; diagnostics go to standard error.
#pragma once

namespace knot::mcp {

class McpServer;

// Serves `server` on file descriptors `in` and `out` until `in` ends. A line longer than
// json_rpc.hpp's k_max_message_bytes is dropped, whatever its length, and answered with an
// invalid_request error: the session goes on. Returns 0; 128 when `out` cannot be written.
int serve_stdio(McpServer& server, int in, int out);

} // namespace knot::mcp
