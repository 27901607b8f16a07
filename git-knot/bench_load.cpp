// `git knot bench`'s load (see bench_load.hpp).
#include "git-knot/bench_load.hpp"

#include "git-knot/bench_push.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/client/simulated_agents.hpp"
#include "libknot/protocol/invite.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <thread>

namespace knot {
namespace {

using Clock = std::chrono::steady_clock;

enum class Kind { locks, claims, messages, pushes };

// Tasks an agent makes at a time for its claims: few, so that few are left open when the run
// ends (they are claimed and marked done then).
constexpr int k_task_batch = 4;

double ms_between(Clock::time_point start, Clock::time_point end) {
    return std::chrono::duration<double, std::milli>(end - start).count();
}

// What the agents' threads share.
struct Run {
    const Invite& invite;
    const BenchPlan& plan;
    FanoutTracker tracker;
    std::mutex mutex; // guards figures, first_error and remains
    std::array<BenchOpFigures, k_bench_ops> figures;
    std::string first_error;
    std::vector<std::string> remains;
    std::atomic<long long> issued{0};
    std::atomic<std::uint64_t> done{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<bool> stop{false};
    Clock::time_point deadline;
    std::unique_ptr<BenchPushRepo> push_repo; // with pushes in the mix

    Run(const Invite& i, const BenchPlan& p)
        : invite(i)
        , plan(p)
        , tracker(p.agents) {}

    void record(BenchOp op, double ms) {
        std::lock_guard lock(mutex);
        figures[static_cast<std::size_t>(op)].latency.add(ms);
        ++done;
    }
    void failed(BenchOp op, const Error& error) {
        std::lock_guard lock(mutex);
        ++figures[static_cast<std::size_t>(op)].errors;
        ++errors;
        if (first_error.empty())
            first_error = std::string(bench_op_name(op)) + ": " + error.what();
    }
    void remains_after(const std::string& what, const Error& error) {
        std::lock_guard lock(mutex);
        remains.push_back(what + " (" + error.what() + ")");
    }
    // Whether the agent may start one more operation.
    bool next() {
        if (stop.load() || Clock::now() >= deadline)
            return false;
        return !plan.count || issued.fetch_add(1) < *plan.count;
    }
};

// Raises this process's limit on open files to `needed` (each agent holds two sockets) when the
// hard limit allows; throws knot::Error when it does not.
void allow_open_files(rlim_t needed) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed)
        return;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed)
        throw Error("the agents need " + std::to_string(needed) + " open files and this " +
                    "process may have " + std::to_string(limit.rlim_max) +
                    " (ulimit -Hn): run fewer --agents");
    limit.rlim_cur = needed;
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

std::vector<Kind> cycle_of(const BenchMix& mix) {
    std::vector<Kind> cycle;
    cycle.insert(cycle.end(), static_cast<std::size_t>(mix.locks), Kind::locks);
    cycle.insert(cycle.end(), static_cast<std::size_t>(mix.claims), Kind::claims);
    cycle.insert(cycle.end(), static_cast<std::size_t>(mix.messages), Kind::messages);
    cycle.insert(cycle.end(), static_cast<std::size_t>(mix.pushes), Kind::pushes);
    return cycle;
}

// One simulated agent's operations on its own keep-alive connection.
class AgentLoad {
public:
    AgentLoad(Run& run, const SimulatedAgent& agent)
        : m_run(run)
        , m_agent(agent)
        , m_client(run.invite.base_url, run.invite.room, run.invite.token, &agent.identity,
                   agent.id) {}

    void connect() { m_client.health(); }

    void run(std::size_t first) {
        const auto cycle = cycle_of(m_run.plan.mix);
        for (std::size_t k = 0; m_run.next(); ++k) {
            switch (cycle[(first + k) % cycle.size()]) {
            case Kind::locks:
                lock_and_release(k);
                break;
            case Kind::claims:
                claim();
                break;
            case Kind::messages:
                say(k);
                break;
            case Kind::pushes:
                push(k);
                break;
            }
        }
    }

    // Releases what is still held and finishes the tasks this agent made.
    void clean_up() {
        for (const auto& path : m_held) {
            try {
                m_client.post("/locks/release", {{"paths", {path}}});
            } catch (const Error& e) {
                m_run.remains_after("lock " + path + " held by " + m_agent.name, e);
            }
        }
        for (const auto& [id, claimed] : m_unfinished) {
            try {
                if (!claimed)
                    m_client.post("/tasks/" + id + "/claim", nlohmann::json::object());
                m_client.post("/tasks/" + id + "/done", nlohmann::json::object());
            } catch (const Error& e) {
                m_run.remains_after("task " + id + " of " + m_agent.name + " not done", e);
            }
        }
    }

private:
    // Sends a timed write whose event the streams are to see; true when it was answered.
    bool timed(BenchOp op, const std::string& subject, const std::string& target,
               const nlohmann::json& body) {
        return timed(op, subject, [&] { m_client.post(target, body); });
    }
    bool timed(BenchOp op, const std::string& subject, const std::function<void()>& request) {
        const std::string key = bench_write_key(op, subject);
        const auto sent = Clock::now();
        m_run.tracker.expect(key, op, sent);
        try {
            request();
        } catch (const Error& e) {
            m_run.tracker.forget(key);
            m_run.failed(op, e);
            return false;
        }
        m_run.record(op, ms_between(sent, Clock::now()));
        return true;
    }

