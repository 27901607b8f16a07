// knot-agent <work tree>: the clone's background helper for its pre-commit hook (agent.hpp).
// Not run by people: `git-knot hook pre-commit` starts it, detached, with its output on
// /dev/null; so it reports nothing but its exit code.
#include "knot-agent/agent.hpp"

#include <cstring>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::cout
            << "usage: knot-agent <work tree>\n"
               "Answers the knot pre-commit hook of one clone over <git dir>/knot/agent.sock;\n"
               "started by the hook itself (see git-knot(1), HOOKS).\n";
        return 0;
    }
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
        std::cout << "knot-agent " KNOT_VERSION "\n";
        return 0;
    }
    if (argc != 2) {
        std::cerr << "usage: knot-agent <work tree>\n";
        return 129;
    }
    try {
        return knot::run_agent(argv[1]);
    } catch (const std::exception& e) {
        std::cerr << "knot-agent: " << e.what() << '\n';
        return 128;
    }
}
