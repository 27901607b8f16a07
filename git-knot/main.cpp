// git-knot: the top-level options, the dispatch to the registered commands, and the only catch
// site of the porcelain.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "server_errors.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {
namespace {

void print_usage(std::ostream& out) {
    out << "usage: git knot <command> [<args>]\n\n"
           "knot coordinates several coding agents working one git repository.\n\n"
           "Commands:\n";
    for (const auto& c : commands()) {
        std::string name = c.name;
        name.resize(10, ' ');
        out << "   " << name << c.summary << '\n';
    }
    out << "\n'git knot <command> --help' describes a command; 'git help knot' opens the manual.\n"
           "Exit codes: 0 ok, 1 refused or a check failed, 2 server unreachable,\n"
           "3 credentials refused, 128 fatal, 129 usage.\n";
}

int run(const Command& command, const std::vector<std::string>& args) {
    CLI::App app{command.summary, command.name};
    return command.run(app, args);
}

// Two hidden options read the registry for the completions and tests/e2e/docs_agree.sh, as
// git's own `git --list-cmds` does: `git knot --list-cmds` prints each command as its name, a
// tab and its summary, one a line, sorted; `git knot --list-opts <command>` prints the
// command's options (print_options in command.hpp).
int dispatch(int argc, char** argv) {
    if (argc < 2) {
        print_usage(std::cerr);
        return 129;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(std::cout);
        return 0;
    }
    if (name == "--version" || name == "version") {
        std::cout << "git-knot " << KNOT_VERSION << '\n';
        return 0;
    }
    if (name == "--list-cmds" && argc == 2) {
        for (const auto& c : commands())
            std::cout << c.name << '\t' << c.summary << '\n';
        return 0;
    }
    if (name == "--list-opts" && argc == 3) {
        const Command* command = find_command(argv[2]);
        if (!command)
            throw UsageError("'" + std::string(argv[2]) + "' is not a git knot command");
        return run(*command, {k_list_options});
    }
    if (const Command* command = find_command(name))
        return run(*command, std::vector<std::string>(argv + 2, argv + argc));
    throw UsageError("'" + name + "' is not a git knot command; see 'git knot --help'");
}

} // namespace
} // namespace knot::cli

int main(int argc, char** argv) {
    try {
        return knot::cli::dispatch(argc, argv);
    } catch (const knot::UsageError& e) {
        std::cerr << knot::cli::usage_prefix(argc > 1 ? argv[1] : "") << e.what() << '\n';
        return 129;
    } catch (const knot::UnreachableError& e) {
        std::cerr << "git-knot: error: " << e.what() << '\n';
        return 2;
    } catch (const knot::HttpError& e) {
        std::cerr << knot::cli::error_line(e) << '\n';
        return knot::cli::exit_status(e);
    } catch (const knot::Refused& e) {
        std::cerr << "git-knot: " << e.what() << '\n';
        return 1;
    } catch (const knot::Error& e) {
        std::cerr << "git-knot: fatal: " << e.what() << '\n';
        return 128;
    } catch (const std::exception& e) {
        std::cerr << "git-knot: fatal: " << e.what() << '\n';
        return 128;
    }
}
