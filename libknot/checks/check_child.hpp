// One check command's process, for check_runner.cpp: `/bin/sh -c` (inside a confinement's
// wrapper when there is one) as the leader of its own process group, under resource limits,
// with its output in a pipe. The group is signalled only while the leader is unreaped.
#pragma once

#include "libknot/base/owned_fd.hpp"
#include "libknot/checks/check_runner.hpp"

#include <csignal>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace knot {

// One `/bin/sh -c` child, the leader of its own process group. The group is only ever
// signalled while the leader is unreaped: until then its pid cannot be reused, so the signal
// cannot reach another run's group.
class CheckChild {
public:
    CheckChild() = default;
    CheckChild(const CheckChild&) = delete;
    CheckChild& operator=(const CheckChild&) = delete;
    // Anything still running when the runner leaves early (a log write failed) is killed.
    ~CheckChild() {
        if (m_pid > 0 && !m_reaped) {
            kill_group(SIGKILL);
            reap();
        }
    }

    // Starts `command` in `dir` with exactly `environment` (through knot::spawn: default
    // signals, an empty mask), stdin from /dev/null, stdout and stderr into one pipe, inside
    // `confinement`'s wrapper when there is one, under its resource limits. Returns 0 or the
    // errno that stopped it (a missing directory, no /bin/sh, no sandbox program). `started`,
    // when given, is called with the group's id before the command can run, so whatever it
    // records (the server's check.pgid) exists before the command does anything.
    int start(const std::string& command, const std::filesystem::path& dir,
              const std::map<std::string, std::string>& environment,
              const CheckConfinement* confinement, const std::function<void(pid_t)>& started = {});

    // The child's pid, which is also its process group's id.
    pid_t pid() const { return m_pid; }
    int output() const { return m_output.get(); }
    void close_output() { m_output.close(); }
    int pidfd() const { return m_reaped ? -1 : m_pidfd.get(); }
    bool reaped() const { return m_reaped; }
    int status() const { return m_status; }

    // Whether the leader has exited, without reaping it.
    bool exited() const {
        siginfo_t info{};
        return m_reaped || (::waitid(P_PID, static_cast<id_t>(m_pid), &info,
                                     WEXITED | WNOHANG | WNOWAIT) == 0 &&
                            info.si_pid != 0);
    }

    void kill_group(int signal) {
        if (!m_reaped)
            ::killpg(m_pid, signal);
    }

    void reap() {
        while (::waitpid(m_pid, &m_status, 0) < 0 && errno == EINTR) {
        }
        m_reaped = true;
    }

private:
    pid_t m_pid = -1;
    OwnedFd m_output, m_pidfd;
    bool m_reaped = false;
    int m_status = 0;
};

} // namespace knot
