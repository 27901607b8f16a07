// Runs a check plan (see check_runner.hpp).
#include "libknot/checks/check_runner.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/checks/check_child.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace knot {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Between SIGTERM and SIGKILL: long enough for a test runner to stop its own children.
constexpr std::chrono::seconds k_kill_grace{2};
// How long the output is still read after the command and its group are gone: only a process
// that left the group (setsid) can hold the pipe open that long, and it does not hold the run.
constexpr std::chrono::seconds k_drain_grace{2};
// How often the child's exit is checked without pidfds (old kernels, strict seccomp), and the
// cancel flag when there is one.
constexpr milliseconds k_check_interval{100};
// Longer limits are taken as this one, which keeps the deadline's arithmetic from overflowing.
constexpr std::chrono::hours k_longest_limit{24 * 365};
constexpr std::size_t k_tail_bytes = 4096;
constexpr std::size_t k_summary_command_bytes = 60;
constexpr std::string_view k_default_path = "/usr/local/bin:/usr/bin:/bin";

std::string error_text(int error) {
    return std::generic_category().message(error);
}

// "10 min", "30 s", "1500 ms".
std::string duration_text(milliseconds duration) {
    const auto ms = duration.count();
    if (ms >= 60000 && ms % 60000 == 0)
        return std::to_string(ms / 60000) + " min";
    if (ms % 1000 == 0)
        return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

// "4 GiB", "8 MiB", "64 KiB", "1000 bytes".
std::string size_text(std::uint64_t bytes) {
    if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
        return std::to_string(bytes >> 30) + " GiB";
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= 1024 && bytes % 1024 == 0)
        return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

// How a summary names a command: its text in backticks when short and on one line, else its
// name.
std::string label(const CheckCommand& command) {
    if (command.command.size() <= k_summary_command_bytes &&
        command.command.find('\n') == std::string::npos)
        return "`" + command.command + "`";
    return command.name;
}

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD, so the tail and
// the summary can go into JSON whatever the commands printed.
std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const std::size_t length = lead < 0x80           ? 1
                                   : (lead >> 5) == 0x6  ? 2
                                   : (lead >> 4) == 0xE  ? 3
                                   : (lead >> 3) == 0x1E ? 4
                                                         : 0;
        bool ok = length > 0 && i + length <= text.size();
        std::uint32_t code = length == 1 ? lead : lead & (0x7Fu >> length);
        for (std::size_t k = 1; ok && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            ok = (next & 0xC0) == 0x80;
            code = (code << 6) | (next & 0x3F);
        }
        constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        ok = ok && code >= smallest[length] && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF);
        if (ok) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

// The log file, the recent bytes the tail is cut from, and the on_output callback: everything
// logged goes to all three.
class CheckLog {
public:
    CheckLog(const fs::path& path, const std::function<void(std::string_view)>& on_output)
        : m_path(path)
        , m_on_output(on_output) {
        std::error_code ec;
        if (path.has_parent_path())
            fs::create_directories(path.parent_path(), ec);
        if (ec)
            throw Error("cannot create " + path.parent_path().string() + ": " + ec.message());
        m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (m_fd < 0)
            throw Error("cannot write the check log " + path.string() + ": " + error_text(errno));
    }
    ~CheckLog() { ::close(m_fd); }
    CheckLog(const CheckLog&) = delete;
    CheckLog& operator=(const CheckLog&) = delete;

    void write(std::string_view text) {
        write_all(m_fd, text, m_path);
        m_recent.append(text);
        if (m_recent.size() > 16 * k_tail_bytes)
            m_recent.erase(0, m_recent.size() - 2 * k_tail_bytes);
        if (m_on_output)
            m_on_output(text);
    }

    // The last k_tail_bytes or fewer, starting at a line's start when the cut falls mid-line.
    std::string tail() const {
        std::string_view recent = m_recent;
        if (recent.size() > k_tail_bytes) {
            auto cut = recent.size() - k_tail_bytes;
            if (recent[cut - 1] != '\n') {
                const auto newline = recent.find('\n', cut);
                if (newline != std::string_view::npos && newline + 1 < recent.size())
                    cut = newline + 1;
            }
            recent.remove_prefix(cut);
        }
        return valid_utf8(recent);
    }

private:
    fs::path m_path;
    const std::function<void(std::string_view)>& m_on_output;
    int m_fd = -1;
    std::string m_recent;
};

enum class Stop { none, timed_out, output_limit, cancelled };

// What ended a command: its own exit or one of our limits, and the wait status.
struct CommandEnd {
    Stop stop = Stop::none;
    int status = 0;
};

bool cancelled(const CheckLimits& limits) {
    return limits.cancel && limits.cancel->load(std::memory_order_relaxed);
}

