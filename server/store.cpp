// The server's SQLite store (see store.hpp).
#include "store.hpp"

#include "libknot/base/error.hpp"
#include "sqlite_statement.hpp"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace knot::server {
namespace {

using sqlite::fail;
using sqlite::Statement;

constexpr std::string_view k_agent_columns =
    "room_id, id, name, kind, capabilities, public_key, role, signed, card_signature, "
    "joined_at, last_seen, status";

AgentRecord agent_from(const Statement& row) {
    AgentRecord agent;
    agent.room_id = row.text(0);
    agent.id = row.text(1);
    agent.name = row.text(2);
    agent.kind = row.text(3);
    const auto caps = nlohmann::json::parse(row.text(4), nullptr, false);
    if (caps.is_array())
        for (const auto& cap : caps)
            if (cap.is_string())
                agent.capabilities.push_back(cap.get<std::string>());
    agent.public_key = row.blob(5);
    agent.role = row.text(6);
    agent.signed_card = row.integer(7) != 0;
    agent.card_signature = row.text(8);
    agent.joined_at = row.integer(9);
    agent.last_seen = row.integer(10);
    agent.status = row.text(11);
    return agent;
}

std::optional<AgentRecord> one_agent(sqlite3* db, const std::string& where,
                                     const std::string& room_id, const std::string& key) {
    Statement stmt(db, "SELECT " + std::string(k_agent_columns) + " FROM agents WHERE " + where);
    stmt.bind(1, room_id).bind(2, key);
    if (!stmt.step())
        return std::nullopt;
    return agent_from(stmt);
}

} // namespace

std::optional<RoomRecord> Reader::find_room(const std::string& room_id) const {
    Statement stmt(
        m_db, "SELECT id, name, token_hash, created_at, lease_seconds FROM rooms WHERE id = ?");
    stmt.bind(1, room_id);
    if (!stmt.step())
        return std::nullopt;
    return RoomRecord{stmt.text(0), stmt.text(1), stmt.text(2), stmt.integer(3), stmt.integer(4)};
}

std::optional<AgentRecord> Reader::find_agent(const std::string& room_id,
                                              const std::string& agent_id) const {
    return one_agent(m_db, "room_id = ? AND id = ?", room_id, agent_id);
}

std::optional<AgentRecord> Reader::find_agent_by_name(const std::string& room_id,
                                                      const std::string& name) const {
    return one_agent(m_db, "room_id = ? AND name = ?", room_id, name);
}

std::optional<std::string> Reader::name_owner(const std::string& room_id,
                                              const std::string& name) const {
    Statement stmt(m_db, "SELECT agent_id FROM agent_names WHERE room_id = ? AND name = ?");
    stmt.bind(1, room_id).bind(2, name);
    if (!stmt.step())
        return std::nullopt;
    return stmt.text(0);
}

std::vector<AgentRecord> Reader::agents(const std::string& room_id) const {
    Statement stmt(m_db, "SELECT " + std::string(k_agent_columns) +
                             " FROM agents WHERE room_id = ? ORDER BY joined_at, rowid");
    stmt.bind(1, room_id);
    return stmt.rows(agent_from);
}

std::vector<EventRecord> Reader::events(const std::string& room_id, std::int64_t since,
                                        std::int64_t limit) const {
    Statement stmt(m_db, "SELECT room_id, seq, type, agent_id, time, data, prev, hash, "
                         "signed_string, signature FROM events WHERE room_id = ? AND seq > ? "
                         "ORDER BY seq LIMIT ?");
    stmt.bind(1, room_id).bind(2, since).bind(3, limit);
    return stmt.rows([](const Statement& row) {
        return EventRecord{row.text(0), row.integer(1), row.text(2), row.text(3), row.integer(4),
                           row.text(5), row.text(6),    row.text(7), row.text(8), row.text(9)};
    });
}

std::int64_t Reader::last_seq(const std::string& room_id) const {
    Statement stmt(m_db, "SELECT COALESCE(MAX(seq), 0) FROM events WHERE room_id = ?");
    stmt.bind(1, room_id);
    return stmt.step() ? stmt.integer(0) : 0;
}

bool Reader::nonce_used(const Bytes& public_key, const std::string& nonce,
                        std::int64_t timestamp) const {
    Statement stmt(m_db,
                   "SELECT 1 FROM spent_nonces WHERE ts = ? AND public_key = ? AND nonce = ?");
    stmt.bind(1, timestamp).bind(2, public_key).bind(3, nonce);
    return stmt.step();
}

