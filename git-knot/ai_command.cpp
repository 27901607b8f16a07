// A local AI command, run with its prompt (see ai_command.hpp).
#include "ai_command.hpp"

#include "libknot/base/signal_watch.hpp"
#include "libknot/base/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <unistd.h>

namespace knot::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t k_max_output = 1 << 20;

// Whether Ctrl-C (and SIGTERM, SIGHUP) stops the command here, or is left to the caller's own
// handling (review --watch has its handler set `stop`).
enum class Interrupts { stop_command, left_to_caller };

AiRun run_command(const std::string& command, const std::string& prompt, std::chrono::seconds limit,
                  std::chrono::seconds interval, const std::function<void()>& every_while,
                  const std::atomic<bool>& stop, Interrupts interrupts) {
    // The command runs in a group of its own, so the terminal's Ctrl-C reaches git-knot alone:
    // read from a signalfd, it kills the group rather than leave the command running on.
    // SIGPIPE is read the same way, so that a command that stops reading its prompt makes the
    // write fail with EPIPE instead of ending git-knot. Children start with an empty mask.
    std::optional<SignalWatch> signals;
    if (interrupts == Interrupts::stop_command)
        signals.emplace(std::initializer_list<int>{SIGPIPE, SIGINT, SIGTERM, SIGHUP});
    else
        signals.emplace(std::initializer_list<int>{SIGPIPE});
    SpawnOptions options;
    options.argv = {"sh", "-c", command};
    options.in = Stdio::pipe;
    options.out = Stdio::pipe;
    options.err = Stdio::inherit;
    options.group = ProcessGroup::new_group;
    SpawnedChild child = spawn(options);
    ::fcntl(child.in.get(), F_SETFL, ::fcntl(child.in.get(), F_GETFL) | O_NONBLOCK);
    AiRun run;
    std::size_t written = 0;
    const auto deadline = Clock::now() + limit;
    auto next_tick = Clock::now() + interval;
    bool reading = true;
    while (reading) {
        if (written == prompt.size() && child.in.get() >= 0)
            child.in.reset(-1); // the whole prompt is in: the command sees its end
        for (int signal = signals->take(); signal != 0 && !run.signal; signal = signals->take())
            if (signal != SIGPIPE)
                run.signal = signal;
        pollfd fds[3] = {
            {signals->fd(), POLLIN, 0}, {child.out.get(), POLLIN, 0}, {child.in.get(), POLLOUT, 0}};
        const nfds_t count = child.in.get() >= 0 ? 3 : 2;
        const auto now = Clock::now();
        if (now >= deadline || stop || run.signal) {
            ::kill(-child.pid, SIGKILL);
            (now >= deadline && !stop && !run.signal ? run.timed_out : run.stopped) = true;
            break;
        }
        if (now >= next_tick) {
            every_while();
            next_tick = now + interval;
        }
        const auto wait = std::min(deadline, next_tick) - now;
        const int timeout_ms = static_cast<int>(std::min<long long>(
            200, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1));
        if (::poll(fds, count, timeout_ms) < 0 && errno != EINTR)
            break;
        if (count == 3 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const ssize_t n =
                ::write(child.in.get(), prompt.data() + written, prompt.size() - written);
            if (n > 0)
                written += static_cast<std::size_t>(n);
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                written = prompt.size(); // it stopped reading: the rest is not wanted
        }
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            char buffer[8192];
            const ssize_t n = ::read(child.out.get(), buffer, sizeof buffer);
            if (n > 0) {
                if (run.output.size() < k_max_output)
                    run.output.append(buffer, std::min(static_cast<std::size_t>(n),
                                                       k_max_output - run.output.size()));
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                reading = false;
            }
        }
    }
    child.in.reset(-1);
    child.out.reset(-1);
    run.exit_code = wait_exit_code(child.pid);
    return run;
}

} // namespace

AiRun run_ai_command(const std::string& command, const std::string& prompt,
                     std::chrono::seconds limit, std::chrono::seconds interval,
                     const std::function<void()>& every_while, const std::atomic<bool>& stop) {
    return run_command(command, prompt, limit, interval, every_while, stop,
                       Interrupts::left_to_caller);
}

AiRun run_ai_command(const std::string& command, const std::string& prompt,
                     std::chrono::seconds limit) {
    const std::atomic<bool> never{false};
    return run_command(
        command, prompt, limit, limit, [] {}, never, Interrupts::stop_command);
}

} // namespace knot::cli
