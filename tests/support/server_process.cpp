// Test support: the real knot-server as a child process (see server_process.hpp).
#include "server_process.hpp"

#include "libknot/base/spawn.hpp"

#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace knot::test {
namespace {

constexpr int k_start_timeout_ms = 30000;

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Starts `args` with standard input from this process, standard output and error appended to
// `log` and, when `ready_fd` >= 0, the descriptor `ready_fd` of this process as descriptor
// `child_fd` of the child, with `environment` applied to this process's.
pid_t start_child(const std::vector<std::string>& args, const std::filesystem::path& log,
                  int ready_fd, int child_fd, const Environment& environment = {}) {
    SpawnOptions options;
    options.argv = args;
    options.environment = environment;
    options.in = Stdio::inherit;
    options.out = Stdio::file;
    options.err = Stdio::output;
    options.file = log;
    if (ready_fd >= 0)
        options.keep_fds.emplace_back(ready_fd, child_fd);
    return knot::spawn(options).pid;
}

} // namespace

std::filesystem::path server_binary() {
    return std::filesystem::path(KNOT_BUILD_DIR) / "bin" / "knot-server";
}

ProcessResult run_server_to_exit(const std::vector<std::string>& args) {
    TempDir temp;
    const auto log = temp.path() / "output.log";
    std::vector<std::string> full{server_binary().string()};
    full.insert(full.end(), args.begin(), args.end());
    const pid_t pid = start_child(full, log, -1, -1);
    ProcessResult result;
    result.exit_code = wait_exit_code(pid);
    result.output = read_text(log);
    return result;
}

ServerProcess::ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args,
                             Environment environment)
    : m_extra_args(std::move(extra_args))
    , m_environment(std::move(environment)) {
    m_temp = std::make_unique<TempDir>();
    m_data_dir = data_dir.empty() ? m_temp->path() / "data" : std::move(data_dir);
    m_log = m_temp->path() / "server.log";
    start();
}

ServerProcess::~ServerProcess() {
    if (m_pid > 0)
        terminate();
}

void ServerProcess::start() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe2 failed");
    const int child_fd = fds[1] == 100 ? 101 : 100;
    std::vector<std::string> args{
        server_binary().string(), "--port", "0", "--data", m_data_dir.string(), "--ready-fd",
        std::to_string(child_fd)};
    args.insert(args.end(), m_extra_args.begin(), m_extra_args.end());
    try {
        m_pid = start_child(args, m_log, fds[1], child_fd, m_environment);
    } catch (...) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw;
    }
    ::close(fds[1]);

    std::string line;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(k_start_timeout_ms);
    while (line.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        pollfd pfd{fds[0], POLLIN, 0};
        if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0)
            break;
        char buffer[256];
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0)
            break;
        line.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (line.find('\n') == std::string::npos) {
        ::kill(m_pid, SIGKILL);
        wait();
        throw std::runtime_error("knot-server did not start: " + output());
    }
    m_url = line.substr(0, line.find('\n'));
    const auto colon = m_url.rfind(':');
    m_port = static_cast<unsigned short>(std::stoi(m_url.substr(colon + 1)));
    m_host = m_url.substr(7, colon - 7);
    if (!m_host.empty() && m_host.front() == '[')
        m_host = m_host.substr(1, m_host.size() - 2);
}

int ServerProcess::wait() {
    const int code = wait_exit_code(m_pid);
    m_pid = -1;
    return code;
}

std::string ServerProcess::admin_token() const {
    return read_text(m_data_dir / "admin.token");
}

std::string ServerProcess::output() const {
    return read_text(m_log);
}

int ServerProcess::terminate() {
    if (m_pid <= 0)
        return -1;
    ::kill(m_pid, SIGTERM);
    return wait();
}

void ServerProcess::kill() {
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGKILL);
    wait();
}

void ServerProcess::restart() {
    if (m_pid > 0)
        terminate();
    start();
}

} // namespace knot::test
