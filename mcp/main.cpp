// knot-mcp: the MCP server `git knot mcp` runs (git-knot/commands/mcp.cpp), acting as the agent
// of the clone it starts in, over stdio (--stdio) or Streamable HTTP (--port N [--bind ADDR]).
// Not on PATH: git-knot finds it in lib/knot and checks the command line first.
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "mcp/http.hpp"
#include "mcp/live.hpp"
#include "mcp/server.hpp"
#include "mcp/stdio.hpp"

#include <csignal>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <unistd.h>

namespace {

int usage() {
    std::cerr << "usage: knot-mcp --stdio | --port <port> [--bind <address>]  (run it as git "
                 "knot mcp; see git-knot(1))\n";
    return 129;
}

int serve_stdio_session() {
    knot::Session session({.outbox = knot::OutboxOnOpen::keep});
    knot::mcp::LineWriter out(STDOUT_FILENO);
    knot::mcp::LiveRoom live(session, [&out](const nlohmann::json& note) { out.write(note); });
    knot::mcp::McpServer server(session, &live);
    return knot::mcp::serve_stdio(server, STDIN_FILENO, out);
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    try {
        if (argc == 2 && std::strcmp(argv[1], "--stdio") == 0)
            return serve_stdio_session();
        knot::mcp::HttpOptions options;
        bool port_given = false;
        for (int i = 1; i < argc; i += 2) {
            if (i + 1 >= argc)
                return usage();
            const std::string option = argv[i];
            if (option == "--port") {
                const std::string value = argv[i + 1];
                if (value.empty() || value.size() > 5 ||
                    value.find_first_not_of("0123456789") != std::string::npos ||
                    std::stoi(value) > 65535)
                    return usage();
                options.port = std::stoi(value);
                port_given = true;
            } else if (option == "--bind") {
                options.bind = argv[i + 1];
            } else {
                return usage();
            }
        }
        if (!port_given)
            return usage();
        // The clone must be in a room before anything listens: the same error as --stdio's.
        { knot::Session check({.outbox = knot::OutboxOnOpen::keep}); }
        return knot::mcp::serve_http(options);
    } catch (const std::exception& e) {
        std::cerr << "git knot mcp: " << e.what() << '\n';
        return 128;
    }
}
