// MCP over stdio: one JSON-RPC message a line on standard input, each answer a line on standard
// output and nothing else there; diagnostics go to standard error.
#pragma once

#include <nlohmann/json.hpp>

#include <mutex>

namespace knot::mcp {

class McpServer;

// Writes messages as lines to one descriptor, whole, from any thread (answers from the session,
// notifications from the room's follower).
class LineWriter {
public:
    explicit LineWriter(int fd)
        : m_fd(fd) {}
    // False once the descriptor could not be written (the client is gone).
    bool write(const nlohmann::json& message);

private:
    int m_fd;
    std::mutex m_mutex;
    bool m_failed = false;
};

// Serves `server` on file descriptor `in`, answering through `out`, until `in` ends. A line
// longer than json_rpc.hpp's k_max_message_bytes is dropped, whatever its length, and answered
// with an invalid_request error: the session goes on. Returns 0; 128 when `out` fails.
int serve_stdio(McpServer& server, int in, LineWriter& out);

} // namespace knot::mcp
