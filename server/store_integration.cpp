// The store's integration runs and check settings (see store.hpp).
#include "sqlite_statement.hpp"
#include "store.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

using sqlite::Statement;

constexpr std::string_view k_run_select =
    "SELECT r.room_id, r.number, r.agent_id, COALESCE(a.name, ''), r.ref, r.commit_oid, "
    "r.status, r.base_oid, r.candidate_oid, r.summary, r.detail, r.queued_at, r.started_at, "
    "r.finished_at, r.duration_ms, r.attempts, r.undone_at, r.undone_by "
    "FROM integration_runs r "
    "LEFT JOIN agents a ON a.room_id = r.room_id AND a.id = r.agent_id ";

RunRecord run_from(const Statement& row) {
    RunRecord run;
    run.room_id = row.text(0);
    run.number = row.integer(1);
    run.agent_id = row.text(2);
    run.agent_name = row.text(3);
    run.ref = row.text(4);
    run.commit_oid = row.text(5);
    run.status = row.text(6);
    run.base_oid = row.text(7);
    run.candidate_oid = row.text(8);
    run.summary = row.text(9);
    run.detail = row.text(10);
    run.queued_at = row.integer(11);
    run.started_at = row.integer(12);
    run.finished_at = row.integer(13);
    run.duration_ms = row.integer(14);
    run.attempts = row.integer(15);
    run.undone_at = row.integer(16);
    run.undone_by = row.text(17);
    return run;
}

} // namespace

std::optional<RunRecord> Reader::find_run(const std::string& room_id, std::int64_t number) const {
    Statement stmt(m_db, std::string(k_run_select) + "WHERE r.room_id = ? AND r.number = ?");
    stmt.bind(1, room_id).bind(2, number);
    if (!stmt.step())
        return std::nullopt;
    return run_from(stmt);
}

std::vector<RunRecord> Reader::runs(const std::string& room_id, std::int64_t limit) const {
    Statement stmt(m_db, std::string(k_run_select) +
                             "WHERE r.room_id = ? ORDER BY r.number DESC LIMIT ?");
    stmt.bind(1, room_id).bind(2, limit);
    return stmt.rows(run_from);
}

std::optional<RunRecord> Reader::next_queued_run(const std::vector<std::string>& busy) const {
    // Few rooms are busy at once (one per worker): filtering here keeps the SQL fixed.
    Statement stmt(m_db,
                   std::string(k_run_select) +
                       "WHERE r.status = 'queued' AND NOT EXISTS (SELECT 1 FROM integration_runs w "
                       "WHERE w.room_id = r.room_id AND w.status = 'reviewing') "
                       "ORDER BY r.queued_at, r.number");
    while (stmt.step()) {
        RunRecord run = run_from(stmt);
        if (std::find(busy.begin(), busy.end(), run.room_id) == busy.end())
            return run;
    }
    return std::nullopt;
}

std::optional<RunRecord> Reader::integration_of(const std::string& room_id,
                                                const std::string& candidate) const {
    Statement stmt(m_db, std::string(k_run_select) +
                             "WHERE r.room_id = ? AND r.status = 'integrated' AND "
                             "r.undone_at = 0 AND r.candidate_oid = ? "
                             "ORDER BY r.number DESC LIMIT 1");
    stmt.bind(1, room_id).bind(2, candidate);
    if (!stmt.step())
        return std::nullopt;
    return run_from(stmt);
}

std::vector<RunRecord> Reader::held_runs(const std::string& room_id) const {
    Statement stmt(m_db, std::string(k_run_select) +
                             "WHERE r.room_id = ? AND r.status = 'held_locked' ORDER BY r.number");
    stmt.bind(1, room_id);
    return stmt.rows(run_from);
}

std::string Reader::integration_base(const std::string& room_id) const {
    Statement stmt(m_db, "SELECT base_oid FROM rooms WHERE id = ?");
    stmt.bind(1, room_id);
    return stmt.step() ? stmt.text(0) : std::string();
}

