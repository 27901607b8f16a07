// Runs a check plan: each command in its own process group under one time limit, with a
// scrubbed environment, its output captured to a log (capped), and the whole group killed at
// the limit so nothing it started outlives the run. The server confines each command further
// (a sandbox program around it, another user, resource limits); `git knot check` does not.
#pragma once

#include "libknot/checks/check_plan.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

// How each command of a run is confined. The server's checks run other people's code; `git
// knot check` runs the user's own and passes none.
struct CheckConfinement {
    // The sandbox program (an absolute path) and its arguments; `/bin/sh -c <command>` is
    // appended. It starts with run_checks's `environment` and gives the command its own. The
    // process group the runner kills is the wrapper's: a wrapper must keep the command's
    // processes in it, or end them when it is killed (bwrap --die-with-parent with its own PID
    // namespace ends every process inside when it goes).
    std::vector<std::string> wrapper;
    // Resource limits set before exec, so every process the command starts inherits them;
    // 0 leaves one as it is. Memory is address space per process (RLIMIT_AS), processes count
    // every process of the user (RLIMIT_NPROC: checks running as one user share it, and root
    // is exempt), file size is per file written (RLIMIT_FSIZE), CPU time is per process
    // (RLIMIT_CPU).
    std::uint64_t max_memory_bytes = 0;
    std::uint64_t max_processes = 0;
    std::uint64_t max_file_bytes = 0;
    std::uint64_t max_cpu_seconds = 0;
    // How the command sees `dir`; summaries name this instead of the host's path.
    std::string shown_dir;
    // Logged as "knot: <description>" before the first command, so a log says how it ran.
    std::string description;
};

struct CheckLimits {
    std::chrono::milliseconds time_limit{std::chrono::minutes(10)}; // for the whole plan
    std::uint64_t max_output_bytes = 8u << 20;                      // for the whole plan
    // When set and it becomes true, the running command's group is killed and the outcome is
    // `cancelled` (a server stopping). Looked at between reads, at least every 100 ms.
    const std::atomic<bool>* cancel = nullptr;
    // Called with each command's process group id after it is made and before the command runs
    // (a server records it so that, restarted after a crash, it can kill what the crashed run
    // left behind, however soon the crash comes).
    std::function<void(int)> on_start;
    // Set for the server's checks (see CheckConfinement).
    std::optional<CheckConfinement> confinement;
};

enum class CheckVerdict {
    pass,         // every command exited 0 (or the plan was empty)
    fail,         // a command exited non-zero or was killed by a signal
    timed_out,    // the time limit passed; the process group was killed
    output_limit, // the output passed max_output_bytes; the process group was killed
    error,        // a command could not be started (missing directory, no /bin/sh, no sandbox)
    cancelled,    // `cancel` became true; the process group was killed
};

// "pass", "fail", "timed_out", "output_limit", "error" or "cancelled".
std::string_view verdict_name(CheckVerdict verdict);

struct CheckOutcome {
    CheckVerdict verdict = CheckVerdict::pass;
    std::string command_name; // the command that failed, empty on pass
    int exit_code = 0;        // its exit status; 128+N when killed by signal N
    std::chrono::milliseconds duration{0};
    std::string summary; // one line for people: "ctest exited with 8", "timed out after 30 s"
    std::string tail;    // the last lines of the log, at most about 4 KiB
};

// The environment commands run with: PATH from this process (or "/usr/local/bin:/usr/bin:/bin"),
// HOME and TMPDIR as given (created when missing; knot::Error when they cannot be), LANG=C.UTF-8,
// TERM=dumb, CI=true, KNOT_BUILD_DIR, and nothing else of this process's environment (no tokens,
// no GIT_* variables).
std::map<std::string, std::string> scrubbed_environment(const std::filesystem::path& home,
                                                        const std::filesystem::path& tmp,
                                                        const std::filesystem::path& build_dir);

// Runs `plan`'s commands in order in `dir` until one fails. Writes a "$ <command>" line before
// each command's output and a final "knot: <verdict>: <summary>" line to `log_path` (created,
// with its directory; truncated when it exists). `on_output`, when given, sees the same bytes as
// the log as they are written (those lines included). Output past max_output_bytes is not
// logged. When a command's main process exits, the rest of its process group is killed too. An
// empty plan passes ("no checks to run"); a missing `dir` gives verdict error. With a
// confinement, a wrapper exit status of 128+N (how bwrap reports a command killed by signal N)
// reads as killed by signal N, and the CPU time and file size limits are named when their
// signals end a command. Never throws for
// a failing command; throws knot::Error only when the log cannot be written (a running command
// is then killed first). Safe to call from several threads at once, provided nothing else in
// the process reaps children with waitpid(-1) or ignores SIGCHLD.
CheckOutcome run_checks(const CheckPlan& plan, const std::filesystem::path& dir,
                        const std::map<std::string, std::string>& environment,
                        const CheckLimits& limits, const std::filesystem::path& log_path,
                        const std::function<void(std::string_view)>& on_output = {});

} // namespace knot
