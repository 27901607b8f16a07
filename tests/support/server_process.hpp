// Test support: the real knot-server binary on port 0 in a temporary data directory, started
// without sleeps (it reports its URL through --ready-fd) and stopped by signal.
#pragma once

#include "temp_dir.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace knot::test {

// How a process ended: its exit code (or 128 + signal) and what it wrote to stdout and stderr.
struct ProcessResult {
    int exit_code = -1;
    std::string output;
};

// The path of the knot-server built alongside the tests.
std::filesystem::path server_binary();

// Runs knot-server with `args` and waits for it to exit (for tests of refusals to start).
ProcessResult run_server_to_exit(const std::vector<std::string>& args);

// Variables set (a value) or removed (nothing) in a server's environment, on top of this process's.
using Environment = std::map<std::string, std::optional<std::string>>;

class ServerProcess {
public:
    // Starts knot-server --port 0 on `data_dir` (a temporary directory when empty), with
    // `extra_args` after the usual ones and `environment` applied to this process's, and waits
    // until it listens. Throws std::runtime_error with the server's output when it does not.
    explicit ServerProcess(std::filesystem::path data_dir = {},
                           std::vector<std::string> extra_args = {}, Environment environment = {});
    // Stops the server with SIGTERM when it is still running.
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    const std::string& url() const { return m_url; }
    const std::string& host() const { return m_host; }
    unsigned short port() const { return m_port; }
    const std::filesystem::path& data_dir() const { return m_data_dir; }
    pid_t pid() const { return m_pid; }
    // The content of <data>/admin.token.
    std::string admin_token() const;
    // Everything the server wrote to stdout and stderr so far.
    std::string output() const;

    // SIGTERM, then waits; returns the exit code (128 + signal when killed by one).
    int terminate();
    // SIGKILL, then waits: the server gets no chance to clean up.
    void kill();
    // Starts the server again on the same data directory (after terminate or kill).
    void restart();
    // The environment of the server's next start (restart), as for the constructor.
    void set_environment(Environment environment) { m_environment = std::move(environment); }

private:
    void start();
    int wait();

    std::unique_ptr<TempDir> m_temp;
    std::filesystem::path m_data_dir;
    std::filesystem::path m_log;
    std::vector<std::string> m_extra_args;
    Environment m_environment;
    pid_t m_pid = -1;
    std::string m_url;
    std::string m_host;
    unsigned short m_port = 0;
};

} // namespace knot::test
