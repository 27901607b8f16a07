// The server's durable state: one SQLite database (WAL) holding rooms, agents, nonces, locks,
// tasks and the hash-chained event log, with migrations compiled in.
#pragma once

#include "libknot/protocol/event_chain.hpp"
#include "store_records.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

struct sqlite3;

namespace knot::server {

// Queries, valid only inside Store::read or Store::write, on the connection they were given.
class Reader {
public:
    explicit Reader(sqlite3* db)
        : m_db(db) {}

    std::optional<RoomRecord> find_room(const std::string& room_id) const;
    // True when `public_key` already used `nonce` in a request signed at `timestamp` (a replay,
    // if it is used again: a replay carries the time it was signed at).
    bool nonce_used(const Bytes& public_key, const std::string& nonce,
                    std::int64_t timestamp) const;
    std::optional<AgentRecord> find_agent(const std::string& room_id,
                                          const std::string& agent_id) const;
    std::optional<AgentRecord> find_agent_by_name(const std::string& room_id,
                                                  const std::string& name) const;
    // The id of the agent that first used `name` in the room. A name is never reused by another
    // key, even after a rename freed it, because refs under refs/knot/<name>/ are the owner's.
    std::optional<std::string> name_owner(const std::string& room_id,
                                          const std::string& name) const;
    // Every agent of the room, in the order they joined.
    std::vector<AgentRecord> agents(const std::string& room_id) const;
    // Events with seq > `since`, oldest first, at most `limit`.
    std::vector<EventRecord> events(const std::string& room_id, std::int64_t since,
                                    std::int64_t limit) const;
    // The seq of the room's newest event, 0 when it has none.
    std::int64_t last_seq(const std::string& room_id) const;

    // The room's locks live at `now` (expires_at > now), sorted by path.
    std::vector<LockRecord> live_locks(const std::string& room_id, std::int64_t now) const;
    // The room's lock on `path`, live or not yet expired by the store.
    std::optional<LockRecord> find_lock(const std::string& room_id, const std::string& path) const;
    // The room's locks whose lease ended at or before `now`, sorted by path.
    std::vector<LockRecord> due_locks(const std::string& room_id, std::int64_t now) const;
    // The rooms that have at least one lock due at `now`.
    std::vector<std::string> rooms_with_due_locks(std::int64_t now) const;

    // Every task of the room in id order.
    std::vector<TaskRecord> tasks(const std::string& room_id) const;
    std::optional<TaskRecord> find_task(const std::string& room_id, std::int64_t number) const;
    TaskCounts task_counts(const std::string& room_id) const;

    // Integration runs (store_integration.cpp).
    std::optional<RunRecord> find_run(const std::string& room_id, std::int64_t number) const;
    // The room's newest runs first, at most `limit`.
    std::vector<RunRecord> runs(const std::string& room_id, std::int64_t limit) const;
    // The oldest queued run of a room not in `busy`, or nothing.
    std::optional<RunRecord> next_queued_run(const std::vector<std::string>& busy) const;
    // The newest integrated run not undone whose candidate is `candidate`.
    std::optional<RunRecord> integration_of(const std::string& room_id,
                                            const std::string& candidate) const;
    // The room's runs waiting as held_locked, oldest first.
    std::vector<RunRecord> held_runs(const std::string& room_id) const;
    CheckSettings check_settings(const std::string& room_id) const;
    // The commit refs/knot/integration started at (set_integration_base), "" when none.
    std::string integration_base(const std::string& room_id) const;