CheckSettings Reader::check_settings(const std::string& room_id) const {
    Statement stmt(m_db, "SELECT checks, check_time_limit, forge_url FROM rooms WHERE id = ?");
    stmt.bind(1, room_id);
    CheckSettings settings;
    if (!stmt.step())
        return settings;
    if (!stmt.is_null(0)) {
        const auto parsed = nlohmann::json::parse(stmt.text(0), nullptr, false);
        if (parsed.is_array()) {
            settings.checks.emplace();
            for (const auto& item : parsed)
                if (item.is_string())
                    settings.checks->push_back(item.get<std::string>());
        }
    }
    settings.time_limit_seconds = stmt.integer(1);
    settings.forge_url = stmt.text(2);
    return settings;
}

std::int64_t Transaction::queue_run(const RunRecord& run) {
    Statement supersede(m_db, "UPDATE integration_runs SET status = 'superseded', "
                              "summary = 'a newer push of the same ref replaced it' "
                              "WHERE room_id = ? AND agent_id = ? AND ref = ? AND "
                              "status IN ('queued', 'held_locked')");
    supersede.bind(1, run.room_id).bind(2, run.agent_id).bind(3, run.ref);
    supersede.run();
    Statement next(m_db, "SELECT COALESCE(MAX(number), 0) + 1 FROM integration_runs "
                         "WHERE room_id = ?");
    next.bind(1, run.room_id);
    next.step();
    const std::int64_t number = next.integer(0);
    Statement insert(m_db, "INSERT INTO integration_runs (room_id, number, agent_id, ref, "
                           "commit_oid, status, queued_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)");
    insert.bind(1, run.room_id)
        .bind(2, number)
        .bind(3, run.agent_id)
        .bind(4, run.ref)
        .bind(5, run.commit_oid)
        .bind(6, run.queued_at);
    if (!insert.run())
        sqlite::fail(m_db, "queue run");
    return number;
}

void Transaction::update_run(const RunRecord& run) {
    Statement stmt(m_db, "UPDATE integration_runs SET status = ?, base_oid = ?, "
                         "candidate_oid = ?, summary = ?, detail = ?, started_at = ?, "
                         "finished_at = ?, duration_ms = ?, attempts = ?, undone_at = ?, "
                         "undone_by = ? WHERE room_id = ? AND number = ?");
    stmt.bind(1, run.status)
        .bind(2, run.base_oid)
        .bind(3, run.candidate_oid)
        .bind(4, run.summary)
        .bind(5, run.detail)
        .bind(6, run.started_at)
        .bind(7, run.finished_at)
        .bind(8, run.duration_ms)
        .bind(9, run.attempts)
        .bind(10, run.undone_at)
        .bind(11, run.undone_by)
        .bind(12, run.room_id)
        .bind(13, run.number);
    stmt.run();
}

std::int64_t Transaction::requeue_running_runs() {
    Statement stmt(m_db, "UPDATE integration_runs SET status = 'queued' WHERE status = 'running'");
    stmt.run();
    return sqlite3_changes(m_db);
}

void Transaction::set_check_settings(const std::string& room_id, const CheckSettings& settings) {
    Statement stmt(m_db, "UPDATE rooms SET checks = ?, check_time_limit = ? WHERE id = ?");
    if (settings.checks)
        stmt.bind(1, nlohmann::json(*settings.checks).dump());
    else
        stmt.bind_null(1);
    stmt.bind(2, settings.time_limit_seconds).bind(3, room_id);
    stmt.run();
}

void Transaction::set_integration_base(const std::string& room_id, const std::string& commit) {
    Statement stmt(m_db, "UPDATE rooms SET base_oid = ? WHERE id = ?");
    stmt.bind(1, commit).bind(2, room_id);
    stmt.run();
}

} // namespace knot::server
