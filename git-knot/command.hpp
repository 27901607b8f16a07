// The shape of a git-knot subcommand and the helpers every command file shares.
#pragma once

#include <iosfwd>
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

namespace knot::wire {
struct Settings;
} // namespace knot::wire

namespace knot::cli {

// Adding a command: commands/<name>.cpp with its Registration (and a value name, option_text,
// on each option that takes a value), its line in git-knot/CMakeLists.txt, its .SS section in
// man/git-knot.1 (a .TP item per option), and its test. `git knot --help`, `--help` and both
// completions follow from the registry; tests/e2e/docs_agree.sh fails until the manual agrees.
// (A block in share/zsh/site-functions/_git-knot may refine its completion: exclusions, values.)
//
// A subcommand, declared once in its commands/<name>.cpp. `run` gets `app`, already named after
// the command and described by `summary`, declares its options on it, calls parse_args and
// runs; it returns the exit code. `summary` is what `git knot --help`, `git knot <name> --help`
// and the completions show, so it is written nowhere else.
struct Command {
    const char* name;
    const char* summary;
    int (*run)(CLI::App& app, const std::vector<std::string>& args);
};

// Adds a command to the registry. Each commands/<name>.cpp defines one at namespace scope,
//     const Registration registration{{"claim", "Claim a task atomically ...", run}};
// git-knot links its object files directly, so no registration is left out by the linker.
class Registration {
public:
    explicit Registration(const Command& command);
};

// Every registered command, sorted by name.
const std::vector<Command>& commands();

// The command named `name`, or nullptr.
const Command* find_command(const std::string& name);

// Parses `args` into `app`, named after its command ("lock"). Throws knot::UsageError on a bad
// command line, in knot's words rather than CLI11's ("missing <paths>", "unknown option
// '--bogus'"); returns false when --help was given and printed (the command then returns 0).
// `args` of exactly k_list_options (as git's --git-completion-helper) prints the command's
// options instead (print_options) and returns false: so commands do nothing before this call.
bool parse_args(CLI::App& app, const std::vector<std::string>& args);

// The hidden argument that makes parse_args list the options (`git knot --list-opts <name>`
// passes it; `git knot <name> --git-completion-helper` works too, as in git).
inline constexpr const char* k_list_options = "--git-completion-helper";

// Prints the options of `app` to `out`, one spelling a line, for the completions and
// tests/e2e/docs_agree.sh: "--path=<dir>" and "-n <count>" take a value (its name is the
// option's option_text, else its type in lower case), "--json" and "-q" do not. Positional
// arguments are left out; --help and -h are included.
void print_options(const CLI::App& app, std::ostream& out);
// A CLI11 check that an integer option is `least` or more ("'-5' is not a number of 0 or more").
CLI::Validator at_least(long long least);

// What main prints before a usage error: "git knot lock: " when `name` is a command of the
// table, else "git knot: ".
std::string usage_prefix(const std::string& name);

// Turns a 409 lock_conflict into knot::Refused whose message lists each conflicting lock
// (holder, intent, expiry); any other refusal (server_errors.hpp: a 403 not_owner for --force
// by a member) into knot::Refused with the server's words and "; nothing was locked"; any other
// error is rethrown as it is.
[[noreturn]] void rethrow_with_conflicts(const HttpError& error);

// Repository paths from what the user typed, relative to the current directory.
std::vector<std::string> repo_paths(const std::vector<std::string>& typed);

// Sends `config` (this clone's knot.check and knot.checkTimeout) to the room's integration
// settings, with this clone's forge in forge mode, and returns the settings the room now has.
// Only the room's owner may: the server's 403 not_owner is a refusal (server_errors.hpp).
wire::Settings send_check_settings(Session& session, const CheckConfig& config);

// The forge this clone pushes to in forge mode (sync_mode), as the room's owner sends it to the
// server: a local path made absolute. Nothing in hosted mode.
std::optional<std::string> forge_of(const GitRepo& repo);

// Sends the owner's room settings: `config` when given (else the room's checks stay as they
// are) and the forge when given. Returns the room's settings; not the owner, or a forge the
// host's rules refuse, is a refusal (server_errors.hpp).
wire::Settings send_room_settings(Session& session, const CheckConfig* config,
                                  const std::optional<std::string>& forge);

// A short "3m ago" rendering of a past unix time, relative to now.
std::string ago(long long unix_time);

} // namespace knot::cli
