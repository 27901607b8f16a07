// The store's write path: group commit, with the WAL synced while the next batch runs (see
// Store in store.hpp).
#include "store.hpp"

#include "libknot/base/error.hpp"
#include "store_connection.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace knot::server {
namespace {

using sqlite::run;
using sqlite::TransactionGuard;

// fdatasyncs the WAL beside `database`, opening it into `fd` the first time (SQLite keeps the
// file while a connection is open, so the same inode takes every frame). Returns why it failed,
// or nothing.
std::string sync_wal(const std::filesystem::path& database, int& fd) {
    if (fd < 0) {
        fd = ::open((database.string() + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return "cannot open the database's WAL to sync it: " + std::string(strerror(errno));
    }
    while (::fdatasync(fd) != 0)
        if (errno != EINTR)
            return "the disk did not make the database's writes durable (fdatasync: " +
                   std::string(strerror(errno)) + "); restart knot-server";
    return {};
}

} // namespace

// One queued write: its work, what its caller is told once its batch is durable, and what its
// thread is asked to do meanwhile (lead the next batch, or sync the committed ones).
struct Store::PendingWrite {
    const std::function<void(Transaction&)>* work = nullptr;
    std::exception_ptr error;
    std::vector<EventRecord> events;
    bool done = false;
    bool leads = false;
    bool syncs = false;
    std::condition_variable wake;
};

void Store::write(const std::function<void(Transaction&)>& work) {
    PendingWrite me;
    me.work = &work;
    std::unique_lock lock(m_queue_mutex);
    if (!m_broken.empty())
        throw Error(m_broken);
    m_queue.push_back(&me);
    if (!m_leading)
        m_leading = me.leads = true;
    for (;;) {
        me.wake.wait(lock, [&] { return me.done || me.leads || me.syncs; });
        if (me.leads) {
            me.leads = false;
            lead(lock);
        } else if (me.syncs) {
            me.syncs = false;
            sync(lock);
        } else {
            break;
        }
    }
    lock.unlock();
    if (me.error)
        std::rethrow_exception(me.error);
}

// The leading thread's write is at the front of the queue: it takes the batch, commits it,
// passes the lead on, and syncs when no other thread is syncing.
void Store::lead(std::unique_lock<std::mutex>& lock) {
    std::vector<PendingWrite*> batch;
    while (!m_queue.empty() && batch.size() < k_max_batch) {
        batch.push_back(m_queue.front());
        m_queue.pop_front();
    }
    const std::int64_t number = ++m_batches;
    if (m_broken.empty()) {
        lock.unlock();
        commit_batch(number, batch);
        lock.lock();
    } else {
        for (PendingWrite* pending : batch)
            pending->error = std::make_exception_ptr(Error(m_broken));
    }
    ++m_stats.batches;
    m_stats.writes += static_cast<std::int64_t>(batch.size());
    m_stats.largest_batch =
        std::max(m_stats.largest_batch, static_cast<std::int64_t>(batch.size()));
    m_committed = number;
    PendingWrite* leader = batch.front();
    m_unsynced.push_back(CommittedBatch{number, std::move(batch)});
    if (m_queue.empty()) {
        m_leading = false;
    } else {
        m_queue.front()->leads = true;
        m_queue.front()->wake.notify_one();
    }
    if (!m_syncing)
        m_syncing = leader->syncs = true;
    if (m_wal_frames.load() >= k_checkpoint_frames && !m_checkpoint_wanted) {
        m_checkpoint_wanted = true;
        m_checkpoint_wake.notify_one();
    }
}

// Makes every batch committed so far durable with one fdatasync, publishes their events in
// commit order, wakes their writers, and passes the syncing on to a batch committed meanwhile.
void Store::sync(std::unique_lock<std::mutex>& lock) {
    // Every batch queued here is up to m_committed: the last one committed.
    const std::int64_t target = m_committed;
    const bool written =
        std::any_of(m_unsynced.begin(), m_unsynced.end(), [](const CommittedBatch& committed) {
            return std::any_of(committed.writes.begin(), committed.writes.end(),
                               [](const PendingWrite* pending) { return !pending->error; });
        });
    // After a failed fsync nothing is synced again: Linux reports a writeback error once per
    // file and marks the pages clean, so a second fdatasync would succeed over frames that
    // never reached the disk (and recovery stops at the first missing frame).
    std::string failure = m_broken;
    lock.unlock();
    if (failure.empty() && written)
        failure = sync_wal(m_path, m_wal_fd);
    lock.lock();
    std::vector<CommittedBatch> synced;
    while (!m_unsynced.empty() && m_unsynced.front().number <= target) {
        synced.push_back(std::move(m_unsynced.front()));
        m_unsynced.pop_front();
    }
    if (!failure.empty() && m_broken.empty())
        m_broken = failure;
    lock.unlock();
    if (failure.empty() && m_commit_listener) {
        for (const CommittedBatch& committed : synced)
            for (const PendingWrite* pending : committed.writes)
                if (!pending->error && !pending->events.empty()) {
                    try {
                        m_commit_listener(pending->events);
                    } catch (...) {
                        // The events are durable: a stream that missed one reads it back.
                    }
                }
    }
    lock.lock();
    m_durable = target;
    // Under the lock: a waiter that saw `done` returns and its `wake` is gone.
    for (const CommittedBatch& committed : synced)
        for (PendingWrite* pending : committed.writes) {
            if (!failure.empty() && !pending->error)
                pending->error = std::make_exception_ptr(Error(failure));
            pending->done = true;
            pending->wake.notify_one();
        }
    m_durable_changed.notify_all();
    if (m_unsynced.empty()) {
        m_syncing = false;
    } else {
        PendingWrite* next = m_unsynced.front().writes.front();
        next->syncs = true;
        next->wake.notify_one();
    }
}

void Store::commit_batch(std::int64_t number, const std::vector<PendingWrite*>& batch) {
    // A write alone needs no savepoint: its failure rolls the transaction back.
    const bool alone = batch.size() == 1;
    bool any_done = false;
    bool changed_members = false;
    try {
        TransactionGuard guard(m_db);
        for (PendingWrite* pending : batch) {
            if (!alone)
                run(m_db, "SAVEPOINT write");
            Transaction transaction(m_db);
            try {
                (*pending->work)(transaction);
                if (!alone)
                    run(m_db, "RELEASE write");
                pending->events = transaction.take_appended();
                any_done = true;
                changed_members = changed_members || transaction.changed_members();
            } catch (...) {
                pending->error = std::current_exception();
                // An I/O or memory error can end the whole transaction, batch-mates included:
                // then none of them may be answered as written.
                if (sqlite3_get_autocommit(m_db))
                    throw Error("database error: the transaction was rolled back");
                if (!alone) {
                    run(m_db, "ROLLBACK TO write");
                    run(m_db, "RELEASE write");
                }
            }
        }
        if (any_done) {
            m_committing.store(number);
            guard.commit();
        }
        if (changed_members) {
            // After the commit: a lookup that reads the new records tells the new generation.
            std::lock_guard members(m_members_mutex);
            ++m_members_generation;
            m_members.clear();
        }
    } catch (...) {
        const std::exception_ptr error = std::current_exception();
        for (PendingWrite* pending : batch) {
            if (!pending->error)
                pending->error = error;
            pending->events.clear();
        }
    }
}

std::optional<MemberRecords> Store::cached_member(const std::string& room_id,
                                                  const std::string& agent_id) {
    std::lock_guard lock(m_members_mutex);
    const auto it = m_members.find({room_id, agent_id});
    if (it == m_members.end())
        return std::nullopt;
    return it->second;
}

void Store::remember_member(std::uint64_t generation, const MemberRecords& records) {
    // Bounded: a server with more members than this looks the rest up each time.
    constexpr std::size_t k_max_members = 10000;
    std::lock_guard lock(m_members_mutex);
    if (generation != m_members_generation.load() || m_members.size() >= k_max_members)
        return;
    m_members.insert_or_assign({records.room.id, records.agent.id}, records);
}

void Store::wait_durable(std::int64_t seen) {
    std::unique_lock lock(m_queue_mutex);
    m_durable_changed.wait(lock, [&] { return m_durable >= seen || !m_broken.empty(); });
    if (!m_broken.empty())
        throw Error(m_broken);
}

void Store::set_commit_listener(CommitListener listener) {
    // The syncer publishes outside the lock: change it only while no sync runs.
    std::unique_lock lock(m_queue_mutex);
    m_durable_changed.wait(lock, [&] { return !m_syncing; });
    m_commit_listener = std::move(listener);
}

} // namespace knot::server
