// Small helpers the command files share (see command.hpp).
#include "command.hpp"
#include "libknot/error.hpp"
#include "libknot/protocol.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

bool parse_args(CLI::App& app, const std::vector<std::string>& args) {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return false;
    } catch (const CLI::ParseError& e) {
        throw UsageError(std::string(e.what()) + " (see 'git knot " + app.get_name() + " --help')");
    }
    return true;
}

std::string ago(long long unix_time) {
    if (unix_time <= 0)
        return "never";
    const long long seconds = unix_now() - unix_time;
    if (seconds < 60)
        return std::to_string(seconds < 0 ? 0 : seconds) + "s ago";
    if (seconds < 3600)
        return std::to_string(seconds / 60) + "m ago";
    if (seconds < 86400)
        return std::to_string(seconds / 3600) + "h ago";
    return std::to_string(seconds / 86400) + "d ago";
}

} // namespace knot::cli