// Copies the child's output to the log until the child has exited and its pipe is drained,
// killing the group at the deadline, on cancel, or when `output_bytes` would pass the cap.
CommandEnd watch(CheckChild& child, Clock::time_point deadline, const CheckLimits& limits,
                 std::uint64_t& output_bytes, CheckLog& log) {
    constexpr auto never = Clock::time_point::max();
    CommandEnd end;
    auto kill_at = never;     // SIGKILL for the group, the grace after SIGTERM over
    auto drain_until = never; // set when the leader is reaped
    const auto stop = [&](Stop why) {
        if (end.stop != Stop::none)
            return;
        end.stop = why;
        child.kill_group(SIGTERM);
        kill_at = Clock::now() + k_kill_grace;
    };
    const std::uint64_t max_output = limits.max_output_bytes;
    char buffer[65536];
    while (!child.reaped() || child.output() >= 0) {
        const auto now = Clock::now();
        if (child.reaped() && now >= drain_until)
            break; // a process outside the group still holds the pipe: stop reading
        if (!child.reaped() && now >= deadline)
            stop(Stop::timed_out);
        if (!child.reaped() && cancelled(limits))
            stop(Stop::cancelled);
        if (now >= kill_at) {
            child.kill_group(SIGKILL);
            kill_at = never;
        }
        auto wake = child.reaped() ? drain_until
                                   : std::min(kill_at, end.stop == Stop::none ? deadline : never);
        if (!child.reaped() && (child.pidfd() < 0 || limits.cancel))
            wake = std::min(wake, now + k_check_interval);
        const auto wait = std::clamp(std::chrono::ceil<milliseconds>(wake - now), milliseconds(0),
                                     milliseconds(std::chrono::hours(24)));

        pollfd fds[2] = {{child.output(), POLLIN, 0}, {child.pidfd(), POLLIN, 0}};
        if (::poll(fds, 2, static_cast<int>(wait.count())) < 0 && errno != EINTR)
            throw Error(std::string("cannot wait for a check command: ") + error_text(errno));
        if (fds[0].fd >= 0 && fds[0].revents != 0) {
            const ssize_t got = ::read(fds[0].fd, buffer, sizeof buffer);
            if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
                child.close_output();
            } else if (got > 0) {
                const auto size = static_cast<std::uint64_t>(got);
                const auto room = max_output - std::min(max_output, output_bytes);
                const auto kept = std::min(size, room);
                if (kept > 0)
                    log.write(std::string_view(buffer, static_cast<std::size_t>(kept)));
                output_bytes += kept;
                if (size > room)
                    stop(Stop::output_limit); // after the cap nothing more is logged
            }
        }
        if (!child.reaped() && (fds[1].fd < 0 || fds[1].revents != 0) && child.exited()) {
            // Whatever the command left behind in its group goes with it; the leader is still
            // a zombie here, so the group's id is still ours.
            child.kill_group(SIGKILL);
            child.reap();
            kill_at = never;
            drain_until = Clock::now() + k_drain_grace;
        }
    }
    end.status = child.status();
    return end;
}

std::optional<std::string> directory_problem(const fs::path& dir) {
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0)
        return error_text(errno);
    if (!S_ISDIR(info.st_mode))
        return error_text(ENOTDIR);
    return std::nullopt;
}

int exit_code_of(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 128;
}

// The signal that ended a command, or 0. A wrapper reports its command's signal N as exit
// status 128+N (bwrap does), so a confined command's 129..192 is read as one.
int killed_by(int status, const CheckConfinement* confinement) {
    if (WIFSIGNALED(status))
        return WTERMSIG(status);
    if (confinement && !confinement->wrapper.empty() && WIFEXITED(status) &&
        WEXITSTATUS(status) > 128 && WEXITSTATUS(status) <= 128 + 64)
        return WEXITSTATUS(status) - 128;
    return 0;
}

// Which confinement limit a signal stands for: ": over its CPU time limit (600 s)".
std::string limit_hint(int signal, const CheckConfinement* confinement) {
    if (!confinement)
        return {};
    if (signal == SIGXCPU && confinement->max_cpu_seconds > 0)
        return ": over the sandbox's CPU time limit (" +
               std::to_string(confinement->max_cpu_seconds) + " s per process)";
    if (signal == SIGXFSZ && confinement->max_file_bytes > 0)
        return ": over the sandbox's file size limit (" + size_text(confinement->max_file_bytes) +
               " per file)";
    return {};
}

std::string signal_text(int signal) {
    const char* abbreviation = ::sigabbrev_np(signal);
    return abbreviation ? std::string("SIG") + abbreviation : "signal " + std::to_string(signal);
}

} // namespace

