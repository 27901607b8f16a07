// git-remote-knot: the remote helper git runs for knot::<url> remotes (gitremote-helpers(7)).
// This release answers the capabilities exchange and refuses the transfer commands with a
// clear message, so `git fetch knot` fails in git's own way until sync arrives.
#include <iostream>
#include <string>

int main(int argc, char** argv) {
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
    for (std::string line; std::getline(std::cin, line);) {
        if (line == "capabilities") {
            std::cout << "option\n\n" << std::flush;
        } else if (line.rfind("option ", 0) == 0) {
            std::cout << "unsupported\n" << std::flush;
        } else if (line.empty()) {
            return 0;
        } else {
            std::cerr << "fatal: git-remote-knot: pushing and fetching through knot is not in "
                         "this release of knot (" KNOT_VERSION ")\n";
            return 128;
        }
    }
    return 0;
}
