// knot_bench_coordination: lock acquire and release with 100 concurrent agents (operations per
// second, latency percentiles; every grant is a committed transaction), and event fan-out: the
// time from a `say` until 100 connected listeners have it.
#include "bench/bench_room.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/room_client.hpp"
#include "tests/support/server_process.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iomanip>
#include <iostream>
#include <latch>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using knot::bench::percentile;

double ms_since(clock_type::time_point start, clock_type::time_point end) {
    return std::chrono::duration<double, std::milli>(end - start).count();
}

// Each agent locks and releases its own paths: grants never conflict, so the figure is the
// server's cost of a durable grant and release, not of waiting.
// How long the lock phase runs: until `operations`, `seconds`, or `stop` (when given) is set;
// `started` (when given) is set once every client is connected and the clock runs.
struct LockPhase {
    int operations = 0;
    double seconds = 0;
    const std::atomic<bool>* stop = nullptr;
    std::atomic<bool>* started = nullptr;
    std::string title = "locks";
    // Signed heartbeats (durable writes that append no event) instead of lock and release.
    bool heartbeats = false;
};

int bench_locks(const std::string& url, pid_t server, const knot::bench::Room& room,
                std::vector<knot::bench::Agent>& agents, const LockPhase& phase) {
    const int operations = phase.operations;
    const double seconds = phase.seconds;
    std::vector<std::vector<double>> latencies(agents.size());
    std::atomic<int> failures{0};
    std::atomic<int> done{0};
    std::latch ready(static_cast<std::ptrdiff_t>(agents.size()) + 1);
    const auto deadline_span = std::chrono::duration<double>(seconds);
    clock_type::time_point start;
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < agents.size(); ++i) {
        threads.emplace_back([&, i] {
            knot::RoomClient client(url, room.id, room.token, &agents[i].identity, agents[i].id);
            client.health(); // the connection is open before the clock starts
            ready.arrive_and_wait();
            const auto deadline = clock_type::now() + deadline_span;
            for (int k = 0; done.load() < operations && clock_type::now() < deadline &&
                            !(phase.stop && phase.stop->load());
                 ++k) {
                const std::string path = "bench/" + agents[i].name + "/" + std::to_string(k % 8);
                try {
                    if (phase.heartbeats) {
                        const auto t0 = clock_type::now();
                        client.post("/heartbeat", nlohmann::json::object());
                        latencies[i].push_back(ms_since(t0, clock_type::now()));
                        ++done;
                        continue;
                    }
                    auto t0 = clock_type::now();
                    client.post("/locks", {{"paths", {path}}});
                    auto t1 = clock_type::now();
                    client.post("/locks/release", {{"paths", {path}}});
                    auto t2 = clock_type::now();
                    latencies[i].push_back(ms_since(t0, t1));
                    latencies[i].push_back(ms_since(t1, t2));
                    done += 2;
                } catch (const knot::Error& e) {
                    if (failures++ < 3)
                        std::cerr << "lock bench: " << e.what() << '\n';
                }
            }
        });
    }
    ready.arrive_and_wait();
    start = clock_type::now();
    const double cpu_before = knot::bench::cpu_seconds(server);
    if (phase.started) {
        *phase.started = true;
        phase.started->notify_all();
    }
    for (auto& t : threads)
        t.join();
    const double elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
    const double server_cpu = knot::bench::cpu_seconds(server) - cpu_before;
    std::vector<double> all;
    for (auto& l : latencies)
        all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    std::cout << phase.title << ": " << agents.size()
              << (phase.heartbeats ? " agents, each sending signed heartbeats\n"
                                   : " agents, each locking then releasing its own path\n")
              << std::fixed << std::setprecision(2) << "  operations " << all.size()
              << "   per second " << std::setprecision(0)
              << static_cast<double>(all.size()) / elapsed << std::setprecision(2) << "   p50 "
              << percentile(all, 50) << " ms   p99 " << percentile(all, 99) << " ms   max "
              << (all.empty() ? 0 : all.back()) << " ms\n"
              << "  server CPU per operation " << std::setprecision(0)
              << (all.empty() ? 0 : server_cpu * 1e6 / static_cast<double>(all.size()))
              << " us (user and system, all threads)\n";
    if (!phase.heartbeats)
        std::cout << "  aim: 5000 operations per second; this run: "
                  << (static_cast<double>(all.size()) / elapsed >= 5000 ? "met" : "NOT met")
                  << '\n';
    return failures.load();
}

