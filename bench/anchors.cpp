// knot_bench_anchors: one lock workload against knot, etcd or redis, so that knot's figures can
// be read beside two known services'. Each client takes and releases its own keys on its own
// kept-alive connection; the output is one key=value line that bench/anchors.sh puts in a table.
#include "bench/bench_room.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/connection.hpp"
#include "libknot/client/http_client.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/crypto.hpp"
#include "tests/support/server_process.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using knot::bench::percentile;

constexpr auto k_timeout = std::chrono::seconds(10);

double ms_since(clock_type::time_point start, clock_type::time_point end) {
    return std::chrono::duration<double, std::milli>(end - start).count();
}

// One client of the service measured, on one connection. `take` and `release` return false when
// the service refused (the key held by someone else, or not by us) and throw knot::Error when it
// did not answer as it should.
class LockClient {
public:
    virtual ~LockClient() = default;
    // Opens the connection and makes one round trip on it, before the clock starts.
    virtual void open() = 0;
    virtual bool take(const std::string& key) = 0;
    virtual bool release(const std::string& key) = 0;
};

// knot: a signed POST /locks and POST /locks/release, as an agent's hook sends them. A refusal
// is the server's 409, which RoomClient throws as knot::HttpError.
class KnotLocks : public LockClient {
public:
    KnotLocks(const std::string& url, const knot::bench::Room& room,
              const knot::bench::Agent& agent)
        : m_client(url, room.id, room.token, &agent.identity, agent.id) {}
    void open() override { m_client.health(); }
    bool take(const std::string& key) override {
        try {
            m_client.post("/locks", {{"paths", {key}}});
            return true;
        } catch (const knot::HttpError& e) {
            if (e.status() == 409)
                return false;
            throw;
        }
    }
    bool release(const std::string& key) override {
        const auto answer = m_client.post("/locks/release", {{"paths", {key}}});
        return !answer.value("released", nlohmann::json::array()).empty();
    }

private:
    knot::RoomClient m_client;
};

std::string base64(const std::string& text) {
    return knot::to_base64(knot::Bytes(text.begin(), text.end()));
}

// etcd v3.4 through its HTTP/JSON gateway: a lock is a key created only when absent (its
// create_revision is 0), released only by the client whose value it holds. Keys and values are
// base64 in the gateway's JSON; `succeeded` is left out of the answer when false.
class EtcdLocks : public LockClient {
public:
    EtcdLocks(const std::string& url, const std::string& me)
        : m_http(url, k_timeout)
        , m_me(base64(me)) {}
    void open() override {
        const auto answer = m_http.request("GET", "/health");
        if (answer.status != 200)
            throw knot::Error("etcd /health answered " + std::to_string(answer.status));
    }
    bool take(const std::string& key) override {
        const std::string k = base64(key);
        return transaction({{"key", k}, {"target", "CREATE"}, {"create_revision", "0"}},
                           {{"request_put", {{"key", k}, {"value", m_me}}}});
    }
    bool release(const std::string& key) override {
        const std::string k = base64(key);
        return transaction({{"key", k}, {"target", "VALUE"}, {"value", m_me}},
                           {{"request_delete_range", {{"key", k}}}});
    }

private:
    bool transaction(const nlohmann::json& compare, const nlohmann::json& success) {
        const nlohmann::json body = {{"compare", nlohmann::json::array({compare})},
                                     {"success", nlohmann::json::array({success})}};
        const auto answer = m_http.request("POST", "/v3/kv/txn", body.dump());
        if (answer.status != 200)
            throw knot::Error("etcd txn answered " + std::to_string(answer.status) + ": " +
                              answer.body.substr(0, 200));
        return nlohmann::json::parse(answer.body).value("succeeded", false);
    }

    knot::HttpClient m_http;
    std::string m_me;
};