std::string_view verdict_name(CheckVerdict verdict) {
    switch (verdict) {
    case CheckVerdict::pass:
        return "pass";
    case CheckVerdict::fail:
        return "fail";
    case CheckVerdict::timed_out:
        return "timed_out";
    case CheckVerdict::output_limit:
        return "output_limit";
    case CheckVerdict::error:
        return "error";
    case CheckVerdict::cancelled:
        return "cancelled";
    }
    return "error";
}

std::map<std::string, std::string> scrubbed_environment(const fs::path& home, const fs::path& tmp,
                                                        const fs::path& build_dir) {
    for (const auto& dir : {home, tmp}) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec)
            throw Error("cannot create " + dir.string() + ": " + ec.message());
    }
    const char* path = std::getenv("PATH");
    return {
        {"PATH", path && *path ? path : std::string(k_default_path)},
        {"HOME", home.string()},
        {"TMPDIR", tmp.string()},
        {"LANG", "C.UTF-8"},
        {"TERM", "dumb"},
        {"CI", "true"},
        {"KNOT_BUILD_DIR", build_dir.string()},
    };
}

CheckOutcome run_checks(const CheckPlan& plan, const fs::path& dir,
                        const std::map<std::string, std::string>& environment,
                        const CheckLimits& limits, const fs::path& log_path,
                        const std::function<void(std::string_view)>& on_output) {
    const auto started = Clock::now();
    const auto limit = std::min<milliseconds>(limits.time_limit, k_longest_limit);
    const auto deadline = started + limit;
    CheckLog log(log_path, on_output);
    CheckOutcome outcome;
    const auto finish = [&](CheckVerdict verdict, const std::string& summary) {
        outcome.verdict = verdict;
        outcome.summary = valid_utf8(summary);
        log.write("knot: " + std::string(verdict_name(verdict)) + ": " + outcome.summary + "\n");
        outcome.tail = log.tail();
        outcome.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
        return outcome;
    };
    if (plan.commands.empty())
        return finish(CheckVerdict::pass, "no checks to run");
    const CheckConfinement* confinement = limits.confinement ? &*limits.confinement : nullptr;
    // Summaries go into events: a confined run names the directory as its command sees it.
    const std::string shown_dir = confinement ? confinement->shown_dir : dir.string();
    if (const auto problem = directory_problem(dir)) {
        outcome.command_name = plan.commands.front().name;
        return finish(CheckVerdict::error, "cannot run in " + shown_dir + ": " + *problem);
    }
    if (confinement && !confinement->description.empty())
        log.write("knot: " + confinement->description + "\n");

    std::uint64_t output_bytes = 0;
    for (const auto& command : plan.commands) {
        if (Clock::now() >= deadline) {
            outcome.command_name = command.name;
            return finish(CheckVerdict::timed_out, "timed out after " + duration_text(limit) +
                                                       " (limit) before " + label(command) +
                                                       " started");
        }
        if (cancelled(limits)) {
            outcome.command_name = command.name;
            return finish(CheckVerdict::cancelled,
                          "cancelled before " + label(command) + " started");
        }
        log.write("$ " + command.command + "\n");
        CheckChild child;
        if (const int error =
                child.start(command.command, dir, environment, confinement, limits.on_start)) {
            outcome.command_name = command.name;
            const std::string program = confinement && !confinement->wrapper.empty()
                                            ? confinement->wrapper.front()
                                            : std::string("/bin/sh");
            return finish(CheckVerdict::error, "cannot start " + program + " for " +
                                                   label(command) + " in " + shown_dir + ": " +
                                                   error_text(error));
        }
        const CommandEnd end = watch(child, deadline, limits, output_bytes, log);
        outcome.exit_code = exit_code_of(end.status);
        outcome.command_name = command.name;
        if (end.stop == Stop::timed_out)
            return finish(CheckVerdict::timed_out, "timed out after " + duration_text(limit) +
                                                       " (limit) in " + label(command) +
                                                       "; process group killed");
        if (end.stop == Stop::cancelled)
            return finish(CheckVerdict::cancelled,
                          "cancelled in " + label(command) + "; process group killed");
        if (end.stop == Stop::output_limit)
            return finish(CheckVerdict::output_limit,
                          "output passed " + size_text(limits.max_output_bytes) + " in " +
                              label(command) + "; process group killed");
        if (const int signal = killed_by(end.status, confinement))
            return finish(CheckVerdict::fail, label(command) + " was killed by " +
                                                  signal_text(signal) +
                                                  limit_hint(signal, confinement));
        if (outcome.exit_code != 0)
            return finish(CheckVerdict::fail,
                          label(command) + " exited with " + std::to_string(outcome.exit_code));
    }
    outcome.command_name.clear();
    outcome.exit_code = 0;
    const auto count = plan.commands.size();
    return finish(CheckVerdict::pass, count == 1
                                          ? "the one command passed"
                                          : "all " + std::to_string(count) + " commands passed");
}

} // namespace knot
