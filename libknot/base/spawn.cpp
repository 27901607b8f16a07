// Starting a child process (see spawn.hpp).
#include "libknot/base/spawn.hpp"

#include "libknot/base/process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char** environ;

namespace knot {
namespace {

// Everything the child needs, prepared before fork: after it, the child of a threaded parent may
// only make system calls (no allocation, no locks).
struct ChildPlan {
    const char* program = nullptr;
    std::vector<char*> argv;
    std::vector<char*> envp;
    const char* dir = nullptr;
    ProcessGroup group = ProcessGroup::inherited;
    std::vector<std::pair<int, int>> moves; // {fd here, fd in the child}
    std::vector<ResourceLimit> limits;
    int report = -1;   // write end: the errno of a failed step; exec closes it
    int go = -1;       // read end: one byte once on_started has run; -1 without on_started
    int go_write = -1; // the child's copy of the write end, closed before it waits
};

[[noreturn]] void fail(int report, int error) {
    while (::write(report, &error, sizeof error) < 0 && errno == EINTR) {
    }
    ::_exit(127);
}

// The forked child: group, signals, descriptors, directory, limits, the go byte, then exec.
[[noreturn]] void exec_child(ChildPlan& plan) {
    int floor = 3;
    for (const auto& move : plan.moves)
        floor = std::max(floor, move.second + 1);
    // Out of the way of the targets first, so no dup2 below replaces a descriptor still needed.
    for (int* fd : {&plan.report, &plan.go}) {
        if (*fd >= 0 && *fd < floor) {
            const int moved = ::fcntl(*fd, F_DUPFD_CLOEXEC, floor);
            if (moved < 0)
                fail(plan.report, errno);
            *fd = moved;
        }
    }
    if (plan.group == ProcessGroup::new_group && ::setpgid(0, 0) != 0)
        fail(plan.report, errno);
    if (plan.group == ProcessGroup::new_session && ::setsid() < 0)
        fail(plan.report, errno);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; ++signal)
        ::sigaction(signal, &default_action, nullptr); // SIGKILL, SIGSTOP and glibc's: EINVAL
    sigset_t no_signals;
    sigemptyset(&no_signals);
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    // Descriptors another thread opened without O_CLOEXEC must not reach the program.
    if (::syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
        rlimit files{};
        ::getrlimit(RLIMIT_NOFILE, &files);
        for (rlim_t fd = 3; fd < files.rlim_cur && fd < 65536; ++fd)
            ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    }
    for (auto& move : plan.moves) {
        move.first = ::fcntl(move.first, F_DUPFD_CLOEXEC, floor);
        if (move.first < 0)
            fail(plan.report, errno);
    }
    for (const auto& [from, to] : plan.moves) // dup2 clears O_CLOEXEC on the target
        if (::dup2(from, to) < 0)
            fail(plan.report, errno);
    if (plan.dir && ::chdir(plan.dir) != 0)
        fail(plan.report, errno);
    for (const auto& limit : plan.limits) {
        const rlimit value{static_cast<rlim_t>(limit.value), static_cast<rlim_t>(limit.value)};
        if (::setrlimit(limit.resource, &value) != 0)
            fail(plan.report, errno);
    }
    if (plan.go >= 0) {
        // A byte, not end of file: another thread's child may hold a copy of the write end
        // until its own exec.
        ::close(plan.go_write);
        char byte = 0;
        ssize_t got;
        while ((got = ::read(plan.go, &byte, 1)) < 0 && errno == EINTR) {
        }
        if (got != 1)
            ::_exit(127); // the parent is gone, or on_started threw
    }
    ::execve(plan.program, plan.argv.data(), plan.envp.data());
    fail(plan.report, errno);
}

std::pair<OwnedFd, OwnedFd> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
    return {OwnedFd(fds[0]), OwnedFd(fds[1])};
}

// `base` with `changes` applied, as NAME=value strings.
std::vector<std::string>
environment_of(BaseEnvironment base,
               const std::map<std::string, std::optional<std::string>>& changes) {
    std::vector<std::string> variables;
    if (base == BaseEnvironment::inherited)
        for (char** variable = environ; variable && *variable; ++variable) {
            const std::string text = *variable;
            if (!changes.count(text.substr(0, text.find('='))))
                variables.push_back(text);
        }
    for (const auto& [name, value] : changes)
        if (value)
            variables.push_back(name + "=" + *value);
    return variables;
}

} // namespace