// redis over RESP on a plain TCP connection: SET NX with a 5-minute expiry to take, and the
// usual compare-and-delete script to release (only the value's owner deletes it).
class RedisLocks : public LockClient {
public:
    RedisLocks(std::uint16_t port, std::string me)
        : m_port(port)
        , m_me(std::move(me)) {}
    void open() override {
        m_connection.emplace("127.0.0.1", m_port, knot::Security::plain, k_timeout);
        command({"PING"});
        if (const auto answer = reply(); answer != "+PONG")
            throw knot::Error("redis PING answered " + answer);
    }
    bool take(const std::string& key) override {
        command({"SET", key, m_me, "NX", "PX", "300000"});
        return expect(reply(), "+OK", "$-1");
    }
    bool release(const std::string& key) override {
        static const std::string script = "if redis.call('get',KEYS[1])==ARGV[1] then return "
                                          "redis.call('del',KEYS[1]) else return 0 end";
        command({"EVAL", script, "1", key, m_me});
        return expect(reply(), ":1", ":0");
    }

private:
    // Longest reply line or bulk string read: ours are a few bytes.
    static constexpr std::size_t k_max_reply = 64 * 1024;

    void command(const std::vector<std::string>& words) {
        std::string out = "*" + std::to_string(words.size()) + "\r\n";
        for (const auto& word : words)
            out += "$" + std::to_string(word.size()) + "\r\n" + word + "\r\n";
        m_connection->write_all(out);
    }

    // True for `granted`, false for `refused`; any other answer is an error.
    static bool expect(const std::string& answer, const char* granted, const char* refused) {
        if (answer == granted)
            return true;
        if (answer == refused)
            return false;
        throw knot::Error("redis answered " + answer);
    }

    // One reply's first line without its CRLF ("+OK", ":1", "$-1", "-ERR ..."); a bulk
    // string's body, which none of our commands answer, is read and dropped.
    std::string reply() {
        std::string line = read_line();
        if (line.size() > 1 && line[0] == '$' && line != "$-1") {
            const auto size = std::stoul(line.substr(1));
            if (size > k_max_reply)
                throw knot::Error("redis sent a bulk string of " + line.substr(1) + " bytes");
            while (m_input.size() < size + 2)
                fill();
            m_input.erase(0, size + 2);
        }
        return line;
    }

    std::string read_line() {
        for (;;) {
            if (const auto end = m_input.find("\r\n"); end != std::string::npos) {
                std::string line = m_input.substr(0, end);
                m_input.erase(0, end + 2);
                return line;
            }
            if (m_input.size() > k_max_reply)
                throw knot::Error("redis sent a line longer than 64 KiB");
            fill();
        }
    }

    void fill() {
        char buffer[4096];
        const std::size_t size = m_connection->read_some(buffer, sizeof buffer);
        if (size == 0)
            throw knot::Error("redis closed the connection");
        m_input.append(buffer, size);
    }

    std::uint16_t m_port;
    std::string m_me;
    std::optional<knot::Connection> m_connection;
    std::string m_input;
};

struct Figures {
    std::size_t operations = 0;
    double seconds = 0;
    std::vector<double> sorted_ms;
    int failures = 0;
};

// Each client i takes bench/<i>/<k % 8>, then releases it, for k = 0, 1, ... until `seconds`
// have passed or `operations` were done by all together. Each take and each release is one
// operation, timed alone; a refused or failed one is a failure, not an operation. A client
// gives up after 100 failures (a service gone away would otherwise spin until the deadline).
Figures run(std::vector<std::unique_ptr<LockClient>>& clients, int operations, double seconds) {
    std::vector<std::vector<double>> latencies(clients.size());
    std::atomic<int> failures{0};
    std::atomic<int> done{0};
    std::mutex error_mutex;
    auto report = [&](const std::string& what) {
        if (failures++ < 3) {
            std::lock_guard lock(error_mutex);
            std::cerr << "knot_bench_anchors: " << what << '\n';
        }
    };
    std::latch ready(static_cast<std::ptrdiff_t>(clients.size()) + 1);
    const auto span = std::chrono::duration<double>(seconds);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < clients.size(); ++i) {
        threads.emplace_back([&, i] {
            LockClient& client = *clients[i];
            bool opened = true;
            try {
                client.open();
            } catch (const std::exception& e) {
                report(std::string("opening a connection: ") + e.what());
                opened = false;
            }
            ready.arrive_and_wait();
            const auto deadline = clock_type::now() + span;
            int own_failures = 0;
            for (int k = 0; opened && own_failures < 100 && done.load() < operations &&
                            clock_type::now() < deadline;
                 ++k) {
                const std::string key = "bench/" + std::to_string(i) + "/" + std::to_string(k % 8);
                try {
                    const auto t0 = clock_type::now();
                    if (!client.take(key)) {
                        ++own_failures;
                        report("take of " + key + " refused");
                        continue;
                    }
                    const auto t1 = clock_type::now();
                    latencies[i].push_back(ms_since(t0, t1));
                    const bool released = client.release(key);
                    const auto t2 = clock_type::now();
                    if (!released) {
                        ++own_failures;
                        report("release of " + key + " refused");
                        done += 1;
                        continue;
                    }
                    latencies[i].push_back(ms_since(t1, t2));
                    done += 2;
                } catch (const std::exception& e) {
                    ++own_failures;
                    report(e.what());
                }
            }
        });
    }
    ready.arrive_and_wait();
    const auto start = clock_type::now();
    for (auto& t : threads)
        t.join();
    Figures figures;
    figures.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    for (auto& l : latencies)
        figures.sorted_ms.insert(figures.sorted_ms.end(), l.begin(), l.end());
    std::sort(figures.sorted_ms.begin(), figures.sorted_ms.end());
    figures.operations = figures.sorted_ms.size();
    figures.failures = failures.load();
    return figures;
}

