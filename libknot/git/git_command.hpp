// Running the real git binary: the porcelain changes config and remotes through git itself, as
// a git plugin should, and keeps libgit2 (and its start-up cost) out of every hook.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

struct GitResult {
    int status = -1; // the exit status, or -1 when git could not be run
    std::string out;
    std::string err;
};

// Runs `git <args...>` in `cwd` with standard input from /dev/null and waits for it.
GitResult run_git(const std::vector<std::string>& args, const std::filesystem::path& cwd);

// Runs `git <args...>` in `cwd`, writing `input` to its standard input and handing its
// standard output to `on_output` as it arrives (for output too large to hold, such as a pack).
// The result's `out` stays empty; `err` holds what git wrote to standard error. A caller that
// passes input should ignore SIGPIPE: git may exit before reading all of it.
// With `on_error`, standard error goes there as it arrives too (progress meters), not only to
// the result.
GitResult run_git_piped(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                        std::string_view input,
                        const std::function<void(const char*, std::size_t)>& on_output,
                        const std::function<void(const char*, std::size_t)>& on_error = {});

// Supplies a git child's standard input piece by piece: fills at most `size` bytes of `buffer`
// and returns how many it put there, 0 at the end. It may block (reading a network stream);
// git's output waits meanwhile, which it can as long as it writes less than a pipe holds.
using GitInput = std::function<std::size_t(char* buffer, std::size_t size)>;

// Like run_git_piped, but standard input comes from `input` as fast as git takes it, so input
// larger than memory (a pack arriving over the network) streams through, and git works on the
// start of it while the rest is still arriving. Once git stops reading (it exited, or closed
// its standard input) the rest of `input` is left unread. An exception from a callback closes
// git's pipes, waits for git and propagates.
GitResult run_git_streamed(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                           const GitInput& input,
                           const std::function<void(const char*, std::size_t)>& on_output,
                           const std::function<void(const char*, std::size_t)>& on_error = {});

// `text` without its trailing line ends (git's output of one line).
std::string chomp(std::string text);

// `git config --get <key>` from the user's global and system configuration only (run from "/",
// which no repository holds, so a home folder kept in git adds nothing); nothing when unset or
// empty.
std::optional<std::string> user_config_get(const std::string& key);

// Like run_git, but throws knot::Error with git's own message when it exits non-zero.
std::string run_git_checked(const std::vector<std::string>& args, const std::filesystem::path& cwd);

} // namespace knot
