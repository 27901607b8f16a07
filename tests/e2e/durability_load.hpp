// What the durability tests (durability_test.cpp) drive and check: a room with agents, a mixed
// load of writes from one thread per agent that records every answer, and the verdict on a
// restarted server's state against those answers.
#pragma once

#include "libknot/protocol/identity.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace knot::test {

class ServerProcess;

namespace durability {

struct Agent {
    Identity identity;
    std::string id;
};

struct Room {
    std::string id;
    std::string token;
    std::vector<Agent> agents;
};

// Creates a room on `server` and registers `agents` agents in it.
Room create_room(const ServerProcess& server, int agents);

// One write: a lock (POST locks), a chat message, a task created, a task claimed, or a doing with
// a file (status, lock and event in one write).
enum class OpKind { lock, message, task, claim, doing };

// How a write was answered: 2xx, 4xx or 5xx, or not at all (the server died while it was in
// flight, or before it was sent).
enum class Outcome { unknown, acknowledged, refused };

struct Op {
    OpKind kind = OpKind::lock;
    std::size_t agent = 0;
    std::string name; // unique: the lock's path, the message's text, the task's title, the status
    std::string file; // doing: the file it locks
    std::string task; // task: its id as answered; claim: the task claimed
    Outcome outcome = Outcome::unknown;
    std::int64_t fencing = 0; // lock, doing: the fencing token answered
    std::int64_t seq = 0;     // message: its event's seq answered
};

// The writes of one thread per agent: each sends up to `steps` writes in turn (a lock, a message,
// a task then its claim, a doing), every name unique, and stops at the first that gets no answer.
class Load {
public:
    Load(std::string url, const Room& room, int steps);
    ~Load();
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;

    // Waits until `count` writes were acknowledged, or every thread stopped.
    void wait_until_acknowledged(std::int64_t count);
    // Waits for every thread to stop; returns every write tried, answered or not.
    std::vector<Op> join();

private:
    void run(std::size_t agent);

    std::string m_url;
    const Room& m_room;
    int m_steps;
    std::mutex m_mutex;
    std::condition_variable m_progress;
    std::int64_t m_acknowledged = 0;
    std::size_t m_running = 0;
    std::vector<std::vector<Op>> m_ops;
    std::vector<std::thread> m_threads;
};

// What the restarted server holds, write by write.
struct Verdict {
    std::int64_t acknowledged = 0;
    std::int64_t refused = 0;
    std::int64_t unknown = 0;
    std::int64_t events = 0;
    std::string chain_error;           // "" when the whole event chain verifies
    std::int64_t lost = 0;             // acknowledged, yet not wholly present
    std::int64_t half = 0;             // some of a write's effects present, not all
    std::int64_t refused_present = 0;  // refused, yet present
    std::int64_t unknown_present = 0;  // not answered, and wholly present (committed in time)
    std::int64_t status_mismatch = 0;  // agents whose status is not their last doing's
    std::vector<std::string> problems; // the first few, for a failure's message
};

// Reads the room's events (checking their chain), locks, tasks and agents from the server at
// `url`, and judges each of `ops` by them: every effect of a write present or none, an
// acknowledged write's as it was answered.
Verdict judge(const std::string& url, const Room& room, const std::vector<Op>& ops);

// One line for people: the counts of `verdict`.
std::string summary(const Verdict& verdict);

} // namespace durability
} // namespace knot::test
