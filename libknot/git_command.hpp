// Running the real git binary: the porcelain changes config and remotes through git itself, as
// a git plugin should, and keeps libgit2 (and its start-up cost) out of every hook.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace knot {

struct GitResult {
    int status = -1; // the exit status, or -1 when git could not be run
    std::string out;
    std::string err;
};

// Runs `git <args...>` in `cwd` with standard input from /dev/null and waits for it.
GitResult run_git(const std::vector<std::string>& args, const std::filesystem::path& cwd);

// Like run_git, but throws knot::Error with git's own message when it exits non-zero.
std::string run_git_checked(const std::vector<std::string>& args, const std::filesystem::path& cwd);

} // namespace knot