void print(const std::string& service, std::size_t clients, const Figures& figures) {
    const auto& ms = figures.sorted_ms;
    std::cout << "service=" << service << " clients=" << clients << " ops=" << figures.operations
              << std::fixed << std::setprecision(2) << " seconds=" << figures.seconds
              << std::setprecision(0)
              << " ops_per_s=" << static_cast<double>(figures.operations) / figures.seconds
              << std::setprecision(2) << " p50_ms=" << percentile(ms, 50)
              << " p99_ms=" << percentile(ms, 99) << " max_ms=" << (ms.empty() ? 0 : ms.back())
              << " failures=" << figures.failures << '\n';
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"One lock workload (each client takes and releases its own keys) against knot "
                 "(a server started here), etcd or redis"};
    std::string service;
    std::string url;
    std::uint16_t port = 0;
    int clients = 100;
    double seconds = 5;
    int operations = 1000000;
    app.add_option("--service", service, "The service measured")
        ->required()
        ->check(CLI::IsMember({"knot", "etcd", "redis"}));
    app.add_option("--url", url, "etcd's client URL, e.g. http://127.0.0.1:2379");
    app.add_option("--port", port, "redis's port on 127.0.0.1");
    app.add_option("--clients", clients, "Concurrent clients, one thread and connection each")
        ->check(CLI::Range(1, 1000));
    app.add_option("--seconds", seconds, "How long the clients run at most")
        ->check(CLI::PositiveNumber);
    app.add_option("--operations", operations, "Takes and releases at most, all clients together")
        ->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);
    if (service == "etcd" && url.empty()) {
        std::cerr << "knot_bench_anchors: --service etcd needs --url\n";
        return 129;
    }
    if (service == "redis" && port == 0) {
        std::cerr << "knot_bench_anchors: --service redis needs --port\n";
        return 129;
    }
    try {
        const auto count = static_cast<std::size_t>(clients);
        std::vector<std::unique_ptr<LockClient>> locks;
        std::optional<knot::test::ServerProcess> server;
        std::vector<knot::bench::Agent> agents;
        if (service == "knot") {
            server.emplace();
            const auto room = knot::bench::create_room(*server);
            agents = knot::bench::register_agents(server->url(), room, clients);
            for (const auto& agent : agents)
                locks.push_back(std::make_unique<KnotLocks>(server->url(), room, agent));
        }
        for (std::size_t i = 0; service != "knot" && i < count; ++i) {
            const std::string me = "client-" + std::to_string(i);
            if (service == "etcd")
                locks.push_back(std::make_unique<EtcdLocks>(url, me));
            else
                locks.push_back(std::make_unique<RedisLocks>(port, me));
        }
        const Figures figures = run(locks, operations, seconds);
        print(service, count, figures);
        return figures.failures == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "knot_bench_anchors: " << e.what() << '\n';
        return 1;
    }
}
