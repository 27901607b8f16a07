// Runs an agent's local AI, the command in knot.reviewer (`git knot review --watch`) or in
// knot.planner (`git knot plan "goal"`), for example `claude -p`, `codex exec` or
// `ollama run llama3`: through sh, the prompt on its standard input, its standard output read
// (bounded) while it runs, its standard error left on the terminal.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

namespace knot::cli {

struct AiRun {
    std::string output; // its standard output, at most 1 MiB
    int exit_code = 0;
    bool timed_out = false; // killed at the deadline
    bool stopped = false;   // killed because `stop` was set or a signal came
    int signal = 0;         // that signal (SIGINT, SIGTERM or SIGHUP), else 0
};

// Runs `command` in a process group of its own with `prompt` on standard input until it exits or
// `limit` passes (then the whole group is killed), or until `stop` is set (checked at least every
// 200 ms). `every_while` is called about every `interval` while it runs (a peer renews its
// claim there). A command that stops reading its prompt ends nothing here: SIGPIPE is blocked
// in this thread while it runs and any it raised is taken before returning. Ctrl-C is left to
// the caller, which sets `stop`. Throws knot::Error when the command cannot be started.
AiRun run_ai_command(const std::string& command, const std::string& prompt,
                     std::chrono::seconds limit, std::chrono::seconds interval,
                     const std::function<void()>& every_while, const std::atomic<bool>& stop);

// As above with nothing to do while it runs; SIGINT, SIGTERM and SIGHUP (Ctrl-C reaches only
// git-knot, the command being in a group of its own) kill the group and end the run, `stopped`
// with `signal` set, so that no command is left running after git-knot.
AiRun run_ai_command(const std::string& command, const std::string& prompt,
                     std::chrono::seconds limit);

} // namespace knot::cli
