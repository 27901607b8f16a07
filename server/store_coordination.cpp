// The store's locks, fencing counters, tasks and agent status (see store.hpp).
#include "sqlite_statement.hpp"
#include "store.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

using sqlite::fail;
using sqlite::Statement;

constexpr std::string_view k_lock_select =
    "SELECT l.room_id, l.path, l.agent_id, COALESCE(a.name, ''), l.intent, l.fencing, "
    "l.acquired_at, l.expires_at FROM locks l "
    "LEFT JOIN agents a ON a.room_id = l.room_id AND a.id = l.agent_id ";

LockRecord lock_from(const Statement& row) {
    return LockRecord{row.text(0), row.text(1),    row.text(2),    row.text(3),
                      row.text(4), row.integer(5), row.integer(6), row.integer(7)};
}

std::vector<LockRecord> lock_list(sqlite3* db, const std::string& where, const std::string& room_id,
                                  std::int64_t now) {
    Statement stmt(db, std::string(k_lock_select) + where + " ORDER BY l.path");
    stmt.bind(1, room_id).bind(2, now);
    return stmt.rows(lock_from);
}

constexpr std::string_view k_task_select =
    "SELECT t.room_id, t.seq, t.title, t.goal, t.status, t.claimed_by, COALESCE(a.name, ''), "
    "t.created_by, t.created_at, t.updated_at, t.files FROM tasks t "
    "LEFT JOIN agents a ON a.room_id = t.room_id AND a.id = t.claimed_by ";

// The files column holds what insert_task wrote, a JSON array of strings.
TaskRecord task_from(const Statement& row) {
    return TaskRecord{row.text(0),
                      row.integer(1),
                      row.text(2),
                      row.text(3),
                      row.text(4),
                      row.text(5),
                      row.text(6),
                      row.text(7),
                      row.integer(8),
                      row.integer(9),
                      nlohmann::json::parse(row.text(10)).get<std::vector<std::string>>()};
}

} // namespace

std::vector<LockRecord> Reader::live_locks(const std::string& room_id, std::int64_t now) const {
    return lock_list(m_db, "WHERE l.room_id = ? AND l.expires_at > ?", room_id, now);
}

std::optional<LockRecord> Reader::find_lock(const std::string& room_id,
                                            const std::string& path) const {
    Statement stmt(m_db, std::string(k_lock_select) + "WHERE l.room_id = ? AND l.path = ?");
    stmt.bind(1, room_id).bind(2, path);
    if (!stmt.step())
        return std::nullopt;
    return lock_from(stmt);
}

std::vector<LockRecord> Reader::due_locks(const std::string& room_id, std::int64_t now) const {
    return lock_list(m_db, "WHERE l.room_id = ? AND l.expires_at <= ?", room_id, now);
}

std::vector<std::string> Reader::rooms_with_due_locks(std::int64_t now) const {
    Statement stmt(m_db, "SELECT DISTINCT room_id FROM locks WHERE expires_at <= ?");
    stmt.bind(1, now);
    return stmt.rows([](const Statement& row) { return row.text(0); });
}

std::vector<TaskRecord> Reader::tasks(const std::string& room_id) const {
    Statement stmt(m_db, std::string(k_task_select) + "WHERE t.room_id = ? ORDER BY t.seq");
    stmt.bind(1, room_id);
    return stmt.rows(task_from);
}

std::optional<TaskRecord> Reader::find_task(const std::string& room_id, std::int64_t number) const {
    Statement stmt(m_db, std::string(k_task_select) + "WHERE t.room_id = ? AND t.seq = ?");
    stmt.bind(1, room_id).bind(2, number);
    if (!stmt.step())
        return std::nullopt;
    return task_from(stmt);
}

TaskCounts Reader::task_counts(const std::string& room_id) const {
    Statement stmt(m_db, "SELECT status, COUNT(*) FROM tasks WHERE room_id = ? GROUP BY status");
    stmt.bind(1, room_id);
    TaskCounts counts;
    while (stmt.step()) {
        const std::string status = stmt.text(0);
        if (status == "open")
            counts.open = stmt.integer(1);
        else if (status == "claimed")
            counts.claimed = stmt.integer(1);
        else if (status == "done")
            counts.done = stmt.integer(1);
    }
    return counts;
}

