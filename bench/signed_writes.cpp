// knot_bench_writes: signed heartbeat writes against the real knot-server at 1, 10 and 100
// concurrent keep-alive clients; prints throughput, latency percentiles and the server's peak RSS.
#include "bench/bench_room.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/identity.hpp"
#include "tests/support/server_process.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <latch>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using knot::bench::Agent;
using knot::bench::create_room;
using knot::bench::percentile;
using knot::bench::proc_status_field;
using knot::bench::register_agents;
using knot::bench::Room;

using clock_type = std::chrono::steady_clock;

constexpr int k_levels[] = {1, 10, 100};
constexpr int k_aim_clients = 10;
constexpr double k_aim_p99_ms = 5.0;
constexpr std::size_t k_errors_shown = 5;

struct Options {
    int writes = 2000;
    double seconds = 3.0;
};

// What the threads of one level share: their failures, and the first messages for the report.
class Failures {
public:
    void add(const std::string& message) {
        std::lock_guard lock(m_mutex);
        ++m_count;
        if (m_messages.size() < k_errors_shown)
            m_messages.push_back(message);
    }
    int count() const { return m_count; }
    const std::vector<std::string>& messages() const { return m_messages; }

private:
    std::mutex m_mutex;
    int m_count = 0;
    std::vector<std::string> m_messages;
};

struct LevelResult {
    int clients = 0;
    std::vector<double> latencies_ms;
    double elapsed_s = 0;
};

// One signed heartbeat; throws unless the server answered 2xx with {"ok": true}.
void heartbeat(knot::RoomClient& client) {
    const nlohmann::json answer = client.post("/heartbeat", nlohmann::json::object());
    if (!answer.value("ok", false))
        throw knot::Error("heartbeat answered without \"ok\": true: " + answer.dump());
}

std::string describe(const std::exception& e) {
    if (const auto* http = dynamic_cast<const knot::HttpError*>(&e))
        return "HTTP " + std::to_string(http->status()) + " " + http->code() + ": " + e.what();
    return e.what();
}

// Runs `clients` threads, each with its own keep-alive client, sharing `options.writes` writes
// and stopping at `options.seconds` whichever comes first. Each client makes one uncounted
// write first so that connecting is not part of the figures.
LevelResult run_level(const std::string& url, const Room& room, const std::vector<Agent>& agents,
                      int clients, const Options& options, Failures& failures) {
    std::vector<std::vector<double>> per_thread(static_cast<std::size_t>(clients));
    std::latch ready(clients);
    std::latch go(1);
    clock_type::time_point deadline;
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(clients));
    for (int t = 0; t < clients; ++t) {
        const int quota = options.writes / clients + (t < options.writes % clients ? 1 : 0);
        threads.emplace_back([&, t, quota] {
            const Agent& agent = agents[static_cast<std::size_t>(t)];
            auto& latencies = per_thread[static_cast<std::size_t>(t)];
            latencies.reserve(static_cast<std::size_t>(quota));
            std::optional<knot::RoomClient> client;
            try {
                client.emplace(url, room.id, room.token, &agent.identity, agent.id);
                heartbeat(*client);
            } catch (const std::exception& e) {
                failures.add("warm-up: " + describe(e));
            }
            ready.count_down();
            go.wait();
            if (!client)
                return;
            for (int i = 0; i < quota && clock_type::now() < deadline; ++i) {
                const auto start = clock_type::now();
                try {
                    heartbeat(*client);
                } catch (const std::exception& e) {
                    failures.add(describe(e));
                    continue;
                }
                const std::chrono::duration<double, std::milli> took = clock_type::now() - start;
                latencies.push_back(took.count());
            }
        });
    }
    // The clock starts once every client is connected; the latch orders `deadline` before the
    // threads read it.
    ready.wait();
    const auto start = clock_type::now();
    deadline = start + std::chrono::duration_cast<clock_type::duration>(
                           std::chrono::duration<double>(options.seconds));
    go.count_down();
    for (auto& thread : threads)
        thread.join();
    const std::chrono::duration<double> elapsed = clock_type::now() - start;

    LevelResult result;
    result.clients = clients;
    result.elapsed_s = elapsed.count();
    for (const auto& latencies : per_thread)
        result.latencies_ms.insert(result.latencies_ms.end(), latencies.begin(), latencies.end());
    std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
    return result;
}

void print_row(const LevelResult& r) {
    const auto& l = r.latencies_ms;
    const double rate = r.elapsed_s > 0 ? static_cast<double>(l.size()) / r.elapsed_s : 0;
    std::cout << std::setw(8) << r.clients << std::setw(8) << l.size() << std::setw(11)
              << std::setprecision(0) << rate << std::setprecision(2) << std::setw(9)
              << percentile(l, 50) << std::setw(9) << percentile(l, 99) << std::setw(9)
              << (l.empty() ? 0 : l.back()) << '\n';
}

int run(const Options& options) {
    knot::test::ServerProcess server;
    const Room room = create_room(server);
    const int most = *std::max_element(std::begin(k_levels), std::end(k_levels));
    const std::vector<Agent> agents = register_agents(server.url(), room, most);

    std::cout << "signed writes: POST /v1/rooms/<room>/heartbeat, knot-server at " << server.url()
              << ", " << options.writes << " writes or " << options.seconds
              << " s per level, one keep-alive connection per client\n\n"
              << std::fixed << " clients  writes  writes/s   p50 ms   p99 ms   max ms\n";
    Failures failures;
    std::vector<LevelResult> results;
    for (const int clients : k_levels) {
        results.push_back(run_level(server.url(), room, agents, clients, options, failures));
        print_row(results.back());
    }

    std::cout << '\n';
    for (const auto& r : results)
        if (r.clients == k_aim_clients) {
            const double p99 = percentile(r.latencies_ms, 99);
            std::cout << "aim: p99 under " << std::setprecision(0) << k_aim_p99_ms << " ms at "
                      << k_aim_clients << " clients; this run: " << std::setprecision(2) << p99
                      << " ms, " << (p99 < k_aim_p99_ms ? "met" : "NOT met") << '\n';
        }
    std::cout << "server peak RSS (VmHWM): " << proc_status_field(server.pid(), "VmHWM") << '\n';

    if (failures.count() > 0) {
        std::cerr << "knot_bench_writes: " << failures.count() << " writes failed; the first:\n";
        for (const auto& message : failures.messages())
            std::cerr << "  " << message << '\n';
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Signed heartbeat writes against a real knot-server on 127.0.0.1, port 0",
                 "knot_bench_writes"};
    Options options;
    app.add_option("--writes", options.writes, "Writes per concurrency level")
        ->check(CLI::Range(1, 1000000));
    app.add_option("--seconds", options.seconds, "Time limit per concurrency level")
        ->check(CLI::Range(0.1, 600.0));
    CLI11_PARSE(app, argc, argv);
    try {
        return run(options);
    } catch (const std::exception& e) {
        std::cerr << "knot_bench_writes: error: " << e.what() << '\n';
        return 1;
    }
}
