// The shape of a git-knot subcommand and the helpers every command file shares.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
class Validator;
} // namespace CLI

namespace knot {
class HttpError;
class GitRepo;
class Session;
struct CheckConfig;
} // namespace knot

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

// Parses `args` into `app`, named after its command ("lock"). Throws knot::UsageError on a bad
// command line, in knot's words rather than CLI11's ("missing <paths>", "unknown option
// '--bogus'"); returns false when --help was given and printed (the command then returns 0).
bool parse_args(CLI::App& app, const std::vector<std::string>& args);

// A CLI11 check that an integer option is `least` or more ("'-5' is not a number of 0 or more").
CLI::Validator at_least(long long least);

// What main prints before a usage error: "git knot lock: " when `name` is a command of the
// table, else "git knot: ".
std::string usage_prefix(const std::string& name);

// Turns a 409 lock_conflict into knot::Refused whose message lists each conflicting lock
// (holder, intent, expiry), and a 403 not_owner (--force by a member) into knot::Refused with
// the server's words; any other error is rethrown as it is.
[[noreturn]] void rethrow_with_conflicts(const HttpError& error);

// Repository paths from what the user typed, relative to the current directory.
std::vector<std::string> repo_paths(const std::vector<std::string>& typed);

// Sends `config` (this clone's knot.check and knot.checkTimeout) to the room's integration
// settings, with this clone's forge in forge mode, and returns the settings the room now has.
// Only the room's owner may: the server's 403 becomes knot::Refused with its message.
nlohmann::json send_check_settings(Session& session, const CheckConfig& config);

// The forge this clone pushes to in forge mode (sync_mode), as the room's owner sends it to the
// server: a local path made absolute. Nothing in hosted mode.
std::optional<std::string> forge_of(const GitRepo& repo);

// Sends the owner's room settings: `config` when given (else the room's checks stay as they
// are) and the forge when given. Refused (not the owner, a forge the host's rules refuse)
// becomes knot::Refused with the server's words. Returns the room's settings.
nlohmann::json send_room_settings(Session& session, const CheckConfig* config,
                                  const std::optional<std::string>& forge);

// A short "3m ago" rendering of a past unix time, relative to now.
std::string ago(long long unix_time);

int cmd_chat(const std::vector<std::string>& args);
int cmd_check(const std::vector<std::string>& args);
int cmd_claim(const std::vector<std::string>& args);
int cmd_dash(const std::vector<std::string>& args);
int cmd_doctor(const std::vector<std::string>& args);
int cmd_doing(const std::vector<std::string>& args);
int cmd_done(const std::vector<std::string>& args);
int cmd_down(const std::vector<std::string>& args);
int cmd_hook(const std::vector<std::string>& args);
int cmd_init(const std::vector<std::string>& args);
int cmd_join(const std::vector<std::string>& args);
int cmd_lock(const std::vector<std::string>& args);
int cmd_locks(const std::vector<std::string>& args);
int cmd_log(const std::vector<std::string>& args);
int cmd_plan(const std::vector<std::string>& args);
int cmd_release(const std::vector<std::string>& args);
int cmd_say(const std::vector<std::string>& args);
int cmd_status(const std::vector<std::string>& args);
int cmd_sync(const std::vector<std::string>& args);
int cmd_tasks(const std::vector<std::string>& args);
int cmd_undo(const std::vector<std::string>& args);
int cmd_unlock(const std::vector<std::string>& args);
int cmd_up(const std::vector<std::string>& args);
int cmd_whoami(const std::vector<std::string>& args);

} // namespace knot::cli
