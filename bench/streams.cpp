// knot_bench_streams: the server's memory per open event stream, and the latency of a signed
// write while 1,000 streams and 1,000 idle connections are open against the real knot-server.
#include "bench/bench_room.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/protocol.hpp"
#include "tests/support/server_process.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using knot::bench::percentile;
using knot::bench::proc_status_field;

struct Options {
    int streams = 1000;
    int idle = 1000;
    int writes = 50;
};

// A plain TCP connection to the server's host and port, closed when destroyed.
class Socket {
public:
    Socket(const std::string& host, unsigned short port) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        ::inet_pton(AF_INET, host.c_str(), &address.sin_addr);
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0 || ::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address))
            throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    ~Socket() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Socket(Socket&& other) noexcept
        : received(std::move(other.received))
        , m_fd(other.m_fd) {
        other.m_fd = -1;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    Socket& operator=(Socket&&) = delete;

    void send_all(const std::string& bytes) {
        for (std::size_t sent = 0; sent < bytes.size();) {
            const ssize_t n = ::send(m_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0)
                throw std::runtime_error("send failed");
            sent += static_cast<std::size_t>(n);
        }
    }
    // Reads until received holds `text`; false when the deadline passes or the server closes.
    bool read_until(const std::string& text, clock_type::time_point deadline) {
        while (received.find(text) == std::string::npos) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now())
                    .count();
            pollfd pfd{m_fd, POLLIN, 0};
            if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0)
                return false;
            char buffer[16 * 1024];
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                return false;
            received.append(buffer, static_cast<std::size_t>(n));
        }
        return true;
    }

    std::string received;

private:
    int m_fd = -1;
};

// A stream opened with a signed hello, its 101 read.
Socket open_stream(const knot::test::ServerProcess& server, const knot::bench::Room& room,
                   const knot::bench::Agent& agent, std::int64_t since) {
    const std::string target = "/v1/rooms/" + room.id + "/stream?since=" + std::to_string(since);
    std::string hello = "GET " + target +
                        " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: "
                        "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n" +
                        std::string(knot::k_header_token) + ": " + room.token + "\r\n";
    for (const auto& [name, value] :
         knot::sign_request(agent.identity, agent.id, "GET", target, "", knot::unix_now()))
        hello += name + ": " + value + "\r\n";
    Socket socket(server.host(), server.port());
    socket.send_all(hello + "\r\n");
    if (!socket.read_until("\r\n\r\n", clock_type::now() + std::chrono::seconds(30)) ||
        socket.received.rfind("HTTP/1.1 101", 0) != 0)
        throw std::runtime_error("the stream was refused: " + socket.received.substr(0, 200));
    socket.received.clear();
    return socket;
}

long rss_kib(pid_t pid) {
    return std::stol(proc_status_field(pid, "VmRSS"));
}

int run(const Options& options) {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    // Idle connections are the attack the head deadline defends against; here they must stay
    // open for the whole measurement, so the deadline is set past it.
    knot::test::ServerProcess server(
        {}, {"--max-connections-per-address", "100000", "--head-timeout-seconds", "600"});
    const auto room = knot::bench::create_room(server);
    const auto agents = knot::bench::register_agents(server.url(), room, 1);
    const auto& agent = agents.front();
    knot::RoomClient client(server.url(), room.id, room.token, &agent.identity, agent.id);
    const std::int64_t since = client.get("").value("last_seq", 0LL);

    const long before = rss_kib(server.pid());
    std::vector<Socket> streams;
    for (int i = 0; i < options.streams; ++i)
        streams.push_back(open_stream(server, room, agent, since));
    client.health(); // one more round trip before the figure is read
    const long with_streams = rss_kib(server.pid());
    std::vector<Socket> idle;
    for (int i = 0; i < options.idle; ++i)
        idle.emplace_back(server.host(), server.port());
    client.health();
    const long with_idle = rss_kib(server.pid());

    std::vector<double> latencies;
    int missing = 0;
    for (int w = 0; w < options.writes; ++w) {
        const auto start = clock_type::now();
        client.post("/messages", {{"text", "write " + std::to_string(w)}});
        latencies.push_back(
            std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
    }
    const std::string last = "\"seq\":" + std::to_string(since + options.writes);
    const auto deadline = clock_type::now() + std::chrono::seconds(60);
    for (auto& stream : streams)
        if (!stream.read_until(last, deadline))
            ++missing;
    std::sort(latencies.begin(), latencies.end());
    const long after = rss_kib(server.pid());

    std::cout << std::fixed << std::setprecision(1) << "event streams: " << options.streams
              << " open WebSockets, then " << options.idle
              << " idle TCP connections, knot-server at " << server.url() << "\n\n"
              << "  server RSS: " << before / 1024.0 << " MiB idle, " << with_streams / 1024.0
              << " MiB with the streams, " << with_idle / 1024.0
              << " MiB with the idle connections, " << after / 1024.0 << " MiB after the writes\n"
              << "  per stream: " << std::setprecision(2)
              << static_cast<double>(with_streams - before) / options.streams
              << " KiB   per idle connection: "
              << static_cast<double>(with_idle - with_streams) / std::max(options.idle, 1)
              << " KiB\n"
              << "  signed write (POST /messages, fanned out to every stream), " << options.writes
              << " writes: p50 " << percentile(latencies, 50) << " ms   p99 "
              << percentile(latencies, 99) << " ms   max " << latencies.back() << " ms\n"
              << "  streams that did not get every event within 60 s: " << missing << '\n'
              << "  aim: a write under 100 ms and RSS under 300 MiB; this run: "
              << (percentile(latencies, 99) < 100 && after < 300 * 1024 ? "met" : "NOT met")
              << '\n';
    return missing == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Event streams and idle connections against a real knot-server on 127.0.0.1",
                 "knot_bench_streams"};
    Options options;
    app.add_option("--streams", options.streams, "Event streams to open")
        ->check(CLI::Range(1, 100000));
    app.add_option("--idle", options.idle, "Idle connections to open")
        ->check(CLI::Range(0, 100000));
    app.add_option("--writes", options.writes, "Signed writes timed")->check(CLI::Range(1, 100000));
    CLI11_PARSE(app, argc, argv);
    try {
        return run(options);
    } catch (const std::exception& error) {
        std::cerr << "knot_bench_streams: " << error.what() << '\n';
        return 1;
    }
}
