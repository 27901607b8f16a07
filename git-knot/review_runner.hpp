// Runs a peer's local AI for `git knot review --watch`: the command in knot.reviewer (for
// example `claude -p`, `codex exec`, `ollama run llama3`) through sh, the prompt on its standard
// input, its standard output read (bounded) while it runs.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

namespace knot::cli {

struct ReviewerRun {
    std::string output; // its standard output, at most 1 MiB
    int exit_code = 0;
    bool timed_out = false; // killed at the deadline
    bool stopped = false;   // killed because `stop` was set
};

// Runs `command` with `prompt` on standard input until it exits or `limit` passes (then its
// process group is killed), or until `stop` is set (checked at least every 200 ms).
// `every_while` is called about every `interval` while it runs (a peer renews its claim there).
// Throws knot::Error when the command cannot be started.
ReviewerRun run_reviewer(const std::string& command, const std::string& prompt,
                         std::chrono::seconds limit, std::chrono::seconds interval,
                         const std::function<void()>& every_while, const std::atomic<bool>& stop);

} // namespace knot::cli
