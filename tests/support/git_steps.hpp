// Test support for the sync tests: small steps in a clone through the real git, and the room's
// sync.pushed events as `git knot log` shows them.
#pragma once

#include "hosted_room.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knot::test {

// `text` without trailing newlines and spaces.
std::string trimmed(std::string text);

// Whether `text` holds `part`.
bool contains(const std::string& text, const std::string& part);

// The JSON a command printed; REQUIREs that it exited 0 (its stderr shown when not).
nlohmann::json json_of(const ShellResult& result);

// Writes `text` to `file`, making its directories first.
void write_file(const std::filesystem::path& file, const std::string& text);

// The commit `name` resolves to in `repo`, "" when it does not.
std::string rev(const std::filesystem::path& repo, const std::string& name);

// Writes `text` to `file` in `repo` and commits it; REQUIREs success; returns the new commit.
std::string commit_file(const std::filesystem::path& repo, const std::string& file,
                        const std::string& text);

// sh(), with the command and its output kept for the report when a check fails.
ShellResult run(const std::string& command, const std::filesystem::path& repo);

// The room's sync.pushed events, oldest first, read through `git knot log --json` in `repo`.
std::vector<nlohmann::json> pushes(const std::filesystem::path& repo);

// A clone joined as `name` whose helper works in hosted mode (the test clones have the host's
// repository as origin, which would otherwise select forge mode).
std::filesystem::path hosted_clone(HostedRoom& room, const std::string& name);

} // namespace knot::test