    // Reviews (store_reviews.cpp).
    ReviewSettings review_settings(const std::string& room_id) const;
    std::optional<ReviewRecord> find_review(const std::string& room_id,
                                            const std::string& id) const;
    // The room's newest reviews first, at most `limit`.
    std::vector<ReviewRecord> reviews(const std::string& room_id, std::int64_t limit) const;
    // The newest review of run `run`.
    std::optional<ReviewRecord> review_of_run(const std::string& room_id, std::int64_t run) const;
    // Pending peer reviews `agent_id` may claim at `now` (not its own), oldest first; a claim
    // that lapsed counts as pending.
    std::vector<ReviewRecord> claimable_reviews(const std::string& room_id,
                                                const std::string& agent_id,
                                                std::int64_t now) const;
    // Whether an agent other than `author_id` is watching the room's reviews at `now`.
    bool has_other_watcher(const std::string& room_id, const std::string& author_id,
                           std::int64_t now) const;
    // Open reviews whose deadline passed at `now`, or whose peer's claim lapsed.
    std::vector<ReviewRecord> due_reviews(std::int64_t now) const;

    // Patches (store_patches.cpp).
    std::optional<PatchRecord> find_patch(const std::string& room_id, const std::string& id) const;
    // The room's newest patches first, at most `limit`.
    std::vector<PatchRecord> patches(const std::string& room_id, std::int64_t limit) const;
    // How many patches `agent_id` has made in the room.
    std::int64_t patch_count(const std::string& room_id, const std::string& agent_id) const;
    // The standing verdicts on a patch, oldest first.
    std::vector<VerdictRecord> verdicts(const std::string& room_id,
                                        const std::string& patch_id) const;

protected:
    sqlite3* m_db;
};

// Changes, valid only inside Store::write: all of them commit together or not at all.
class Transaction : public Reader {
public:
    using Reader::Reader;

    // Records that `public_key` used `nonce` in a request signed at `timestamp`. Returns false,
    // writing nothing, when the three were already recorded (a replay: the signature covers the
    // time, so the same nonce at another time is another request).
    bool record_nonce(const Bytes& public_key, const std::string& nonce, std::int64_t timestamp);
    // Deletes nonces signed before `before`: a request that old is refused as stale anyway.
    void prune_nonces(std::int64_t before);

    void insert_room(const RoomRecord& room);
    // Inserts `agent`, or replaces the row with the same room and id; binds its name to its id
    // for good (name_owner) when the name is new to the room.
    void put_agent(const AgentRecord& agent);
    void touch_agent(const std::string& room_id, const std::string& agent_id, std::int64_t time);
    void set_agent_status(const std::string& room_id, const std::string& agent_id,
                          const std::string& status);
    void set_lease_seconds(const std::string& room_id, std::int64_t lease_seconds);
    // Records the forge the room's agents push to (forge mode), replacing the previous one.
    void set_forge_url(const std::string& room_id, const std::string& forge_url);

    // Inserts `lock`, or replaces the room's lock on the same path. Its agent_name is ignored.
    void put_lock(const LockRecord& lock);
    void delete_lock(const std::string& room_id, const std::string& path);
    // The next fencing token of the path: one more than any granted before, starting at 1.
    // Release and expiry do not reset it.
    std::int64_t next_fencing(const std::string& room_id, const std::string& path);

    // Inserts `task` with the room's next number and returns that number.
    std::int64_t insert_task(const TaskRecord& task);
    // Stores the status, claimer and updated_at of `task`.
    void update_task(const TaskRecord& task);

    // Appends the room's next event, chained to the previous one, and returns it. `data` is a
    // JSON text stored exactly as given.
    EventRecord append_event(const std::string& room_id, const std::string& type,
                             const std::string& agent_id, std::int64_t time,
                             const std::string& data, const std::string& signed_string = {},
                             const std::string& signature = {});

    // Queues a run for `run`'s push (its number is the room's next) and returns that number.
    // Queued and held runs of the same agent and ref are marked superseded: the newer push
    // replaces them.
    std::int64_t queue_run(const RunRecord& run);
    // Stores every field of `run` but its room, number, agent, ref and commit.
    void update_run(const RunRecord& run);
    // Puts runs left `running` (the server stopped during them) back in the queue; returns how
    // many.
    std::int64_t requeue_running_runs();
    void set_check_settings(const std::string& room_id, const CheckSettings& settings);
    // Records `commit` as the room's base: where refs/knot/integration started.
    void set_integration_base(const std::string& room_id, const std::string& commit);

