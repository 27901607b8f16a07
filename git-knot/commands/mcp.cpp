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
    std::string client;
    app.add_flag("--stdio", stdio,
                 "Serve MCP on standard input and output (what the clients' configs run)");
    app.add_option("--print-config", client, "Print the configuration of claude, cursor or codex")
        ->check(CLI::IsMember({"claude", "cursor", "codex"}))
        ->option_text("client");
    if (!parse_args(app, args))
        return 0;
    if (!client.empty()) {
        std::cout << config_for(client);
        return 0;
    }
    if (!stdio)
        throw UsageError("say how to serve: git knot mcp --stdio (or --print-config <client>)");
    const auto dir = knot_lib_dir();
    const std::string program = dir ? (*dir / "knot-mcp").string() : "knot-mcp";
    char* argv[] = {const_cast<char*>("knot-mcp"), const_cast<char*>("--stdio"), nullptr};
    ::execv(program.c_str(), argv);
    throw Error("cannot run " + program + ": " + std::strerror(errno) + "; reinstall knot");
}

const Registration registration{
    {"mcp", "Serve knot's tools to coding agents over MCP (--stdio)", run}};

} // namespace

} // namespace knot::cli
