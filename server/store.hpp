// The server's durable state: one SQLite database (WAL) holding rooms, agents, nonces and the
// hash-chained event log, with migrations compiled in.
#pragma once

#include "libknot/crypto.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace knot::server {

struct RoomRecord {
    std::string id;
    std::string name;
    std::string token_hash; // hex SHA-256 of the invite token
    std::int64_t created_at = 0;
    std::int64_t lease_seconds = 300;
};

struct AgentRecord {
    std::string room_id;
    std::string id;
    std::string name;
    std::string kind;
    std::vector<std::string> capabilities;
    Bytes public_key;
    std::string role; // owner, member or server
    bool signed_card = false;
    std::string card_signature;
    std::int64_t joined_at = 0;
    std::int64_t last_seen = 0;
};

struct EventRecord {
    std::string room_id;
    std::int64_t seq = 0;
    std::string type;
    std::string agent_id;
    std::int64_t time = 0;
    std::string data; // compact JSON text, exactly as hashed
    std::string prev;
    std::string hash;
    std::string signed_string; // the canonical string of the request that caused it, if any
    std::string signature;
};

// The hash of the first event's `prev`: 64 zeros.
inline const std::string k_genesis_hash(64, '0');

// The event hash of docs/protocol.md: hex SHA-256 of prev \n seq \n type \n agent \n time \n data.
std::string event_hash(std::string_view prev, std::int64_t seq, std::string_view type,
                       std::string_view agent, std::int64_t time, std::string_view data);

// Queries, valid only inside Store::read or Store::write (the store's lock is held).
class Reader {
public:
    explicit Reader(sqlite3* db)
        : m_db(db) {}

    std::optional<RoomRecord> find_room(const std::string& room_id) const;
    std::optional<AgentRecord> find_agent(const std::string& room_id,
                                          const std::string& agent_id) const;
    std::optional<AgentRecord> find_agent_by_name(const std::string& room_id,
                                                  const std::string& name) const;
    // Every agent of the room, in the order they joined.
    std::vector<AgentRecord> agents(const std::string& room_id) const;
    // Events with seq > `since`, oldest first, at most `limit`.
    std::vector<EventRecord> events(const std::string& room_id, std::int64_t since,
                                    std::int64_t limit) const;
    // The seq of the room's newest event, 0 when it has none.
    std::int64_t last_seq(const std::string& room_id) const;

protected:
    sqlite3* m_db;
};

// Changes, valid only inside Store::write: all of them commit together or not at all.
class Transaction : public Reader {
public:
    using Reader::Reader;

    // Records that `public_key` used `nonce` in a request signed at `timestamp`. Returns false,
    // writing nothing, when the pair was already recorded (a replay).
    bool record_nonce(const Bytes& public_key, const std::string& nonce, std::int64_t timestamp);
    // Deletes nonces signed before `before`: a request that old is refused as stale anyway.
    void prune_nonces(std::int64_t before);

    void insert_room(const RoomRecord& room);
    // Inserts `agent`, or replaces the row with the same room and id.
    void put_agent(const AgentRecord& agent);
    void touch_agent(const std::string& room_id, const std::string& agent_id, std::int64_t time);

    // Appends the room's next event, chained to the previous one, and returns it. `data` is a
    // JSON text stored exactly as given.
    EventRecord append_event(const std::string& room_id, const std::string& type,
                             const std::string& agent_id, std::int64_t time,
                             const std::string& data, const std::string& signed_string = {},
                             const std::string& signature = {});
};

class Store {
public:
    // Opens (creating when needed) the database at `path` and applies pending migrations, each
    // in its own transaction. Throws knot::Error when the file cannot be opened or is newer than
    // this program.
    explicit Store(const std::filesystem::path& path);
    // Checkpoints the WAL into the main file and closes the database.
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Runs `work` with the store to itself.
    void read(const std::function<void(const Reader&)>& work);
    // Runs `work` in one BEGIN IMMEDIATE transaction: committed when it returns, rolled back
    // (and the exception passed on) when it throws.
    void write(const std::function<void(Transaction&)>& work);

    // The schema version reached (PRAGMA user_version).
    int schema_version();

private:
    std::mutex m_mutex;
    sqlite3* m_db = nullptr;
};

} // namespace knot::server
