// The store's patches and their verdicts (see store.hpp).
#include "sqlite_statement.hpp"
#include "store.hpp"

namespace knot::server {
namespace {

using sqlite::Statement;

// The run's status and detail come with the patch, so a listing is one query.
constexpr std::string_view k_patch_select =
    "SELECT p.room_id, p.id, p.author_id, COALESCE(a.name, ''), p.kind, p.ref, p.base_oid, "
    "p.tip_oid, p.message, p.signed_at, p.created_at, p.statement, p.signature, p.run, "
    "COALESCE(r.status, ''), COALESCE(r.detail, '{}') "
    "FROM patches p "
    "LEFT JOIN agents a ON a.room_id = p.room_id AND a.id = p.author_id "
    "LEFT JOIN integration_runs r ON r.room_id = p.room_id AND r.number = p.run AND p.run > 0 ";

PatchRecord patch_from(const Statement& row) {
    PatchRecord patch;
    patch.room_id = row.text(0);
    patch.id = row.text(1);
    patch.author_id = row.text(2);
    patch.author_name = row.text(3);
    patch.kind = row.text(4);
    patch.ref = row.text(5);
    patch.base_oid = row.text(6);
    patch.tip_oid = row.text(7);
    patch.message = row.text(8);
    patch.signed_at = row.integer(9);
    patch.created_at = row.integer(10);
    patch.statement = row.text(11);
    patch.signature = row.text(12);
    patch.run = row.integer(13);
    patch.run_status = row.text(14);
    patch.run_detail = row.text(15);
    return patch;
}

VerdictRecord verdict_from(const Statement& row) {
    VerdictRecord verdict;
    verdict.room_id = row.text(0);
    verdict.patch_id = row.text(1);
    verdict.agent_id = row.text(2);
    verdict.agent_name = row.text(3);
    verdict.verdict = row.text(4);
    verdict.reason = row.text(5);
    verdict.time = row.integer(6);
    return verdict;
}

} // namespace

std::optional<PatchRecord> Reader::find_patch(const std::string& room_id,
                                              const std::string& id) const {
    Statement stmt(m_db, std::string(k_patch_select) + "WHERE p.room_id = ? AND p.id = ?");
    stmt.bind(1, room_id).bind(2, id);
    if (!stmt.step())
        return std::nullopt;
    return patch_from(stmt);
}

std::vector<PatchRecord> Reader::patches(const std::string& room_id, std::int64_t limit) const {
    Statement stmt(m_db, std::string(k_patch_select) +
                             "WHERE p.room_id = ? ORDER BY p.created_at DESC, p.rowid DESC "
                             "LIMIT ?");
    stmt.bind(1, room_id).bind(2, limit);
    return stmt.rows(patch_from);
}

std::int64_t Reader::patch_count(const std::string& room_id, const std::string& agent_id) const {
    Statement stmt(m_db, "SELECT COUNT(*) FROM patches WHERE room_id = ? AND author_id = ?");
    stmt.bind(1, room_id).bind(2, agent_id);
    stmt.step();
    return stmt.integer(0);
}

std::vector<VerdictRecord> Reader::verdicts(const std::string& room_id,
                                            const std::string& patch_id) const {
    Statement stmt(m_db, "SELECT v.room_id, v.patch_id, v.agent_id, COALESCE(a.name, ''), "
                         "v.verdict, v.reason, v.time FROM patch_verdicts v "
                         "LEFT JOIN agents a ON a.room_id = v.room_id AND a.id = v.agent_id "
                         "WHERE v.room_id = ? AND v.patch_id = ? ORDER BY v.time, v.agent_id");
    stmt.bind(1, room_id).bind(2, patch_id);
    return stmt.rows(verdict_from);
}

void Transaction::insert_patch(const PatchRecord& patch) {
    Statement stmt(m_db, "INSERT INTO patches (room_id, id, author_id, kind, ref, base_oid, "
                         "tip_oid, message, signed_at, created_at, statement, signature) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    stmt.bind(1, patch.room_id)
        .bind(2, patch.id)
        .bind(3, patch.author_id)
        .bind(4, patch.kind)
        .bind(5, patch.ref)
        .bind(6, patch.base_oid)
        .bind(7, patch.tip_oid)
        .bind(8, patch.message)
        .bind(9, patch.signed_at)
        .bind(10, patch.created_at)
        .bind(11, patch.statement)
        .bind(12, patch.signature);
    if (!stmt.run())
        sqlite::fail(m_db, "insert patch");
}

void Transaction::put_verdict(const VerdictRecord& verdict) {
    Statement stmt(m_db, "INSERT OR REPLACE INTO patch_verdicts (room_id, patch_id, agent_id, "
                         "verdict, reason, time) VALUES (?, ?, ?, ?, ?, ?)");
    stmt.bind(1, verdict.room_id)
        .bind(2, verdict.patch_id)
        .bind(3, verdict.agent_id)
        .bind(4, verdict.verdict)
        .bind(5, verdict.reason)
        .bind(6, verdict.time);
    stmt.run();
}

void Transaction::set_patch_run(const std::string& room_id, const std::string& patch_id,
                                std::int64_t run) {
    Statement stmt(m_db, "UPDATE patches SET run = ? WHERE room_id = ? AND id = ?");
    stmt.bind(1, run).bind(2, room_id).bind(3, patch_id);
    stmt.run();
}

} // namespace knot::server
