// knot-mcp: the MCP server `git knot mcp` runs (git-knot/commands/mcp.cpp), acting as the agent
// of the clone it starts in. Not on PATH: git-knot finds it in lib/knot.
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "mcp/live.hpp"
#include "mcp/server.hpp"
#include "mcp/stdio.hpp"

#include <csignal>
#include <cstring>
#include <exception>
#include <iostream>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc != 2 || std::strcmp(argv[1], "--stdio") != 0) {
        std::cerr << "usage: knot-mcp --stdio  (run it as git knot mcp; see git-knot(1))\n";
        return 129;
    }
    std::signal(SIGPIPE, SIG_IGN);
    try {
        knot::Session session({.outbox = knot::OutboxOnOpen::keep});
        knot::mcp::LineWriter out(STDOUT_FILENO);
        knot::mcp::LiveRoom live(session, [&out](const nlohmann::json& note) { out.write(note); });
        knot::mcp::McpServer server(session, &live);
        return knot::mcp::serve_stdio(server, STDIN_FILENO, out);
    } catch (const std::exception& e) {
        std::cerr << "git knot mcp: " << e.what() << '\n';
        return 128;
    }
}