void Transaction::set_agent_status(const std::string& room_id, const std::string& agent_id,
                                   const std::string& status) {
    Statement stmt(m_db, "UPDATE agents SET status = ? WHERE room_id = ? AND id = ?");
    stmt.bind(1, status).bind(2, room_id).bind(3, agent_id);
    stmt.run();
}

void Transaction::set_lease_seconds(const std::string& room_id, std::int64_t lease_seconds) {
    m_changed_members = true;
    Statement stmt(m_db, "UPDATE rooms SET lease_seconds = ? WHERE id = ?");
    stmt.bind(1, lease_seconds).bind(2, room_id);
    stmt.run();
}

void Transaction::set_forge_url(const std::string& room_id, const std::string& forge_url) {
    Statement stmt(m_db, "UPDATE rooms SET forge_url = ? WHERE id = ?");
    stmt.bind(1, forge_url).bind(2, room_id);
    stmt.run();
}

void Transaction::put_lock(const LockRecord& lock) {
    Statement stmt(m_db, "INSERT INTO locks (room_id, path, agent_id, intent, fencing, "
                         "acquired_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (room_id, path) DO UPDATE SET agent_id = excluded.agent_id, "
                         "intent = excluded.intent, fencing = excluded.fencing, "
                         "acquired_at = excluded.acquired_at, expires_at = excluded.expires_at");
    stmt.bind(1, lock.room_id).bind(2, lock.path).bind(3, lock.agent_id).bind(4, lock.intent);
    stmt.bind(5, lock.fencing).bind(6, lock.acquired_at).bind(7, lock.expires_at);
    if (!stmt.run())
        fail(m_db, "put lock");
}

void Transaction::delete_lock(const std::string& room_id, const std::string& path) {
    Statement stmt(m_db, "DELETE FROM locks WHERE room_id = ? AND path = ?");
    stmt.bind(1, room_id).bind(2, path);
    stmt.run();
}

std::int64_t Transaction::next_fencing(const std::string& room_id, const std::string& path) {
    {
        Statement stmt(m_db, "INSERT INTO lock_fences (room_id, path, last_fencing) "
                             "VALUES (?, ?, 1) ON CONFLICT (room_id, path) "
                             "DO UPDATE SET last_fencing = last_fencing + 1");
        stmt.bind(1, room_id).bind(2, path);
        if (!stmt.run())
            fail(m_db, "next fencing");
    }
    Statement stmt(m_db, "SELECT last_fencing FROM lock_fences WHERE room_id = ? AND path = ?");
    stmt.bind(1, room_id).bind(2, path);
    if (!stmt.step())
        fail(m_db, "read fencing");
    return stmt.integer(0);
}

std::int64_t Transaction::insert_task(const TaskRecord& task) {
    std::int64_t number = 1;
    {
        Statement stmt(m_db, "SELECT COALESCE(MAX(seq), 0) + 1 FROM tasks WHERE room_id = ?");
        stmt.bind(1, task.room_id);
        if (stmt.step())
            number = stmt.integer(0);
    }
    Statement stmt(m_db,
                   "INSERT INTO tasks (room_id, seq, title, goal, status, claimed_by, created_by, "
                   "created_at, updated_at, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    stmt.bind(1, task.room_id).bind(2, number).bind(3, task.title).bind(4, task.goal);
    stmt.bind(5, task.status).bind(6, task.claimed_by).bind(7, task.created_by);
    stmt.bind(8, task.created_at).bind(9, task.updated_at);
    stmt.bind(10, nlohmann::json(task.files).dump());
    if (!stmt.run())
        fail(m_db, "insert task");
    return number;
}

void Transaction::update_task(const TaskRecord& task) {
    Statement stmt(m_db, "UPDATE tasks SET status = ?, claimed_by = ?, updated_at = ? "
                         "WHERE room_id = ? AND seq = ?");
    stmt.bind(1, task.status).bind(2, task.claimed_by).bind(3, task.updated_at);
    stmt.bind(4, task.room_id).bind(5, task.number);
    stmt.run();
}

} // namespace knot::server
