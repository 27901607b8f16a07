// Running the real git binary (see git_command.hpp).
#include "libknot/git/git_command.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/spawn.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace knot {

namespace {

// Deep enough that the writer keeps ahead of a git that reads in small pieces (index-pack reads
// 4 KiB at a time): a fresh fetch of 200 MB is about a tenth faster than with the default 64 KiB.
constexpr int k_input_pipe_bytes = 1 << 20;
constexpr std::size_t k_chunk_bytes = 1 << 16;

} // namespace

GitResult run_git_streamed(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                           const GitInput& input,
                           const std::function<void(const char*, std::size_t)>& on_output,
                           const std::function<void(const char*, std::size_t)>& on_error) {
    SpawnOptions options;
    options.argv = {"git", "-C", cwd.string()};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.in = input ? Stdio::pipe : Stdio::null;
    options.out = Stdio::pipe;
    options.err = Stdio::pipe;
    GitResult result;
    SpawnedChild child;
    try {
        child = spawn(options);
    } catch (const Error& e) { // a SpawnError, or no pipe to be had
        result.err = e.what();
        return result;
    }
    const pid_t pid = child.pid;
    // stdin, stdout and stderr are served together, so a git that writes before it has read
    // all its input never waits on us.
    pollfd fds[3] = {{child.out.release(), POLLIN, 0},
                     {child.err.release(), POLLIN, 0},
                     {child.in.release(), POLLOUT, 0}};
    const auto close_fd = [&](int i) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
    };
    if (input) {
        ::fcntl(fds[2].fd, F_SETFL, O_NONBLOCK);
        // Refused (a user over the kernel's pipe limit), the default pipe only costs time.
        ::fcntl(fds[2].fd, F_SETPIPE_SZ, k_input_pipe_bytes);
    }
    std::vector<char> pending(input ? k_chunk_bytes : 0);
    std::size_t pending_from = 0, pending_to = 0;
    char buf[65536];
    try {
        while (fds[0].fd >= 0 || fds[1].fd >= 0) {
            if (::poll(fds, 3, -1) < 0 && errno != EINTR)
                break;
            if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
                if (pending_from == pending_to) {
                    pending_from = 0;
                    pending_to = input(pending.data(), pending.size());
                }
                if (pending_to == 0) {
                    close_fd(2);
                } else {
                    const ssize_t n = ::write(fds[2].fd, pending.data() + pending_from,
                                              pending_to - pending_from);
                    if (n > 0)
                        pending_from += static_cast<std::size_t>(n);
                    else if (n < 0 && errno != EAGAIN && errno != EINTR)
                        close_fd(2); // git stopped reading: give up on the rest
                }
            }
            for (int i = 0; i < 2; ++i) {
                if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                if (n > 0) {
                    if (i == 0) {
                        on_output(buf, static_cast<std::size_t>(n));
                    } else {
                        result.err.append(buf, static_cast<std::size_t>(n));
                        if (on_error)
                            on_error(buf, static_cast<std::size_t>(n));
                    }
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    close_fd(i);
                }
            }
        }
    } catch (...) {
        for (int i = 0; i < 3; ++i)
            if (fds[i].fd >= 0)
                close_fd(i);
        wait_exit_code(pid);
        throw;
    }
    if (fds[2].fd >= 0)
        close_fd(2);
    result.status = wait_exit_code(pid);
    return result;
}

GitResult run_git_piped(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                        std::string_view input,
                        const std::function<void(const char*, std::size_t)>& on_output,
                        const std::function<void(const char*, std::size_t)>& on_error) {
    GitInput from_view;
    if (!input.empty())
        from_view = [&input](char* buffer, std::size_t size) {
            const std::size_t n = std::min(size, input.size());
            std::memcpy(buffer, input.data(), n);
            input.remove_prefix(n);
            return n;
        };
    return run_git_streamed(args, cwd, from_view, on_output, on_error);
}

GitResult run_git(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
    std::string out;
    GitResult result = run_git_piped(
        args, cwd, {}, [&](const char* data, std::size_t size) { out.append(data, size); });
    result.out = std::move(out);
    return result;
}

std::optional<std::string> user_config_get(const std::string& key) {
    const GitResult found = run_git({"config", "--get", key}, "/");
    std::string value = chomp(found.out);
    if (found.status != 0 || value.empty())
        return std::nullopt;
    return value;
}

std::string chomp(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

std::string run_git_checked(const std::vector<std::string>& args,
                            const std::filesystem::path& cwd) {
    GitResult result = run_git(args, cwd);
    if (result.status != 0) {
        std::string what = "git";
        for (const auto& a : args)
            what += " " + a;
        std::string why = result.err;
        while (!why.empty() && why.back() == '\n')
            why.pop_back();
        throw Error(what + " failed" + (why.empty() ? "" : ": " + why));
    }
    return result.out;
}

} // namespace knot