    void lock_and_release(std::size_t k) {
        const std::string path =
            "knot-bench/" + m_run.plan.tag + "/" + m_agent.name + "/" + std::to_string(k);
        if (!timed(BenchOp::lock, path, "/locks",
                   {{"paths", {path}}, {"intent", "git knot bench " + m_run.plan.tag}}))
            return;
        m_held.insert(path);
        if (timed(BenchOp::release, path, "/locks/release", {{"paths", {path}}}))
            m_held.erase(path);
    }

    void claim() {
        if (m_open.empty() && !make_tasks())
            return;
        const std::string id = m_open.front();
        m_open.pop_front();
        if (!timed(BenchOp::claim, id, "/tasks/" + id + "/claim", nlohmann::json::object()))
            return;
        m_unfinished[id] = true;
        try {
            m_client.post("/tasks/" + id + "/done", nlohmann::json::object());
            m_unfinished.erase(id);
        } catch (const Error&) {
            // Left claimed: clean_up tries again.
        }
    }

    // A batch of tasks to claim, made outside the timed operations; a failure counts as a
    // failed claim.
    bool make_tasks() {
        nlohmann::json titles = nlohmann::json::array();
        for (int i = 0; i < k_task_batch; ++i)
            titles.push_back("knot bench " + m_run.plan.tag + " " + m_agent.name + " " +
                             std::to_string(m_made++));
        try {
            const auto answer = m_client.post("/tasks", {{"titles", titles}});
            for (const auto& task : answer.at("tasks")) {
                const std::string id = task.at("id").get<std::string>();
                m_open.push_back(id);
                m_unfinished[id] = false;
            }
        } catch (const nlohmann::json::exception& e) {
            m_run.failed(BenchOp::claim,
                         Error(std::string("unexpected tasks answer: ") + e.what()));
            return false;
        } catch (const Error& e) {
            m_run.failed(BenchOp::claim, e);
            return false;
        }
        return !m_open.empty();
    }

    void say(std::size_t k) {
        const std::string text =
            "knot bench " + m_run.plan.tag + " " + m_agent.name + " " + std::to_string(k);
        timed(BenchOp::message, text, "/messages", {{"text", text}});
    }

    void push(std::size_t k) {
        if (!m_pusher)
            m_pusher.emplace(*m_run.push_repo, m_agent);
        BenchPush next;
        try {
            next = m_pusher->prepare("knot bench " + m_run.plan.tag + " " + m_agent.name + " " +
                                     std::to_string(k) + "\n");
        } catch (const Error& e) {
            m_run.failed(BenchOp::push, e);
            return;
        }
        timed(BenchOp::push, next.new_oid, [&] { m_pusher->send(m_client, next); });
    }

    Run& m_run;
    const SimulatedAgent& m_agent;
    RoomClient m_client;
    std::set<std::string> m_held;
    std::deque<std::string> m_open;
    std::map<std::string, bool> m_unfinished; // task id -> claimed by this agent
    int m_made = 0;
    std::optional<BenchPusher> m_pusher;
};

// Every agent's event stream, each on its own thread, delivering to the tracker.
class Streams {
public:
    Streams(Run& run, const std::vector<SimulatedAgent>& agents, std::int64_t since) {
        for (const auto& agent : agents)
            m_streams.push_back(std::make_unique<EventStream>(
                RoomConfig{run.invite.base_url, run.invite.room, run.invite.token, agent.id},
                agent.identity));
        for (auto& stream : m_streams)
            m_threads.emplace_back([this, &run, &stream, since] { follow(run, *stream, since); });
    }
    ~Streams() {
        for (auto& stream : m_streams)
            stream->stop();
        for (auto& thread : m_threads)
            thread.join();
    }
    Streams(const Streams&) = delete;
    Streams& operator=(const Streams&) = delete;

    // Waits until every stream has said "connected" once; throws knot::Error after `timeout`
    // or when a stream's hello was refused.
    void wait_connected(std::chrono::seconds timeout) {
        std::unique_lock lock(m_mutex);
        const std::size_t all = m_streams.size();
        if (!m_changed.wait_for(lock, timeout,
                                [&] { return m_connected >= all || !m_failure.empty(); }) ||
            !m_failure.empty())
            throw Error(m_failure.empty()
                            ? "only " + std::to_string(m_connected) + " of " + std::to_string(all) +
                                  " event streams connected within " +
                                  std::to_string(timeout.count()) + " s"
                            : "an event stream was refused: " + m_failure);
    }

private:
    void follow(Run& run, EventStream& stream, std::int64_t since) {
        bool counted = false;
        try {
            stream.follow(
                since,
                [&run](const nlohmann::json& event) {
                    run.tracker.seen(event, Clock::now());
                    return true;
                },
                [&](const std::string& state) {
                    if (state != "connected" || counted)
                        return;
                    counted = true;
                    std::lock_guard lock(m_mutex);
                    ++m_connected;
                    m_changed.notify_all();
                });
        } catch (const Error& e) {
            std::lock_guard lock(m_mutex);
            m_failure = e.what();
            m_changed.notify_all();
        }
    }

