// Starting a child process: the one way every program here starts one (git, check commands, a
// background server or tunnel, doctor's probes), so every child starts the same clean way: default
// signal dispositions and an empty signal mask whatever the parent blocks or ignores (a server
// blocks SIGINT/SIGTERM/SIGQUIT for its signal thread and ignores SIGPIPE), and no descriptor of
// the parent's but those asked for.
#pragma once

#include "libknot/base/error.hpp"
#include "libknot/base/owned_fd.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace knot {

// Where one of the child's standard streams goes.
enum class Stdio {
    inherit, // this process's own
    null,    // /dev/null
    pipe,    // a pipe whose other end the caller gets in SpawnedChild
    file,    // SpawnOptions::file: read for standard input; else appended, created 0600
    output,  // standard error only: wherever standard output goes (one pipe for both)
};

enum class ProcessGroup {
    inherited,   // this process's group
    new_group,   // the leader of a group of its own (its pid is the group's id)
    new_session, // the leader of a session of its own, with no controlling terminal
};

// Where the child starts from: this process's environment or none at all; `environment` is
// applied to it.
enum class BaseEnvironment { inherited, empty };

struct ResourceLimit {
    int resource = 0; // RLIMIT_*
    std::uint64_t value = 0;
};

struct SpawnOptions {
    // The program and its arguments. A program without a slash is looked up on this process's
    // PATH.
    std::vector<std::string> argv;
    BaseEnvironment base_environment = BaseEnvironment::inherited;
    // Variables set (a value) or removed (nothing) on top of the base environment.
    std::map<std::string, std::optional<std::string>> environment;
    // The directory the child starts in; empty: this process's.
    std::filesystem::path dir;
    Stdio in = Stdio::null;
    Stdio out = Stdio::inherit;
    Stdio err = Stdio::inherit;
    std::filesystem::path file; // for the streams set to Stdio::file
    ProcessGroup group = ProcessGroup::inherited;
    // Descriptors the child keeps, as {this process's fd, the child's fd} (a readiness pipe
    // passed as fd 3). Every other descriptor above 2 is closed in the child.
    std::vector<std::pair<int, int>> keep_fds;
    // Set in the child before exec, so everything it starts inherits them.
    std::vector<ResourceLimit> limits;
    // Called in this process with the child's pid after it exists and before it runs the program
    // (the child waits for it), so what it records (a process group to kill after a crash) exists
    // before the program does anything. When it throws, the child exits without running the
    // program, is reaped, and the exception propagates.
    std::function<void(pid_t)> on_started;
};

// A started child: its pid and this process's ends of the pipes asked for (-1 otherwise). The
// caller waits for it (wait_exit_code) unless it runs on its own (a background server).
struct SpawnedChild {
    pid_t pid = -1;
    OwnedFd in;  // write end of its standard input
    OwnedFd out; // read end of its standard output (and standard error with Stdio::output)
    OwnedFd err; // read end of its standard error
};

// A child that could not be started: the program missing or not executable, its directory
// missing, a limit refused, no more processes. error() is the errno; what() says
// "cannot run <program>: <reason>".
class SpawnError : public Error {
public:
    SpawnError(const std::string& program, int error);
    int error() const { return m_error; }

private:
    int m_error;
};

// Starts a child as `options` says. The child's signal dispositions are the defaults and its
// signal mask is empty, whatever this process has. Returns once the child runs the program;
// throws SpawnError when it cannot (the child, if any, already reaped). Safe in a threaded
// process: the child makes only system calls until exec.
SpawnedChild spawn(const SpawnOptions& options);

// Waits for child `pid` and returns its exit status, or 128+N when signal N killed it.
int wait_exit_code(pid_t pid);

} // namespace knot