bool Transaction::record_nonce(const Bytes& public_key, const std::string& nonce,
                               std::int64_t timestamp) {
    Statement stmt(m_db, "INSERT INTO spent_nonces (ts, public_key, nonce) VALUES (?, ?, ?)");
    stmt.bind(1, timestamp).bind(2, public_key).bind(3, nonce);
    return stmt.run();
}

void Transaction::prune_nonces(std::int64_t before) {
    Statement stmt(m_db, "DELETE FROM spent_nonces WHERE ts < ?");
    stmt.bind(1, before);
    stmt.run();
}

void Transaction::insert_room(const RoomRecord& room) {
    m_changed_members = true;
    Statement stmt(m_db, "INSERT INTO rooms (id, name, token_hash, created_at, lease_seconds) "
                         "VALUES (?, ?, ?, ?, ?)");
    stmt.bind(1, room.id).bind(2, room.name).bind(3, room.token_hash);
    stmt.bind(4, room.created_at).bind(5, room.lease_seconds);
    if (!stmt.run())
        fail(m_db, "insert room");
}

void Transaction::put_agent(const AgentRecord& agent) {
    m_changed_members = true;
    Statement stmt(m_db, "INSERT INTO agents (" + std::string(k_agent_columns) +
                             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                             "ON CONFLICT (room_id, id) DO UPDATE SET name = excluded.name, "
                             "kind = excluded.kind, capabilities = excluded.capabilities, "
                             "public_key = excluded.public_key, role = excluded.role, "
                             "signed = excluded.signed, card_signature = excluded.card_signature, "
                             "joined_at = excluded.joined_at, last_seen = excluded.last_seen, "
                             "status = excluded.status");
    stmt.bind(1, agent.room_id).bind(2, agent.id).bind(3, agent.name).bind(4, agent.kind);
    stmt.bind(5, nlohmann::json(agent.capabilities).dump());
    stmt.bind(6, agent.public_key).bind(7, agent.role);
    stmt.bind(8, std::int64_t{agent.signed_card ? 1 : 0}).bind(9, agent.card_signature);
    stmt.bind(10, agent.joined_at).bind(11, agent.last_seen).bind(12, agent.status);
    if (!stmt.run())
        fail(m_db, "put agent");
    // The name stays bound to this key for good, so the refs under it stay this agent's.
    Statement name(m_db, "INSERT INTO agent_names (room_id, name, agent_id, first_used) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT (room_id, name) DO NOTHING");
    name.bind(1, agent.room_id).bind(2, agent.name).bind(3, agent.id).bind(4, agent.last_seen);
    if (!name.run())
        fail(m_db, "record agent name");
}

void Transaction::touch_agent(const std::string& room_id, const std::string& agent_id,
                              std::int64_t time) {
    // Only a later second is written: an agent's burst of requests dirties its row once.
    Statement stmt(m_db, "UPDATE agents SET last_seen = ? "
                         "WHERE room_id = ? AND id = ? AND last_seen < ?");
    stmt.bind(1, time).bind(2, room_id).bind(3, agent_id).bind(4, time);
    stmt.run();
}

EventRecord Transaction::append_event(const std::string& room_id, const std::string& type,
                                      const std::string& agent_id, std::int64_t time,
                                      const std::string& data, const std::string& signed_string,
                                      const std::string& signature) {
    EventRecord event;
    event.room_id = room_id;
    event.type = type;
    event.agent_id = agent_id;
    event.time = time;
    event.data = data;
    event.signed_string = signed_string;
    event.signature = signature;
    {
        Statement last(m_db, "SELECT seq, hash FROM events WHERE room_id = ? "
                             "ORDER BY seq DESC LIMIT 1");
        last.bind(1, room_id);
        if (last.step()) {
            event.seq = last.integer(0) + 1;
            event.prev = last.text(1);
        } else {
            event.seq = 1;
            event.prev = k_genesis_hash;
        }
    }
    event.hash = event_hash(event.prev, event.seq, type, agent_id, time, data);
    Statement stmt(m_db, "INSERT INTO events (room_id, seq, type, agent_id, time, data, prev, "
                         "hash, signed_string, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    stmt.bind(1, room_id).bind(2, event.seq).bind(3, type).bind(4, agent_id).bind(5, time);
    stmt.bind(6, data).bind(7, event.prev).bind(8, event.hash);
    stmt.bind(9, signed_string).bind(10, signature);
    if (!stmt.run())
        fail(m_db, "append event");
    m_appended.push_back(event);
    return event;
}

} // namespace knot::server
