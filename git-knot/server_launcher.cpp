// Starting, finding and stopping a background knot-server and its tunnel (see
// server_launcher.hpp).
#include "git-knot/server_launcher.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/base/process.hpp"
#include "libknot/base/socket_address.hpp"
#include "libknot/base/spawn.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/git/git_command.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <poll.h>
#include <regex>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace knot {
namespace {

std::optional<RunningProcess> read_record(const std::filesystem::path& path) {
    if (!std::filesystem::exists(path))
        return std::nullopt;
    nlohmann::json record = nlohmann::json::parse(read_file(path), nullptr, false);
    if (!record.is_object() || !record.contains("pid") || !record["pid"].is_number_integer() ||
        !record.contains("url") || !record["url"].is_string())
        return std::nullopt;
    RunningProcess process{record["pid"].get<pid_t>(), record["url"].get<std::string>()};
    if (!process_alive(process.pid))
        return std::nullopt;
    return process;
}

// Starts a child in a new session with stdin from /dev/null and stdout and stderr appended to
// `log`; `ready_fd`, when not -1, becomes the child's fd 3. Returns the child's pid; nobody
// waits for it here: it runs on after git-knot exits.
pid_t spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& log,
                     int ready_fd, const std::map<std::string, std::optional<std::string>>& env) {
    SpawnOptions options;
    options.argv = argv;
    options.environment = env;
    options.in = Stdio::null;
    options.out = Stdio::file;
    options.err = Stdio::output;
    options.file = log;
    options.group = ProcessGroup::new_session;
    if (ready_fd >= 0)
        options.keep_fds.emplace_back(ready_fd, 3);
    return spawn(options).pid;
}

} // namespace

std::optional<RunningProcess> running_server(const std::filesystem::path& data_dir) {
    return read_record(data_dir / "server.json");
}

std::optional<RunningProcess> running_tunnel(const std::filesystem::path& data_dir) {
    return read_record(data_dir / "tunnel.json");
}

RunningProcess start_server_background(const std::filesystem::path& server_program,
                                       const std::filesystem::path& data_dir, int port,
                                       const std::string& bind, PushedChecks checks,
                                       const ServerReview& review,
                                       const std::vector<std::string>& extra_args) {
    std::filesystem::create_directories(data_dir);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
    OwnedFd ready_read(fds[0]), ready_write(fds[1]);
    const auto log = data_dir / "server.log";
    std::vector<std::string> args = {server_program.string(),
                                     "--data",
                                     data_dir.string(),
                                     "--port",
                                     std::to_string(port),
                                     "--bind",
                                     bind,
                                     "--ready-fd",
                                     "3",
                                     "--allow-local-forges",
                                     "--forge-schemes",
                                     "https,ssh"};
    if (checks == PushedChecks::unsandboxed)
        args.push_back("--unsandboxed-checks");
    std::map<std::string, std::optional<std::string>> environment;
    if (!review.anthropic_key.empty())
        environment["ANTHROPIC_API_KEY"] = review.anthropic_key;
    if (!review.webhook_url.empty())
        args.insert(args.end(), {"--review-webhook", review.webhook_url});
    if (!review.webhook_key.empty())
        args.insert(args.end(), {"--review-webhook-key", review.webhook_key});
    if (!review.public_url.empty())
        args.insert(args.end(), {"--public-url", review.public_url});
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    const pid_t pid = spawn_detached(args, log, ready_write.get(), environment);
    ready_write.close();
    // The server writes its URL to fd 3 once it listens; EOF without a URL means it exited.
    std::string url;
    char buf[256];
    pollfd pfd{ready_read.get(), POLLIN, 0};
    while (true) {
        const int rc = ::poll(&pfd, 1, 30000);
        if (rc <= 0)
            break;
        const ssize_t n = ::read(ready_read.get(), buf, sizeof buf);
        if (n <= 0)
            break;
        url.append(buf, static_cast<std::size_t>(n));
        if (url.find('\n') != std::string::npos)
            break;
    }
    ready_read.close();
    url = chomp(url);
    if (url.empty()) {
        int status = 0;
        ::waitpid(pid, &status, WNOHANG);
        throw Error("knot-server did not start; the end of " + log.string() + ":\n" +
                    tail_of_file(log, 5));
    }
    return {pid, url};
}

std::string find_tunnel_url(const std::string& output) {
    static const std::regex quick(R"(https://[a-z0-9-]+\.trycloudflare\.com)");
    std::smatch match;
    if (std::regex_search(output, match, quick))
        return match.str();
    // Any other URL cloudflared reports in its "Visit it at" box (used by stand-ins in tests).
    static const std::regex visit(R"(Visit it at[^\n]*\n?[^h]*(https?://[^\s|]+))");
    if (std::regex_search(output, match, visit))
        return match[1].str();
    return "";
}

RunningProcess start_tunnel(const std::filesystem::path& cloudflared,
                            const std::filesystem::path& data_dir, const std::string& local_url,
                            std::chrono::seconds timeout) {
    const auto log = data_dir / "tunnel.log";
    std::filesystem::remove(log);
    const pid_t pid =
        spawn_detached({cloudflared.string(), "tunnel", "--no-autoupdate", "--url", local_url}, log,
                       -1, {{"ANTHROPIC_API_KEY", std::nullopt}});
    // cloudflared only reports its URL in its log; it is read until the URL shows up.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::error_code ec;
        if (std::filesystem::exists(log, ec)) {
            const std::string url = find_tunnel_url(read_file(log));
            if (!url.empty()) {
                write_file_atomic(data_dir / "tunnel.json",
                                  nlohmann::json{{"pid", pid}, {"url", url}}.dump() + "\n");
                return {pid, url};
            }
        }
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            throw Error("cloudflared exited before it opened a tunnel; the end of " + log.string() +
                        ":\n" + tail_of_file(log, 5));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    stop_process(pid, std::chrono::seconds(2));
    throw Error("cloudflared printed no tunnel URL within " + std::to_string(timeout.count()) +
                " s; try again, or run 'git knot up --no-tunnel'");
}

bool port_is_free(const std::string& bind, int port) {
    const auto address = socket_address(bind, static_cast<std::uint16_t>(port));
    if (port == 0 || !address)
        return true; // not an address: the server says why when it starts
    const int fd = ::socket(address->family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const bool taken = ::bind(fd, address->get(), address->size) != 0 && errno == EADDRINUSE;
    ::close(fd);
    return !taken;
}

int port_of_url(const std::string& url) {
    const auto scheme = url.find("://");
    const auto colon = url.rfind(':');
    if (scheme == std::string::npos || colon == std::string::npos || colon < scheme + 3 ||
        url.find(']', colon) != std::string::npos)
        return 0;
    int port = 0;
    for (std::size_t i = colon + 1; i < url.size() && url[i] != '/'; ++i) {
        if (url[i] < '0' || url[i] > '9' || port > 65535)
            return 0;
        port = port * 10 + (url[i] - '0');
    }
    return port <= 65535 ? port : 0;
}

std::string tail_of_file(const std::filesystem::path& path, int lines) {
    std::ifstream in(path);
    std::deque<std::string> last;
    for (std::string line; std::getline(in, line);) {
        last.push_back(line);
        if (static_cast<int>(last.size()) > lines)
            last.pop_front();
    }
    std::string out;
    for (const auto& line : last)
        out += "  " + line + "\n";
    return out;
}

} // namespace knot