    std::vector<std::unique_ptr<EventStream>> m_streams;
    std::vector<std::thread> m_threads;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::size_t m_connected = 0;
    std::string m_failure;
};

} // namespace

BenchMix parse_bench_mix(const std::string& text) {
    BenchMix mix{0, 0, 0};
    std::istringstream items(text);
    std::set<std::string> named;
    for (std::string item; std::getline(items, item, ',');) {
        const auto equals = item.find('=');
        const std::string name = item.substr(0, equals);
        const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
        int* weight = name == "locks"      ? &mix.locks
                      : name == "claims"   ? &mix.claims
                      : name == "messages" ? &mix.messages
                      : name == "pushes"   ? &mix.pushes
                                           : nullptr;
        if (!weight)
            throw UsageError("--mix: '" + name +
                             "' is not an operation (locks, claims, messages, pushes)");
        if (!named.insert(name).second)
            throw UsageError("--mix: " + name + " is given twice");
        if (value.empty() || value.size() > 3 ||
            value.find_first_not_of("0123456789") != std::string::npos || std::stoi(value) > 100)
            throw UsageError("--mix: " + name + " needs a weight from 0 to 100, as " + name + "=2");
        *weight = std::stoi(value);
    }
    if (mix.locks + mix.claims + mix.messages + mix.pushes == 0)
        throw UsageError("--mix: at least one operation needs a weight above 0");
    return mix;
}

std::string bench_mix_text(const BenchMix& mix) {
    return "locks=" + std::to_string(mix.locks) + ",claims=" + std::to_string(mix.claims) +
           ",messages=" + std::to_string(mix.messages) + ",pushes=" + std::to_string(mix.pushes);
}

BenchResult run_bench_load(const Invite& invite, const BenchPlan& plan, const BenchWatch& watch) {
    allow_open_files(2 * static_cast<rlim_t>(plan.agents) + 64);
    Run run(invite, plan);
    if (plan.mix.pushes > 0)
        run.push_repo = std::make_unique<BenchPushRepo>();
    const auto agents = register_simulated_agents(invite, plan.agents, "bench-" + plan.tag + "-");
    std::int64_t since = 0;
    {
        RoomClient reader(invite.base_url, invite.room, invite.token, nullptr, "");
        since = reader.get("").value("last_seq", std::int64_t{0});
    }
    Streams streams(run, agents, since);
    streams.wait_connected(std::chrono::seconds(30));

    std::vector<std::unique_ptr<AgentLoad>> loads;
    for (const auto& agent : agents)
        loads.push_back(std::make_unique<AgentLoad>(run, agent));
    std::latch ready(static_cast<std::ptrdiff_t>(loads.size()) + 1);
    std::atomic<int> running{static_cast<int>(loads.size())};
    std::mutex finished_mutex;
    std::condition_variable finished;
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < loads.size(); ++i) {
        threads.emplace_back([&, i] {
            try {
                loads[i]->connect(); // the connection is open before the clock starts
            } catch (const Error&) {
                // Counted where it shows: the agent's first operation fails too.
            }
            ready.arrive_and_wait();
            loads[i]->run(i);
            std::lock_guard lock(finished_mutex);
            --running;
            finished.notify_all();
        });
    }
    // Set before the latch releases the agents, which read it only after.
    const Clock::time_point start = Clock::now();
    run.deadline = start + plan.duration;
    ready.arrive_and_wait();
    Clock::time_point end = start;
    {
        std::unique_lock lock(finished_mutex);
        while (!finished.wait_for(lock, std::chrono::milliseconds(250),
                                  [&] { return running.load() == 0; })) {
            if (watch.interrupted && watch.interrupted())
                run.stop = true;
            if (watch.progress)
                watch.progress({std::chrono::duration<double>(Clock::now() - start).count(),
                                run.done.load(), run.errors.load()});
        }
        end = Clock::now();
    }
    for (auto& thread : threads)
        thread.join();
    run.tracker.drain(std::chrono::seconds(10));

    BenchResult result;
    result.seconds = std::chrono::duration<double>(end - start).count();
    for (auto& load : loads)
        load->clean_up();
    for (std::size_t op = 0; op < k_bench_ops; ++op) {
        result.ops[op] = std::move(run.figures[op]);
        result.ops[op].fanout = run.tracker.delays(static_cast<BenchOp>(op));
        result.ops[op].fanout_missing = run.tracker.missing(static_cast<BenchOp>(op));
    }
    result.first_error = run.first_error;
    result.remains = run.remains;
    return result;
}

} // namespace knot
