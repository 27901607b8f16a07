// The durability tests' load and verdict (see durability_load.hpp).
#include "durability_load.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/event_chain.hpp"
#include "tests/support/server_process.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <type_traits>

namespace knot::test::durability {
namespace {

using nlohmann::json;

constexpr std::size_t k_problems_kept = 10;

// Sends `op` through `send`, which fills in what the answer says; records how it was answered.
// False when no answer came: the server is gone.
template <typename Send> bool attempt(Op& op, Send send) {
    try {
        send();
        op.outcome = Outcome::acknowledged;
    } catch (const HttpError&) {
        op.outcome = Outcome::refused;
    } catch (const Error&) { // unreachable, or the connection cut mid-answer
        return false;
    }
    return true;
}

// Everything the room holds that the load's writes touch.
struct Stored {
    std::int64_t events = 0;
    std::string chain_error;
    std::map<std::string, json> locks;                         // by path
    std::map<std::string, json> tasks_by_title;                // task objects
    std::map<std::string, json> tasks_by_id;                   // task objects
    std::map<std::string, std::string> statuses;               // agent id -> status
    std::map<std::string, std::vector<std::int64_t>> granted;  // lock.acquired: path -> fencing
    std::map<std::string, std::vector<std::int64_t>> messages; // chat.message: text -> seq
    std::map<std::string, std::vector<std::string>> created;   // task.created: title -> id
    std::map<std::string, std::int64_t> claimed;               // task.claimed: id -> count
    std::map<std::string, std::int64_t> doings;                // agent.doing: status -> count
    std::map<std::string, std::string> last_doing;             // agent id -> its last status
};

void index_event(Stored& stored, const json& event) {
    const std::string type = event.value("type", "");
    const json data = event.value("data", json::object());
    if (type == "lock.acquired") {
        for (const auto& path : data.value("paths", json::array()))
            stored.granted[path.get<std::string>()].push_back(
                data["fencing"].value(path.get<std::string>(), std::int64_t{0}));
    } else if (type == "chat.message") {
        stored.messages[data.value("text", "")].push_back(event["seq"].get<std::int64_t>());
    } else if (type == "task.created") {
        stored.created[data.value("title", "")].push_back(data.value("id", ""));
    } else if (type == "task.claimed") {
        ++stored.claimed[data.value("id", "")];
    } else if (type == "agent.doing") {
        ++stored.doings[data.value("status", "")];
        stored.last_doing[event.value("agent", "")] = data.value("status", "");
    }
}

Stored read_stored(const std::string& url, const Room& room) {
    RoomClient client(url, room.id, room.token, nullptr, "");
    Stored stored;
    ChainVerifier verifier;
    for (std::int64_t since = 0;;) {
        const json page = client.get("/events?since=" + std::to_string(since) + "&limit=1000");
        for (const json& event : page["events"]) {
            if (stored.chain_error.empty()) {
                try {
                    verifier.check(event);
                } catch (const Refused& e) {
                    stored.chain_error = e.what();
                }
            }
            index_event(stored, event);
            since = event["seq"].get<std::int64_t>();
            ++stored.events;
        }
        if (page["events"].empty() || since >= page["last_seq"].get<std::int64_t>())
            break;
    }
    // Each answer held whole while its parts are read: a loop over a part of a temporary would
    // read a destroyed object.
    const json locks = client.get("/locks");
    for (const json& lock : locks["locks"])
        stored.locks[lock["path"].get<std::string>()] = lock;
    const json tasks = client.get("/tasks");
    for (const json& task : tasks["tasks"]) {
        stored.tasks_by_title[task["title"].get<std::string>()] = task;
        stored.tasks_by_id[task["id"].get<std::string>()] = task;
    }
    const json agents = client.get("/agents");
    for (const json& agent : agents["agents"])
        stored.statuses[agent["id"].get<std::string>()] = agent.value("status", "");
    return stored;
}

template <typename T>
std::size_t count(const std::map<std::string, T>& index, const std::string& key) {
    const auto it = index.find(key);
    if constexpr (std::is_same_v<T, std::int64_t>)
        return it == index.end() ? 0 : static_cast<std::size_t>(it->second);
    else
        return it == index.end() ? 0 : it->second.size();
}

enum class Presence { whole, absent, half };

Presence presence(bool whole, bool absent) {
    return whole ? Presence::whole : absent ? Presence::absent : Presence::half;
}

// Whether every effect of `op` is in `stored`, none is, or some are: the lock and its
// lock.acquired event with one fencing token; the message's one event; the task and its
// task.created event; the claim on the task and its task.claimed event; the doing's lock and its
// agent.doing event. An acknowledged write is whole only as it was answered.
Presence presence_of(const Op& op, const Stored& stored, const std::string& agent_id) {
    const bool answered = op.outcome == Outcome::acknowledged;
    switch (op.kind) {
    case OpKind::lock:
    case OpKind::doing: {
        // A doing's lock comes with a lock.acquired event too, beside its agent.doing.
        const bool doing = op.kind == OpKind::doing;
        const std::string& path = doing ? op.file : op.name;
        const auto lock = stored.locks.find(path);
        const bool row = lock != stored.locks.end() && lock->second["agent"] == agent_id;
        const std::size_t grants = count(stored.granted, path);
        const std::size_t doings = doing ? count(stored.doings, op.name) : 0;
        const bool same_fencing = row && grants == 1 &&
                                  stored.granted.at(path)[0] == lock->second["fencing"] &&
                                  (!answered || lock->second["fencing"] == op.fencing);
        return presence(same_fencing && (!doing || doings == 1),
                        lock == stored.locks.end() && grants == 0 && doings == 0);
    }
    case OpKind::message: {
        const std::size_t events = count(stored.messages, op.name);
        return presence(events == 1 && (!answered || stored.messages.at(op.name)[0] == op.seq),
                        events == 0);
    }
    case OpKind::task: {
        const auto task = stored.tasks_by_title.find(op.name);
        const bool row = task != stored.tasks_by_title.end();
        const std::size_t events = count(stored.created, op.name);
        const bool same_id = row && events == 1 &&
                             stored.created.at(op.name)[0] == task->second["id"] &&
                             (!answered || task->second["id"] == op.task);
        return presence(row && same_id, !row && events == 0);
    }
    case OpKind::claim: {
        const auto task = stored.tasks_by_id.find(op.task);
        const std::size_t events = count(stored.claimed, op.task);
        if (task == stored.tasks_by_id.end()) // lost with its task: the claim's event must be too
            return events == 0 ? Presence::absent : Presence::half;
        const bool claimed =
            task->second["status"] == "claimed" && task->second["claimed_by"] == agent_id;
        return presence(claimed && events == 1, task->second["status"] == "open" && events == 0);
    }
    }
    return Presence::half;
}

const char* kind_name(OpKind kind) {
    switch (kind) {
    case OpKind::lock:
        return "lock";
    case OpKind::message:
        return "message";
    case OpKind::task:
        return "task";
    case OpKind::claim:
        return "claim";
    case OpKind::doing:
        return "doing";
    }
    return "?";
}

void note(Verdict& verdict, const std::string& problem) {
    if (verdict.problems.size() < k_problems_kept)
        verdict.problems.push_back(problem);
}

} // namespace

Room create_room(const ServerProcess& server, int agents) {
    const Identity owner = Identity::generate();
    const wire::RoomCreated created = RoomClient::create_room(
        server.url(), std::string(trim_whitespace_end(server.admin_token())), owner, "durability",
        wire::AgentCard{"owner", "other", {}, ""});
    Room room{created.room, created.token, {}};
    for (int i = 0; i < agents; ++i) {
        Agent agent{Identity::generate(), {}};
        RoomClient client(server.url(), room.id, room.token, &agent.identity, "");
        agent.id = client
                       .register_agent(wire::AgentCard{
                           "writer-" + std::to_string(i), "other", {"durability"}, ""})
                       .id;
        room.agents.push_back(std::move(agent));
    }
    return room;
}

Load::Load(std::string url, const Room& room, int steps)
    : m_url(std::move(url))
    , m_room(room)
    , m_steps(steps)
    , m_running(room.agents.size())
    , m_ops(room.agents.size()) {
    for (std::size_t agent = 0; agent < room.agents.size(); ++agent)
        m_threads.emplace_back([this, agent] { run(agent); });
}

Load::~Load() {
    join();
}

void Load::wait_until_acknowledged(std::int64_t count) {
    std::unique_lock lock(m_mutex);
    m_progress.wait(lock, [&] { return m_acknowledged >= count || m_running == 0; });
}

std::vector<Op> Load::join() {
    for (std::thread& thread : m_threads)
        if (thread.joinable())
            thread.join();
    std::vector<Op> all;
    for (const auto& ops : m_ops)
        all.insert(all.end(), ops.begin(), ops.end());
    return all;
}

void Load::run(std::size_t agent) {
    const Agent& self = m_room.agents[agent];
    RoomClient client(m_url, m_room.id, m_room.token, &self.identity, self.id);
    std::vector<Op>& ops = m_ops[agent];
    // Sends the write `kind` named `name`; false once the server is gone.
    const auto send = [&](OpKind kind, std::string name, auto post) {
        Op& op = ops.emplace_back();
        op.kind = kind;
        op.agent = agent;
        op.name = std::move(name);
        const bool answered = attempt(ops.back(), [&] { post(ops.back()); });
        std::lock_guard lock(m_mutex);
        if (ops.back().outcome == Outcome::acknowledged)
            ++m_acknowledged;
        m_progress.notify_all();
        return answered;
    };
    const std::string prefix = "a" + std::to_string(agent);
    bool alive = true;
    for (int step = 0; alive && step < m_steps; ++step) {
        const std::string tag = prefix + "-" + std::to_string(step);
        switch (step % 4) {
        case 0:
            alive = send(OpKind::lock, prefix + "/lock-" + std::to_string(step), [&](Op& op) {
                const json answer = client.post("/locks", {{"paths", {op.name}}, {"intent", tag}});
                op.fencing = answer["locks"][0]["fencing"].get<std::int64_t>();
            });
            break;
        case 1:
            alive = send(OpKind::message, "message " + tag, [&](Op& op) {
                op.seq = client.post("/messages", {{"text", op.name}})["event"]["seq"]
                             .get<std::int64_t>();
            });
            break;
        case 2: {
            alive = send(OpKind::task, "task " + tag, [&](Op& op) {
                op.task = client.post("/tasks", {{"titles", {op.name}}})["tasks"][0]["id"]
                              .get<std::string>();
            });
            const Op created = ops.back();
            if (alive && created.outcome == Outcome::acknowledged)
                alive = send(OpKind::claim, "claim " + tag, [&](Op& op) {
                    op.task = created.task;
                    client.post("/tasks/" + created.task + "/claim", json::object());
                });
            break;
        }
        default:
            alive = send(OpKind::doing, "doing " + tag, [&](Op& op) {
                op.file = prefix + "/doing-" + std::to_string(step);
                const json answer =
                    client.post("/doing", {{"status", op.name}, {"files", {op.file}}});
                op.fencing = answer["locks"][0]["fencing"].get<std::int64_t>();
            });
        }
    }
    std::lock_guard lock(m_mutex);
    --m_running;
    m_progress.notify_all();
}

Verdict judge(const std::string& url, const Room& room, const std::vector<Op>& ops) {
    const Stored stored = read_stored(url, room);
    Verdict verdict;
    verdict.events = stored.events;
    verdict.chain_error = stored.chain_error;
    for (const Op& op : ops) {
        const std::string& agent_id = room.agents[op.agent].id;
        const Presence found = presence_of(op, stored, agent_id);
        const std::string what = std::string(kind_name(op.kind)) + " \"" + op.name + "\"";
        if (found == Presence::half) {
            ++verdict.half;
            note(verdict, what + " is half present");
        }
        switch (op.outcome) {
        case Outcome::acknowledged:
            ++verdict.acknowledged;
            if (found != Presence::whole) {
                ++verdict.lost;
                note(verdict, what + " was acknowledged and is not all there");
            }
            break;
        case Outcome::refused:
            ++verdict.refused;
            if (found != Presence::absent) {
                ++verdict.refused_present;
                note(verdict, what + " was refused and is there");
            }
            break;
        case Outcome::unknown:
            ++verdict.unknown;
            if (found == Presence::whole)
                ++verdict.unknown_present;
        }
    }
    // The status an agent shows is the one its last doing set, or none.
    for (const Agent& agent : room.agents) {
        const auto last = stored.last_doing.find(agent.id);
        const std::string expected = last == stored.last_doing.end() ? "" : last->second;
        const auto status = stored.statuses.find(agent.id);
        if (status == stored.statuses.end() || status->second != expected) {
            ++verdict.status_mismatch;
            note(verdict, "agent " + agent.id + "'s status is not its last doing's: " + expected);
        }
    }
    return verdict;
}

std::string summary(const Verdict& verdict) {
    std::string text = std::to_string(verdict.acknowledged) + " acknowledged, " +
                       std::to_string(verdict.refused) + " refused, " +
                       std::to_string(verdict.unknown) + " unanswered (" +
                       std::to_string(verdict.unknown_present) + " of them present); " +
                       std::to_string(verdict.lost) + " lost, " + std::to_string(verdict.half) +
                       " half present, " + std::to_string(verdict.refused_present) +
                       " refused yet present, " + std::to_string(verdict.status_mismatch) +
                       " wrong statuses; " + std::to_string(verdict.events) + " events, chain " +
                       (verdict.chain_error.empty() ? "verified" : verdict.chain_error);
    for (const std::string& problem : verdict.problems)
        text += "\n  " + problem;
    return text;
}

} // namespace knot::test::durability
