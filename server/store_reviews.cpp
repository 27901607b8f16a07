// The store's review requests, watchers and review settings (see store.hpp).
#include "sqlite_statement.hpp"
#include "store.hpp"

namespace knot::server {
namespace {

using sqlite::Statement;

constexpr std::string_view k_review_select =
    "SELECT r.room_id, r.id, r.run, r.author_id, COALESCE(a.name, ''), r.mode, r.base_oid, "
    "r.candidate_oid, r.intent, r.diff_stat, r.state, r.requested_at, r.deadline, r.claimed_by, "
    "r.claim_expires, r.credential_sha256, r.verdict, r.reason, r.reviewer, COALESCE(b.name, ''), "
    "r.verified, r.statement, r.signature, r.answered_at "
    "FROM reviews r "
    "LEFT JOIN agents a ON a.room_id = r.room_id AND a.id = r.author_id "
    "LEFT JOIN agents b ON b.room_id = r.room_id AND b.id = r.reviewer ";

ReviewRecord review_from(const Statement& row) {
    ReviewRecord review;
    review.room_id = row.text(0);
    review.id = row.text(1);
    review.run = row.integer(2);
    review.author_id = row.text(3);
    review.author_name = row.text(4);
    review.mode = row.text(5);
    review.base_oid = row.text(6);
    review.candidate_oid = row.text(7);
    review.intent = row.text(8);
    review.diff_stat = row.text(9);
    review.state = row.text(10);
    review.requested_at = row.integer(11);
    review.deadline = row.integer(12);
    review.claimed_by = row.text(13);
    review.claim_expires = row.integer(14);
    review.credential_sha256 = row.text(15);
    review.verdict = row.text(16);
    review.reason = row.text(17);
    review.reviewer = row.text(18);
    review.reviewer_name = row.text(19);
    review.verified = row.integer(20) != 0;
    review.statement = row.text(21);
    review.signature = row.text(22);
    review.answered_at = row.integer(23);
    return review;
}

} // namespace

ReviewSettings Reader::review_settings(const std::string& room_id) const {
    Statement stmt(m_db,
                   "SELECT review_mode, review_timeout, review_model FROM rooms WHERE id = ?");
    stmt.bind(1, room_id);
    ReviewSettings settings;
    if (stmt.step()) {
        settings.mode = stmt.text(0);
        settings.timeout_seconds = stmt.integer(1);
        settings.model = stmt.text(2);
    }
    return settings;
}

std::optional<ReviewRecord> Reader::find_review(const std::string& room_id,
                                                const std::string& id) const {
    Statement stmt(m_db, std::string(k_review_select) + "WHERE r.room_id = ? AND r.id = ?");
    stmt.bind(1, room_id).bind(2, id);
    if (!stmt.step())
        return std::nullopt;
    return review_from(stmt);
}

std::vector<ReviewRecord> Reader::reviews(const std::string& room_id, std::int64_t limit) const {
    Statement stmt(m_db, std::string(k_review_select) +
                             "WHERE r.room_id = ? ORDER BY r.requested_at DESC, r.run DESC "
                             "LIMIT ?");
    stmt.bind(1, room_id).bind(2, limit);
    return stmt.rows(review_from);
}

std::optional<ReviewRecord> Reader::review_of_run(const std::string& room_id,
                                                  std::int64_t run) const {
    Statement stmt(m_db, std::string(k_review_select) + "WHERE r.room_id = ? AND r.run = ? "
                                                        "ORDER BY r.requested_at DESC LIMIT 1");
    stmt.bind(1, room_id).bind(2, run);
    if (!stmt.step())
        return std::nullopt;
    return review_from(stmt);
}

std::vector<ReviewRecord> Reader::claimable_reviews(const std::string& room_id,
                                                    const std::string& agent_id,
                                                    std::int64_t now) const {
    Statement stmt(m_db, std::string(k_review_select) +
                             "WHERE r.room_id = ? AND r.mode = 'peers' AND r.author_id <> ? AND "
                             "(r.state = 'pending' OR (r.state = 'claimed' AND "
                             "(r.claim_expires <= ? OR r.claimed_by = ?))) "
                             "ORDER BY r.requested_at LIMIT 50");
    stmt.bind(1, room_id).bind(2, agent_id).bind(3, now).bind(4, agent_id);
    return stmt.rows(review_from);
}

bool Reader::has_other_watcher(const std::string& room_id, const std::string& author_id,
                               std::int64_t now) const {
    Statement stmt(m_db, "SELECT 1 FROM review_watchers WHERE room_id = ? AND agent_id <> ? AND "
                         "expires_at > ? LIMIT 1");
    stmt.bind(1, room_id).bind(2, author_id).bind(3, now);
    return stmt.step();
}

std::vector<ReviewRecord> Reader::due_reviews(std::int64_t now) const {
    Statement stmt(m_db, std::string(k_review_select) +
                             "WHERE r.state IN ('pending', 'claimed') AND (r.deadline <= ? OR "
                             "(r.state = 'claimed' AND r.claim_expires <= ?) OR "
                             "(r.state = 'pending' AND r.mode = 'peers' AND "
                             "MAX(r.requested_at, r.claim_expires) + "
                             "MAX(3, MIN(60, (r.deadline - r.requested_at) / 5)) <= ?)) "
                             "ORDER BY r.deadline LIMIT 200");
    stmt.bind(1, now).bind(2, now).bind(3, now);
    return stmt.rows(review_from);
}

void Transaction::insert_review(const ReviewRecord& review) {
    Statement stmt(m_db, "INSERT INTO reviews (room_id, id, run, author_id, mode, base_oid, "
                         "candidate_oid, intent, diff_stat, state, requested_at, deadline, "
                         "credential_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    stmt.bind(1, review.room_id)
        .bind(2, review.id)
        .bind(3, review.run)
        .bind(4, review.author_id)
        .bind(5, review.mode)
        .bind(6, review.base_oid)
        .bind(7, review.candidate_oid)
        .bind(8, review.intent)
        .bind(9, review.diff_stat)
        .bind(10, review.state)
        .bind(11, review.requested_at)
        .bind(12, review.deadline)
        .bind(13, review.credential_sha256);
    if (!stmt.run())
        sqlite::fail(m_db, "insert review");
}

void Transaction::update_review(const ReviewRecord& review) {
    Statement stmt(m_db, "UPDATE reviews SET state = ?, claimed_by = ?, claim_expires = ?, "
                         "verdict = ?, reason = ?, reviewer = ?, verified = ?, statement = ?, "
                         "signature = ?, answered_at = ?, credential_sha256 = ?, "
                         "candidate_oid = ? WHERE room_id = ? AND id = ?");
    stmt.bind(1, review.state)
        .bind(2, review.claimed_by)
        .bind(3, review.claim_expires)
        .bind(4, review.verdict)
        .bind(5, review.reason)
        .bind(6, review.reviewer)
        .bind(7, std::int64_t{review.verified ? 1 : 0})
        .bind(8, review.statement)
        .bind(9, review.signature)
        .bind(10, review.answered_at)
        .bind(11, review.credential_sha256)
        .bind(12, review.candidate_oid)
        .bind(13, review.room_id)
        .bind(14, review.id);
    stmt.run();
}

void Transaction::watch_reviews(const std::string& room_id, const std::string& agent_id,
                                std::int64_t expires_at) {
    Statement stmt(m_db, "INSERT INTO review_watchers (room_id, agent_id, expires_at) "
                         "VALUES (?, ?, ?) ON CONFLICT (room_id, agent_id) DO UPDATE SET "
                         "expires_at = excluded.expires_at");
    stmt.bind(1, room_id).bind(2, agent_id).bind(3, expires_at);
    stmt.run();
}

void Transaction::set_review_settings(const std::string& room_id, const ReviewSettings& settings) {
    Statement stmt(m_db, "UPDATE rooms SET review_mode = ?, review_timeout = ?, review_model = ? "
                         "WHERE id = ?");
    stmt.bind(1, settings.mode).bind(2, settings.timeout_seconds).bind(3, settings.model);
    stmt.bind(4, room_id);
    stmt.run();
}

bool Transaction::resume_reviewed_run(const std::string& room_id, std::int64_t run) {
    Statement stmt(m_db, "UPDATE integration_runs SET status = 'queued' "
                         "WHERE room_id = ? AND number = ? AND status = 'reviewing'");
    stmt.bind(1, room_id).bind(2, run);
    stmt.run();
    return sqlite3_changes(m_db) > 0;
}

} // namespace knot::server
