// The checks behind `git knot doctor`: each a verdict, what was found, and how to fix it.
#pragma once

#include <string>
#include <vector>

namespace knot {

enum class Verdict { ok, warn, fail };

struct Check {
    std::string name;
    Verdict verdict;
    std::string detail;
    std::string fix; // empty when nothing needs doing
};

// Runs every check from the current directory: git, the repository, the key file, the config,
// the hooks, the server, the clock. Never throws: a failure is a check.
std::vector<Check> diagnose();

// The oldest git knot is tested with.
inline constexpr int k_min_git_major = 2;
inline constexpr int k_min_git_minor = 30;

// Parses "git version 2.39.5" into major and minor; false when it cannot.
bool parse_git_version(const std::string& text, int& major, int& minor);

} // namespace knot
