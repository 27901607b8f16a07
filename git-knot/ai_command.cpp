// A local AI command, run with its prompt (see ai_command.hpp).
#include "ai_command.hpp"

#include "libknot/base/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

namespace knot::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t k_max_output = 1 << 20;

// Blocks SIGPIPE in this thread for its life, so that a write to a command that stopped reading
// fails with EPIPE instead of ending git-knot; on the way out it takes the SIGPIPE that raised
// (pending, not delivered) and restores the mask. Children start with an empty mask (spawn).
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigemptyset(&m_pipe);
        sigaddset(&m_pipe, SIGPIPE);
        ::pthread_sigmask(SIG_BLOCK, &m_pipe, &m_previous);
    }
    ~SigpipeBlock() {
        const timespec none{};
        while (::sigtimedwait(&m_pipe, nullptr, &none) == SIGPIPE) {
        }
        ::pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;

private:
    sigset_t m_pipe{};
    sigset_t m_previous{};
};

} // namespace

AiRun run_ai_command(const std::string& command, const std::string& prompt,
                     std::chrono::seconds limit, std::chrono::seconds interval,
                     const std::function<void()>& every_while, const std::atomic<bool>& stop) {
    const SigpipeBlock sigpipe_block;
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
        pollfd fds[2] = {{child.out.get(), POLLIN, 0}, {child.in.get(), POLLOUT, 0}};
        const nfds_t count = child.in.get() >= 0 ? 2 : 1;
        const auto now = Clock::now();
        if (now >= deadline || stop) {
            ::kill(-child.pid, SIGKILL);
            (stop ? run.stopped : run.timed_out) = true;
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
        if (count == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const ssize_t n =
                ::write(child.in.get(), prompt.data() + written, prompt.size() - written);
            if (n > 0)
                written += static_cast<std::size_t>(n);
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                written = prompt.size(); // it stopped reading: the rest is not wanted
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
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

AiRun run_ai_command(const std::string& command, const std::string& prompt,
                     std::chrono::seconds limit) {
    const std::atomic<bool> never{false};
    return run_ai_command(
        command, prompt, limit, limit, [] {}, never);
}

} // namespace knot::cli
