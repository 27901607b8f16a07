// git knot mcp: knot as a Model Context Protocol server for coding agents (Claude Code, Cursor,
// Codex), acting as this clone's agent; or the configuration each of them reads.
#include "command.hpp"
#include "git-knot/onboarding.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/process.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <unistd.h>

namespace knot::cli {

namespace {

// What each client reads to start `git knot mcp --stdio` in the project.
std::string config_for(const std::string& client) {
    if (client == "codex")
        return "codex mcp add knot -- git knot mcp --stdio\n";
    return mcp_client_config();
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool stdio = false;
    int port = -1;
    std::string bind = "127.0.0.1";
    std::string client;
    auto* stdio_flag = app.add_flag(
        "--stdio", stdio, "Serve MCP on standard input and output (what the clients' configs run)");
    auto* port_option = app.add_option("--port", port, "Serve MCP over HTTP at /mcp on this port")
                            ->check(CLI::Range(0, 65535))
                            ->option_text("port");
    app.add_option("--bind", bind, "With --port: the address to listen on (default 127.0.0.1)")
        ->option_text("address")
        ->needs(port_option);
    stdio_flag->excludes(port_option);
    app.add_option("--print-config", client, "Print the configuration of claude, cursor or codex")
        ->check(CLI::IsMember({"claude", "cursor", "codex"}))
        ->option_text("client");
    if (!parse_args(app, args))
        return 0;
    if (!client.empty()) {
        std::cout << config_for(client);
        return 0;
    }
    if (!stdio && port < 0)
        throw UsageError("say how to serve: git knot mcp --stdio, or --port <port> (or "
                         "--print-config <client>)");
    const auto dir = knot_lib_dir();
    const std::string program = dir ? (*dir / "knot-mcp").string() : "knot-mcp";
    std::vector<std::string> words = {"knot-mcp"};
    if (stdio)
        words.push_back("--stdio");
    else
        words.insert(words.end(), {"--port", std::to_string(port), "--bind", bind});
    std::vector<char*> argv;
    for (auto& word : words)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    throw Error("cannot run " + program + ": " + std::strerror(errno) + "; reinstall knot");
}

const Registration registration{
    {"mcp", "Serve knot's tools to coding agents over MCP (--stdio or --port)", run}};

} // namespace

} // namespace knot::cli
