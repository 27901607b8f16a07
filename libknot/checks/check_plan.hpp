// Which commands check a tree: the explicit list (knot.check), else .knot/checks, else what
// the tree's build files show (CMake, make, npm, tsc, go, cargo, pytest).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

// One command of a check run, given to /bin/sh -c in the tree's top directory. Commands may use
// $KNOT_BUILD_DIR, a persistent directory outside the tree for build output.
struct CheckCommand {
    std::string name;    // short, for summaries: "cmake build", "npm test", ".knot/checks:2"
    std::string command; // the shell text
};

struct CheckPlan {
    // Where the commands came from: "knot.check", ".knot/checks", "detected" or "none".
    std::string source;
    std::vector<CheckCommand> commands;
};

// The commands of a .knot/checks file: one per line; blank lines and lines whose first
// non-blank character is '#' are skipped; surrounding blanks are trimmed. Each is named
// ".knot/checks:<line number>".
std::vector<CheckCommand> parse_checks_file(std::string_view text);

// The commands the files at the top of `tree` call for, in this order: CMakeLists.txt
// (configure into $KNOT_BUILD_DIR, build, ctest); else a Makefile with a `check` or `test`
// target; package.json with a real "test" script (npm test); tsconfig.json (tsc --noEmit);
// go.mod (go test ./...); Cargo.toml (cargo test); pytest configuration or test_*.py files
// (python3 -m pytest). Empty when none applies.
std::vector<CheckCommand> detect_checks(const std::filesystem::path& tree);

// False when a tree whose top-level entries are named `top_level_names` cannot have checks:
// no .knot folder and none of the names detect_checks looks for (a cheap test on the tree's
// listing, so the integration agent need not check out a tree that has nothing to run).
bool may_have_checks(const std::vector<std::string>& top_level_names);

// `configured` (the values of knot.check, blank ones skipped; named "knot.check:<n>") when not
// empty, else `tree`/.knot/checks when it exists, else detect_checks(tree); source "none" when
// all three are empty. A .knot/checks that exists but holds no command is still the plan (empty,
// source ".knot/checks"): it is how a tree turns detection off. Files are read without
// following a symlink inside `tree` (a .knot/checks that is a link counts as missing).
CheckPlan plan_checks(const std::vector<std::string>& configured,
                      const std::filesystem::path& tree);

} // namespace knot
