// git-remote-knot: the remote helper git runs for knot::<url> remotes (gitremote-helpers(7)).
#include "helper.hpp"

#include <csignal>
#include <exception>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    // A git child that exits before reading all we write (pack-objects on a bad revision) must
    // be an error we report, not a signal that kills the helper mid-protocol.
    std::signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
        std::cout << "usage: git-remote-knot <remote> <url>\n"
                     "git runs this helper for remotes whose URL starts with knot::;\n"
                     "see git-remote-knot(1).\n";
        return 0;
    }
    if (argc >= 2 && std::string(argv[1]) == "--version") {
        std::cout << "git-remote-knot " << KNOT_VERSION << '\n';
        return 0;
    }
    if (argc < 3) {
        std::cerr << "usage: git-remote-knot <remote> <url> (git runs it for knot:: remotes)\n";
        return 129;
    }
    try {
        knot::remote::serve(argv[2], std::cin, std::cout);
    } catch (const std::exception& error) {
        std::cerr << "fatal: git-remote-knot: " << error.what() << '\n';
        return 128;
    }
    return 0;
}
