// Repository paths, as locks name them: relative to the top of the work tree, '/'-separated,
// normal. The server refuses anything else; clients normalise what users type.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

inline constexpr std::size_t k_max_repo_path_bytes = 1024;
inline constexpr std::size_t k_max_repo_path_segment_bytes = 255;
inline constexpr std::size_t k_max_paths_per_request = 1000;

// Why `path` is not a normal repository path (empty, absolute, '.', '..' or empty segments,
// control characters, too long, not UTF-8, or in a `.git` directory: a segment ".git" in any
// case), or nothing when it is one. The reason never quotes the path.
std::optional<std::string> invalid_repo_path(std::string_view path);

// `path` as messages show it: bytes that are not UTF-8 and control characters written as
// \xNN, and a path longer than 80 characters cut there with "... (N bytes)", so that no
// message echoes a long or hostile name whole.
std::string printable_path(std::string_view path);

// Those of `paths` (names git gave, any bytes) that a lock can name, in order. Each other one is
// named on `warnings` with the reason ("knot: warning: '<printable path>' is left out of the lock
// check: ..."), ten at most, then how many more: a hook checks the rest rather than none.
std::vector<std::string> lockable_paths(std::vector<std::string> paths, std::ostream& warnings);

// Turns what a user typed into a repository path: relative paths are taken from `cwd`, '.'
// and empty segments dropped, '..' resolved. Throws knot::UsageError naming the path when it
// leaves the work tree `workdir`, is the work tree itself, or breaks a rule above (the message
// shows the input as printable_path does).
std::string normalise_repo_path(std::string_view input, const std::filesystem::path& cwd,
                                const std::filesystem::path& workdir);

// Normalises each of `inputs`, dropping duplicates but keeping the first occurrence's order.
// Throws knot::UsageError when there are more than k_max_paths_per_request.
std::vector<std::string> normalise_repo_paths(const std::vector<std::string>& inputs,
                                              const std::filesystem::path& cwd,
                                              const std::filesystem::path& workdir);

} // namespace knot