SpawnError::SpawnError(const std::string& program, int error)
    : Error("cannot run " + program + ": " + std::strerror(error))
    , m_error(error) {}

SpawnedChild spawn(const SpawnOptions& options) {
    if (options.argv.empty())
        throw SpawnError("a program", EINVAL);
    const std::string& name = options.argv.front();
    std::string program = name;
    if (program.find('/') == std::string::npos) {
        const auto found = find_on_path(program);
        if (!found)
            throw SpawnError(name, ENOENT);
        program = found->string();
    }

    ChildPlan plan;
    plan.program = program.c_str();
    std::vector<std::string> words = options.argv;
    for (auto& word : words)
        plan.argv.push_back(word.data());
    plan.argv.push_back(nullptr);
    std::vector<std::string> variables =
        environment_of(options.base_environment, options.environment);
    for (auto& variable : variables)
        plan.envp.push_back(variable.data());
    plan.envp.push_back(nullptr);
    if (!options.dir.empty())
        plan.dir = options.dir.c_str();
    plan.group = options.group;
    plan.limits = options.limits;

    SpawnedChild child;
    OwnedFd child_ends[3], opened[3];
    const Stdio kinds[3] = {options.in, options.out, options.err};
    for (int fd = 0; fd < 3; ++fd) {
        switch (kinds[fd]) {
        case Stdio::inherit:
            break;
        case Stdio::null:
        case Stdio::file: {
            const bool null = kinds[fd] == Stdio::null;
            const char* path = null ? "/dev/null" : options.file.c_str();
            const int flags = fd == 0 ? O_RDONLY : O_WRONLY | (null ? 0 : O_CREAT | O_APPEND);
            opened[fd].reset(::open(path, flags | O_CLOEXEC, 0600));
            if (opened[fd].get() < 0)
                throw Error("cannot open " + std::string(path) + ": " + std::strerror(errno));
            plan.moves.emplace_back(opened[fd].get(), fd);
            break;
        }
        case Stdio::pipe: {
            auto [read_end, write_end] = make_pipe();
            OwnedFd& mine = fd == 0 ? child.in : fd == 1 ? child.out : child.err;
            mine = std::move(fd == 0 ? write_end : read_end);
            child_ends[fd] = std::move(fd == 0 ? read_end : write_end);
            plan.moves.emplace_back(child_ends[fd].get(), fd);
            break;
        }
        case Stdio::output:
            if (fd == 2 && !plan.moves.empty() && plan.moves.back().second == 1)
                plan.moves.emplace_back(plan.moves.back().first, 2);
            break; // an inherited standard output: standard error stays this process's too
        }
    }
    for (const auto& keep : options.keep_fds)
        plan.moves.push_back(keep);

    // The child writes the errno of a failed step here; exec closes it (O_CLOEXEC), so end of
    // file without a word means the program runs.
    auto [report_read, report_write] = make_pipe();
    plan.report = report_write.get();
    OwnedFd go_read, go_write;
    if (options.on_started) {
        std::tie(go_read, go_write) = make_pipe();
        plan.go = go_read.get();
        plan.go_write = go_write.get();
    }

    // Blocked across fork, so no handler of ours runs in the child before it resets them all.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t pid = ::fork();
    if (pid == 0)
        exec_child(plan);
    const int fork_error = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid < 0)
        throw SpawnError(name, fork_error);
    report_write.close();
    for (auto& fd : child_ends)
        fd.close();
    if (options.on_started) {
        try {
            options.on_started(pid);
        } catch (...) {
            go_write.close(); // the child reads end of file and exits
            wait_exit_code(pid);
            throw;
        }
        // This process's read end stayed open until now, so a child that already failed
        // cannot turn this write into SIGPIPE.
        const char go = 1;
        while (::write(go_write.get(), &go, 1) < 0 && errno == EINTR) {
        }
        go_write.close();
        go_read.close();
    }
    int child_error = 0;
    ssize_t got;
    while ((got = ::read(report_read.get(), &child_error, sizeof child_error)) < 0 &&
           errno == EINTR) {
    }
    if (got > 0) {
        wait_exit_code(pid);
        throw SpawnError(name, child_error != 0 ? child_error : EIO);
    }
    child.pid = pid;
    return child;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace knot