    void insert_review(const ReviewRecord& review);
    // Stores the state, claim, verdict, reviewer, statement and candidate of `review`.
    void update_review(const ReviewRecord& review);
    // Records that `agent_id` watches the room's reviews until `expires_at`.
    void watch_reviews(const std::string& room_id, const std::string& agent_id,
                       std::int64_t expires_at);
    void set_review_settings(const std::string& room_id, const ReviewSettings& settings);
    // Puts a run that waited for its review (status reviewing) back in the queue, so a worker
    // takes it on to its verdict. False when the run was not waiting.
    bool resume_reviewed_run(const std::string& room_id, std::int64_t run);
    // Inserts `patch` (its author_name, run and run fields are ignored; run starts at 0).
    void insert_patch(const PatchRecord& patch);
    // Inserts `verdict`, or replaces the same agent's verdict on the same patch.
    void put_verdict(const VerdictRecord& verdict);
    // Records the run the merge of a patch queued.
    void set_patch_run(const std::string& room_id, const std::string& patch_id, std::int64_t run);

    // The events appended so far, oldest first: what the store publishes after the commit.
    const std::vector<EventRecord>& appended() const { return m_appended; }
    // Hands them over once the write is done (the store publishes them after the sync).
    std::vector<EventRecord> take_appended() { return std::move(m_appended); }
    // Whether a room or an agent was inserted or changed: the store's member cache is dropped
    // once this commits.
    bool changed_members() const { return m_changed_members; }

private:
    std::vector<EventRecord> m_appended;
    bool m_changed_members = false;
};

// How many writes the store committed and in how many batches (each one transaction and one
// fsync): what group commit saved, for tests and the benchmarks.
struct WriteStats {
    std::int64_t writes = 0;
    std::int64_t batches = 0;
    std::int64_t largest_batch = 0;
    std::int64_t queued = 0; // writes waiting for a batch right now
};

// The database, written by one writer in batches (group commit) and read on a pool of reader
// connections that never wait for the writer (WAL).
//
// A write is queued; whichever writing thread finds no batch running leads: it takes every write
// queued (at most k_max_batch) and runs each in a savepoint of one BEGIN IMMEDIATE transaction.
// A write that throws (a lock conflict, a replayed nonce) is rolled back to its savepoint alone
// and its exception passed to its caller; its batch-mates commit. The leader commits without
// waiting for the disk and hands the lead to the first write still queued, so the next batch
// runs while this one is flushed: one thread at a time, the syncer, fdatasyncs the WAL, which
// makes every batch committed before it began durable, then publishes their events in commit
// order and only then wakes their writers. So every answered write survives a power cut, and a
// thousand concurrent writes cost a few fsyncs that overlap the work of the next batches.
//
// SQLite's own syncs are off on the writer (synchronous=OFF, no automatic checkpoint): the WAL
// is synced by the syncer, and checkpoints run on a connection of their own with
// synchronous=FULL (which syncs the WAL before copying it and the database before the WAL is
// reused), in a thread of their own once the WAL passes k_checkpoint_frames.
class Store {
public:
    static constexpr std::size_t k_max_batch = 256;
    static constexpr std::size_t k_max_readers = 32;
    static constexpr int k_checkpoint_frames = 1000;

