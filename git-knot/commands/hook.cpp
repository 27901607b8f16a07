// git knot hook <name> [<args>...]: the knot part of a git hook, run by the shims that
// 'git knot init' and 'git knot join' install; git's arguments and standard input pass through.
#include "command.hpp"
#include "hooks/hook_runner.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string name;
    std::vector<std::string> hook_args;
    app.add_option("name", name, "pre-commit, pre-push, post-merge, post-checkout or post-rewrite")
        ->required();
    app.add_option("args", hook_args, "git's arguments to the hook, passed on as they are");
    // Everything after the name is git's, even what looks like an option.
    app.prefix_command();
    if (!parse_args(app, args))
        return 0;
    for (const auto& extra : app.remaining())
        hook_args.push_back(extra);
    return run_hook(name, hook_args, std::cin, std::cerr);
}

const Registration registration{
    {"hook", "Run a git hook's knot part (called by the installed shims)", run}};

} // namespace

} // namespace knot::cli
