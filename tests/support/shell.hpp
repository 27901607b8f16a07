// Test support for end-to-end tests: shell commands run in temporary clones with the built
// programs first on PATH and a private HOME, so no user or system git config leaks in.
#pragma once

#include <filesystem>
#include <string>

namespace knot::test {

struct ShellResult {
    int status = -1;
    std::string out;
    std::string err;
};

// Puts <build>/bin first on PATH, points HOME at a fresh directory with a git identity, and
// turns off the system git config. Idempotent; every e2e test calls it first.
void prepare_e2e_environment();

// Runs `command` with /bin/sh -c in `cwd`, capturing stdout and stderr separately.
ShellResult sh(const std::string& command, const std::filesystem::path& cwd);

// Runs `command` as sh does; REQUIREs that it exits 0 (its stderr in the report) and returns its
// stdout without trailing newlines.
std::string sh_ok(const std::string& command, const std::filesystem::path& cwd);

// Creates a repository with one commit at `dir`.
void make_repository(const std::filesystem::path& dir);

} // namespace knot::test