    // Opens (creating when needed) the database at `path` and applies pending migrations, each
    // in its own transaction. Throws knot::Error when the file cannot be opened or is newer than
    // this program.
    explicit Store(const std::filesystem::path& path);
    // Stops the checkpoints, closes the readers, checkpoints the WAL into the main file and
    // closes the database. No write may be running.
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Runs `work` in a read transaction of a reader connection (one committed state, no wait
    // for a write in progress), then waits until what it saw is durable: a reader is never told
    // of a write that a power cut could still take back, such as an event whose number a
    // restarted server would give to another.
    void read(const std::function<void(const Reader&)>& work);
    // As read, without the wait: for a check that a write made next re-establishes (that write
    // is answered only once all it could have read is durable), such as a signature's agent.
    void read_committed(const std::function<void(const Reader&)>& work);
    // Runs `work` as one atomic change (see above): returns once it is durable, or throws what
    // `work` threw, leaving nothing of it written. `work` runs on the batch's leading thread,
    // so it must not call read or write itself.
    void write(const std::function<void(Transaction&)>& work);

    // Called after every commit with the events each write of it appended, write by write in
    // commit order, once they are durable. It must not block: writers wait for it.
    using CommitListener = std::function<void(const std::vector<EventRecord>&)>;
    void set_commit_listener(CommitListener listener);

    // The schema version reached (PRAGMA user_version).
    int schema_version();
    WriteStats write_stats();

    // The room and agent records signature checks looked up, kept until a committed write
    // changes a room or an agent (Transaction::changed_members): every signed request looks
    // them up, and they change only when an agent joins or is renamed or a room's settings
    // change. A lookup tells the generation before it read the records, and remember_member
    // keeps them only under that generation, so records read across a change are never used.
    std::uint64_t members_generation() const { return m_members_generation.load(); }
    std::optional<MemberRecords> cached_member(const std::string& room_id,
                                               const std::string& agent_id);
    void remember_member(std::uint64_t generation, const MemberRecords& records);

private:
    struct PendingWrite;
    class BorrowedReader;
    struct CommittedBatch {
        std::int64_t number = 0;
        std::vector<PendingWrite*> writes;
    };
    void lead(std::unique_lock<std::mutex>& lock);
    void sync(std::unique_lock<std::mutex>& lock);
    void commit_batch(std::int64_t number, const std::vector<PendingWrite*>& batch);
    void wait_durable(std::int64_t seen);
    void checkpoints();
    sqlite3* take_reader();
    void give_back_reader(sqlite3* db);

    std::filesystem::path m_path;
    sqlite3* m_db = nullptr; // the writer's connection, used only by the leading thread
    CommitListener m_commit_listener;
    int m_wal_fd = -1; // the WAL, opened by the first sync; used only by the syncer

    // Under m_queue_mutex: the writes waiting, the batches committed and not yet durable.
    std::mutex m_queue_mutex;
    std::deque<PendingWrite*> m_queue;
    bool m_leading = false;
    std::deque<CommittedBatch> m_unsynced;
    bool m_syncing = false;
    std::int64_t m_batches = 0;   // the number of the last batch taken
    std::int64_t m_committed = 0; // the number of the last batch committed (or failed)
    std::int64_t m_durable = 0;   // every batch up to this number is durable
    std::string m_broken;         // why nothing can be made durable any more, once an fsync failed
    std::condition_variable m_durable_changed;
    WriteStats m_stats;
    // The number of the batch being committed, set before its COMMIT: a snapshot that sees a
    // batch was taken after it was set.
    std::atomic<std::int64_t> m_committing{0};

    std::atomic<int> m_wal_frames{0}; // the WAL's length after the last commit
    sqlite3* m_checkpoint_db = nullptr;
    bool m_checkpoint_wanted = false;
    bool m_stopping = false;
    std::condition_variable m_checkpoint_wake;
    std::thread m_checkpointer;

    std::mutex m_members_mutex;
    std::atomic<std::uint64_t> m_members_generation{0};
    std::map<std::pair<std::string, std::string>, MemberRecords> m_members;

    std::mutex m_readers_mutex;
    std::condition_variable m_reader_free;
    std::vector<sqlite3*> m_free_readers;
    std::size_t m_open_readers = 0;
};

} // namespace knot::server
