// One check command's process (see check_child.hpp).
#include "libknot/checks/check_child.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace knot {
namespace {

namespace fs = std::filesystem;

// The forked child: its own process group, default signal dispositions and an empty mask (a
// server ignores SIGPIPE and blocks SIGTERM; `yes | head` and a test runner must not inherit
// that), stdin from /dev/null, stdout and stderr to `output`, no other descriptor, `dir`, the
// limits; then exec. Only system calls from here: the parent may have had threads.
[[noreturn]] void exec_child(char* const argv[], char* const envp[], const char* dir, int output,
                             int report, int go, int go_write,
                             const std::vector<std::pair<int, rlim_t>>& rlimits) {
    const auto fail = [report](int error) {
        while (::write(report, &error, sizeof error) < 0 && errno == EINTR) {
        }
        ::_exit(127);
    };
    if (::setpgid(0, 0) != 0)
        fail(errno);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; ++signal)
        ::sigaction(signal, &default_action, nullptr); // SIGKILL, SIGSTOP and glibc's: EINVAL
    sigset_t no_signals;
    sigemptyset(&no_signals);
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(output, 1) < 0 || ::dup2(output, 2) < 0)
        fail(errno);
    // Descriptors another thread opened without O_CLOEXEC must not reach the command; the
    // report pipe, above 2, is O_CLOEXEC already and stays open until exec.
    if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
        rlimit files{};
        ::getrlimit(RLIMIT_NOFILE, &files);
        for (rlim_t fd = 3; fd < files.rlim_cur && fd < 65536; ++fd)
            ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    }
    if (::chdir(dir) != 0)
        fail(errno);
    for (const auto& [resource, value] : rlimits) {
        const rlimit limit{value, value};
        if (::setrlimit(resource, &limit) != 0)
            fail(errno);
    }
    // Waits for the parent's one byte: the parent has recorded the group by then. A byte, not
    // end of file: another thread's child may hold a copy of the write end until its own exec.
    ::close(go_write);
    char byte = 0;
    ssize_t got;
    while ((got = ::read(go, &byte, 1)) < 0 && errno == EINTR) {
    }
    if (got != 1)
        ::_exit(127); // the parent is gone
    ::execve(argv[0], argv, envp);
    fail(errno);
    ::_exit(127); // not reached: fail exits
}

} // namespace

int CheckChild::start(const std::string& command, const fs::path& dir, char* const envp[],
                      const CheckConfinement* confinement,
                      const std::function<void(pid_t)>& started) {
    std::vector<std::string> words;
    if (confinement)
        words = confinement->wrapper;
    words.insert(words.end(), {"/bin/sh", "-c", command});
    std::vector<char*> argv;
    for (auto& word : words)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    std::vector<std::pair<int, rlim_t>> rlimits;
    if (confinement) {
        const std::pair<int, std::uint64_t> wanted[] = {{RLIMIT_AS, confinement->max_memory_bytes},
                                                        {RLIMIT_NPROC, confinement->max_processes},
                                                        {RLIMIT_FSIZE, confinement->max_file_bytes},
                                                        {RLIMIT_CPU, confinement->max_cpu_seconds}};
        for (const auto& [resource, value] : wanted)
            if (value > 0)
                rlimits.emplace_back(resource, static_cast<rlim_t>(value));
    }

    int pipe_fds[2], report_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        return errno;
    m_output.reset(pipe_fds[0]);
    OwnedFd write_end(pipe_fds[1]);
    // The child writes the errno of a failed step here; exec closes it (O_CLOEXEC), so end
    // of file without a word means the program runs.
    if (::pipe2(report_fds, O_CLOEXEC) != 0)
        return errno;
    OwnedFd report_read(report_fds[0]), report_write(report_fds[1]);
    int go_fds[2];
    if (::pipe2(go_fds, O_CLOEXEC) != 0)
        return errno;
    OwnedFd go_read(go_fds[0]), go_write(go_fds[1]);

    const pid_t pid = ::fork();
    if (pid < 0)
        return errno;
    if (pid == 0)
        exec_child(argv.data(), envp, dir.c_str(), write_end.get(), report_write.get(),
                   go_read.get(), go_write.get(), rlimits);
    m_pid = pid;
    report_write.close();
    if (started)
        started(pid);
    // The parent's read end stays open until the byte is in the pipe: a child that already
    // failed cannot turn this write into SIGPIPE.
    const char go = 1;
    while (::write(go_write.get(), &go, 1) < 0 && errno == EINTR) {
    }
    go_write.close();
    go_read.close();
    int child_error = 0;
    ssize_t got;
    while ((got = ::read(report_read.get(), &child_error, sizeof child_error)) < 0 &&
           errno == EINTR) {
    }
    if (got > 0) {
        reap();
        m_pid = -1;
        return child_error != 0 ? child_error : EIO;
    }
    m_pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0)));
    return 0;
}

} // namespace knot
