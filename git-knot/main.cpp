// git-knot: the table of subcommands, the dispatch, and the only catch site of the porcelain.
#include "command.hpp"
#include "libknot/base/error.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"chat", cmd_chat, "Talk in the room: lines typed are sent, the stream is shown live"},
        {"check", cmd_check,
         "Check HEAD merged onto the room's integration; --history of its runs"},
        {"claim", cmd_claim, "Claim a task atomically and create its worktree on knot/<id>"},
        {"dash", cmd_dash, "Live dashboard: agents, tasks, locks, recent events"},
        {"doctor", cmd_doctor, "Check git, keys, config, hooks, the server and the clock"},
        {"doing", cmd_doing, "Announce what you are doing and lock its files, all or none"},
        {"done", cmd_done, "Mark a claimed task done"},
        {"down", cmd_down, "Stop the room's server (and tunnel) started by 'up'"},
        {"hook", cmd_hook, "Run a git hook's knot part (called by the installed shims)"},
        {"init", cmd_init, "Create this clone's Ed25519 identity and knot config"},
        {"join", cmd_join, "Join a room from its invite URL"},
        {"lock", cmd_lock, "Lock repository paths (a lease, renewed by activity)"},
        {"locks", cmd_locks, "List the room's live locks"},
        {"log", cmd_log, "Replay or follow the room's event log; verify its hash chain"},
        {"plan", cmd_plan, "Add tasks to the board, from arguments, a file or stdin"},
        {"release", cmd_release, "Give a claimed task back to the board"},
        {"say", cmd_say, "Send one message to the room"},
        {"status", cmd_status, "Room overview: agents, online or not, counts, the server"},
        {"sync", cmd_sync, "Push your branch, fetch your teammates' and show who changed what"},
        {"tasks", cmd_tasks, "Show the task board"},
        {"undo", cmd_undo, "Move refs/knot/integration back one integration (signed, recorded)"},
        {"unlock", cmd_unlock, "Release locks you hold (owners may --force)"},
        {"up", cmd_up, "Host a room: start the server, create the room, print the invite"},
        {"whoami", cmd_whoami, "Show this agent's fingerprint and the room members' ones"},
    };
    return table;
}

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
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto& c : commands())
        if (name == c.name)
            return c.run(args);
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
        std::cerr << "git-knot: error: " << e.what() << '\n';
        return e.status() == 401 || e.status() == 403 ? 3 : 1;
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
