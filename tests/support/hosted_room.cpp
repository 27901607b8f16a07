// Test support for end-to-end tests (see hosted_room.hpp).
#include "hosted_room.hpp"

#include "libknot/base/spawn.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace knot::test {

HostedRoom::HostedRoom(int port, const std::string& up_options) {
    prepare_e2e_environment();
    m_host = m_dir.path() / "host";
    make_repository(m_host);
    const auto init = sh("git knot init --name host-1", m_host);
    REQUIRE(init.status == 0);
    const auto up = sh(
        "git knot up --port " + std::to_string(port) + " --no-tunnel --json " + up_options, m_host);
    INFO(up.err);
    REQUIRE(up.status == 0);
    m_invite = nlohmann::json::parse(up.out).at("invite");
}

HostedRoom::~HostedRoom() {
    sh("git knot down", m_host);
}

std::filesystem::path HostedRoom::clone(const std::string& name) {
    const auto path = m_dir.path() / name;
    REQUIRE(
        sh("git clone -q '" + m_host.string() + "' '" + path.string() + "'", m_dir.path()).status ==
        0);
    return path;
}

void HostedRoom::use_forge(const std::filesystem::path& forge) {
    sh("git remote remove origin", m_host);
    REQUIRE(sh("git remote add origin '" + forge.string() + "'", m_host).status == 0);
    const auto r = sh("git knot check --configure --json", m_host);
    INFO(r.err);
    REQUIRE(r.status == 0);
}

nlohmann::json HostedRoom::server_record() const {
    return nlohmann::json::parse(sh("cat .git/knot/server/server.json", m_host).out);
}

std::filesystem::path HostedRoom::repository() const {
    for (const auto& entry : std::filesystem::directory_iterator(m_host / ".git/knot/server/repos"))
        return entry.path(); // one room per hosted server
    return {};
}

std::filesystem::path HostedRoom::joined(const std::string& name, const std::string& kind) {
    const auto path = clone(name);
    const auto r = sh("git knot join '" + m_invite + "' --name " + name + " --kind " + kind, path);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return path;
}

std::string git_config(const std::filesystem::path& repo, const std::string& key) {
    auto out = sh("git config --get " + key, repo).out;
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

BackgroundCommand::BackgroundCommand(const std::string& command, const std::filesystem::path& cwd) {
    SpawnOptions options;
    options.argv = {"/bin/sh", "-c", command};
    options.dir = cwd;
    options.in = Stdio::pipe;
    options.out = Stdio::pipe;
    options.group = ProcessGroup::new_group; // the destructor ends the command's whole group
    SpawnedChild child = knot::spawn(options);
    m_pid = child.pid;
    m_out = child.out.release();
    m_in = child.in.release();
}

BackgroundCommand::~BackgroundCommand() {
    // Output nobody reads any more is closed first: a command blocked writing to a full pipe
    // (a busy room's `log --follow`, whose signals wait for its loop) ends on the broken pipe.
    if (m_out >= 0)
        ::close(m_out);
    close_input();
    if (!m_reaped) {
        ::kill(-m_pid, SIGTERM);
        wait();
    }
}

std::optional<std::string> BackgroundCommand::next_line(int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
        const auto newline = m_buffer.find('\n');
        if (newline != std::string::npos) {
            std::string line = m_buffer.substr(0, newline);
            m_buffer.erase(0, newline + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0)
            return std::nullopt;
        pollfd pfd{m_out, POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left)) <= 0)
            continue;
        char buf[4096];
        const ssize_t n = ::read(m_out, buf, sizeof buf);
        if (n <= 0)
            return std::nullopt;
        m_buffer.append(buf, static_cast<std::size_t>(n));
    }
}

void BackgroundCommand::write(const std::string& text) {
    REQUIRE(::write(m_in, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

void BackgroundCommand::close_input() {
    if (m_in >= 0)
        ::close(m_in);
    m_in = -1;
}

void BackgroundCommand::signal(int signal) {
    if (!m_reaped)
        ::kill(-m_pid, signal);
}

int BackgroundCommand::wait() {
    if (!m_reaped) {
        m_status = wait_exit_code(m_pid);
        m_reaped = true;
    }
    return m_status;
}

} // namespace knot::test
