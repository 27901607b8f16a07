// The shape of a git-knot subcommand and the helpers every command file shares.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace knot::cli {

// A subcommand gets its arguments (after the subcommand's name) and returns the exit code.
using CommandFunction = int (*)(const std::vector<std::string>& args);

struct Command {
    const char* name;
    CommandFunction run;
    const char* summary;
};

// The sorted table of every subcommand, defined in main.cpp.
const std::vector<Command>& commands();

// Parses `args` into `app`. Throws knot::UsageError on a bad command line; returns false when
// --help was given and printed (the command then returns 0).
bool parse_args(CLI::App& app, const std::vector<std::string>& args);

// A short "3m ago" rendering of a past unix time, relative to now.
std::string ago(long long unix_time);

int cmd_doctor(const std::vector<std::string>& args);
int cmd_down(const std::vector<std::string>& args);
int cmd_hook(const std::vector<std::string>& args);
int cmd_init(const std::vector<std::string>& args);
int cmd_join(const std::vector<std::string>& args);
int cmd_status(const std::vector<std::string>& args);
int cmd_up(const std::vector<std::string>& args);
int cmd_whoami(const std::vector<std::string>& args);

} // namespace knot::cli
