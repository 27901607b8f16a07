// git knot down: stop the server (and tunnel) that 'git knot up' started for this clone.
#include "command.hpp"
#include "git-knot/room_host.hpp"
#include "libknot/client/clone.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string data;
    app.add_option("--data", data, "Server data directory (default: the one 'up' used)")
        ->option_text("dir");
    if (!parse_args(app, args))
        return 0;
    Clone clone = Clone::open();
    const auto dir = data.empty() ? host_data_dir(clone) : std::filesystem::path(data);
    const StoppedRoom stopped = stop_hosting(dir);
    if (stopped.tunnel_pid)
        std::cout << "tunnel stopped (pid " << stopped.tunnel_pid << ")\n";
    if (stopped.server_pid)
        std::cout << "knot server stopped (pid " << stopped.server_pid << "); its data stays in "
                  << dir.string() << '\n';
    else
        std::cout << "no knot server is running for this repository\n";
    return 0;
}

const Registration registration{
    {"down", "Stop the room's server (and tunnel) started by 'up'", run}};

} // namespace

} // namespace knot::cli
