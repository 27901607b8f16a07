// Test support for end-to-end tests: a room hosted by `git knot up` in a fresh repository,
// teammates' clones joined to it, and background commands read line by line.
#pragma once

#include "server_process.hpp"
#include "shell.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <sys/types.h>

namespace knot::test {

// `git knot init` + `git knot up --no-tunnel <up_options>` in <tmp>/host (on `port`, any free
// one when 0); `git knot down` when destroyed. REQUIREs that each step works.
class HostedRoom {
public:
    explicit HostedRoom(int port = 0, const std::string& up_options = "");
    ~HostedRoom();
    HostedRoom(const HostedRoom&) = delete;
    HostedRoom& operator=(const HostedRoom&) = delete;

    const std::filesystem::path& host() const { return m_host; }
    const std::filesystem::path& dir() const { return m_dir.path(); }
    const std::string& invite() const { return m_invite; }

    // A clone of the host's repository at <tmp>/<name>, not joined.
    std::filesystem::path clone(const std::string& name);
    // A clone joined to the room as `name`.
    std::filesystem::path joined(const std::string& name, const std::string& kind = "claude");

    // Makes `forge` the room's forge as its owner would: the host's clone gets it as origin and
    // sends it with `git knot check --configure`. REQUIREs that the room accepts it.
    void use_forge(const std::filesystem::path& forge);

    // The running server's record, .git/knot/server/server.json ({"pid", "url", "started"}).
    nlohmann::json server_record() const;
    // The room's bare repository on the server (it exists once something was pushed).
    std::filesystem::path repository() const;

private:
    TempDir m_dir;
    std::filesystem::path m_host;
    std::string m_invite;
};

// The value of `git config --get <key>` in `repo`, "" when unset.
std::string git_config(const std::filesystem::path& repo, const std::string& key);

// A free TCP port on 127.0.0.1 (bound, then released: fine for tests on one machine).
int free_port();

// A command running in the background whose standard output is read a line at a time.
class BackgroundCommand {
public:
    BackgroundCommand(const std::string& command, const std::filesystem::path& cwd);
    // Sends SIGTERM to the command's process group and reaps it.
    ~BackgroundCommand();
    BackgroundCommand(const BackgroundCommand&) = delete;
    BackgroundCommand& operator=(const BackgroundCommand&) = delete;

    // The next line of output, or nothing when none came within `timeout_ms` or the command
    // ended.
    std::optional<std::string> next_line(int timeout_ms);
    // Writes `text` to the command's standard input.
    void write(const std::string& text);
    // Closes the command's standard input (it sees end of file).
    void close_input();
    // Sends `signal` to the command's process group (as a terminal's Ctrl-C would).
    void signal(int signal);
    // Waits for the command to exit; returns its exit status.
    int wait();

private:
    pid_t m_pid = -1;
    int m_out = -1;
    int m_in = -1;
    std::string m_buffer;
    bool m_reaped = false;
    int m_status = -1;
};

} // namespace knot::test
