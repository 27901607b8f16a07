// Finding programs and stopping processes: what the porcelain, the server and doctor share.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

namespace knot {

// True while `pid` runs. A zombie (exited, not yet reaped by its parent) counts as gone: a
// server started by an earlier `git knot up` is not our child, so we cannot reap it.
bool process_alive(pid_t pid);

// `name` found on PATH, or nothing.
std::optional<std::filesystem::path> find_on_path(const std::string& name);

// The path of the running program (/proc/self/exe), or nothing when it cannot be read.
std::optional<std::filesystem::path> self_program();

// The folder of knot's own modules and helper programs (the TLS module, knot-hook, knot-agent):
// <this program's folder>/../lib/knot once installed, the same place relative to bin/ in the
// build tree. Nothing when the running program cannot be found.
std::optional<std::filesystem::path> knot_lib_dir();

// Where program `name` is: beside this program, else on PATH. Throws knot::Error when neither.
std::filesystem::path find_program_beside_self(const std::string& name);

// Sends SIGTERM and waits up to `timeout` for the process to go; SIGKILL after that.
// Returns false when the process had to be killed.
bool stop_process(pid_t pid, std::chrono::milliseconds timeout);

} // namespace knot