// `listeners` agents follow the stream; one of them says `messages` lines, each after every
// listener has the one before. Latency: from just before the POST to each listener's receipt.
int bench_fanout(const std::string& url, const knot::bench::Room& room,
                 std::vector<knot::bench::Agent>& agents, int listeners, int messages,
                 const std::string& title = "fan-out") {
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::string, int> received; // message text -> listeners that have it
    std::vector<double> each_ms;
    std::vector<double> all_ms;
    clock_type::time_point sent_at;
    std::string current;
    int connected = 0;
    std::vector<std::unique_ptr<knot::EventStream>> streams;
    std::vector<std::thread> threads;
    for (int i = 0; i < listeners; ++i) {
        auto& agent = agents[static_cast<std::size_t>(i)];
        streams.push_back(std::make_unique<knot::EventStream>(
            knot::RoomConfig{url, room.id, room.token, agent.id}, agent.identity));
    }
    std::int64_t since = 0;
    {
        knot::RoomClient reader(url, room.id, room.token, nullptr, "");
        since = reader.get("").value("last_seq", 0LL);
    }
    for (int i = 0; i < listeners; ++i) {
        threads.emplace_back([&, i] {
            streams[static_cast<std::size_t>(i)]->follow(
                since,
                [&](const nlohmann::json& event) {
                    const auto now = clock_type::now();
                    if (event.value("type", "") != "chat.message")
                        return true;
                    std::lock_guard lock(mutex);
                    const std::string text = event.at("data").value("text", "");
                    if (text == current)
                        each_ms.push_back(ms_since(sent_at, now));
                    if (++received[text] == listeners && text == current)
                        all_ms.push_back(ms_since(sent_at, now));
                    changed.notify_all();
                    return true;
                },
                [&](const std::string& state) {
                    std::lock_guard lock(mutex);
                    if (state == "connected")
                        ++connected;
                    changed.notify_all();
                });
        });
    }
    int failures = 0;
    {
        std::unique_lock lock(mutex);
        if (!changed.wait_for(lock, std::chrono::seconds(30),
                              [&] { return connected >= listeners; })) {
            std::cerr << "fan-out: only " << connected << " listeners connected\n";
            failures = 1;
        }
    }
    knot::RoomClient sender(url, room.id, room.token, &agents.back().identity, agents.back().id);
    for (int m = 0; m < messages && failures == 0; ++m) {
        const std::string text = "fan-out " + std::to_string(m);
        {
            std::lock_guard lock(mutex);
            current = text;
            sent_at = clock_type::now();
        }
        sender.post("/messages", {{"text", text}});
        std::unique_lock lock(mutex);
        if (!changed.wait_for(lock, std::chrono::seconds(10),
                              [&] { return received[text] >= listeners; })) {
            std::cerr << "fan-out: message " << m << " reached " << received[text] << " of "
                      << listeners << " listeners\n";
            failures = 1;
        }
    }
    for (auto& s : streams)
        s->stop();
    for (auto& t : threads)
        t.join();
    std::sort(each_ms.begin(), each_ms.end());
    std::sort(all_ms.begin(), all_ms.end());
    std::cout << title << ": " << listeners << " listeners on the event stream, " << messages
              << " messages, one at a time\n"
              << std::fixed << std::setprecision(2) << "  to each listener    p50 "
              << percentile(each_ms, 50) << " ms   p99 " << percentile(each_ms, 99) << " ms\n"
              << "  until all have it   p50 " << percentile(all_ms, 50) << " ms   p99 "
              << percentile(all_ms, 99) << " ms   max " << (all_ms.empty() ? 0 : all_ms.back())
              << " ms\n"
              << "  aim: p99 until all have it under 50 ms; this run: "
              << (percentile(all_ms, 99) < 50 ? "met" : "NOT met") << '\n';
    return failures;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Lock and fan-out benchmarks against a real knot-server on loopback"};
    int agents_count = 100;
    int operations = 20000;
    double seconds = 4;
    int messages = 50;
    app.add_option("--agents", agents_count, "Concurrent agents and listeners");
    app.add_option("--operations", operations, "Lock operations at most");
    app.add_option("--seconds", seconds, "Lock phase duration at most");
    app.add_option("--messages", messages, "Fan-out messages");
    CLI11_PARSE(app, argc, argv);
    try {
        knot::test::ServerProcess server;
        const auto room = knot::bench::create_room(server);
        auto agents = knot::bench::register_agents(server.url(), room, agents_count);
        int failures = bench_locks(server.url(), server.pid(), room, agents, {operations, seconds});
        std::cout << '\n';
        failures += bench_fanout(server.url(), room, agents, agents_count, messages);
        // The same fan-out while every agent keeps sending signed writes as fast as it is
        // answered (heartbeats: each a durable write, none an event the listeners must also
        // take): how long a listener waits for a message when the writer is busy.
        std::cout << '\n';
        std::atomic<bool> stop{false};
        std::atomic<bool> started{false};
        int load_failures = 0;
        std::thread load([&] {
            load_failures =
                bench_locks(server.url(), server.pid(), room, agents,
                            {1 << 30, 120, &stop, &started, "writes during fan-out", true});
        });
        started.wait(false); // the load's clients connect first

        failures += bench_fanout(server.url(), room, agents, agents_count, messages,
                                 "fan-out under the write load");
        stop = true;
        load.join();
        failures += load_failures;
        std::cout << "\nserver peak RSS (VmHWM): "
                  << knot::bench::proc_status_field(server.pid(), "VmHWM") << '\n';
        return failures == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "knot_bench_coordination: " << e.what() << '\n';
        return 1;
    }
}
