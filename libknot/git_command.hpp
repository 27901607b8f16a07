// Running the real git binary: the porcelain changes config and remotes through git itself, as
// a git plugin should, and keeps libgit2 (and its start-up cost) out of every hook.
#pragma once

#include <filesystem>
#include <functional>
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

// Like run_git, but throws knot::Error with git's own message when it exits non-zero.
std::string run_git_checked(const std::vector<std::string>& args, const std::filesystem::path& cwd);

} // namespace knot
