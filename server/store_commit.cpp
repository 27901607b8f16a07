// Opening the store, its reader connections, and group commit (see Store in store.hpp).
#include "store.hpp"

#include "libknot/base/error.hpp"
#include "migrations.hpp"
#include "sqlite_statement.hpp"

#include <sqlite3.h>

namespace knot::server {
namespace {

using sqlite::exec;
using sqlite::forget_statements;
using sqlite::Statement;

// Runs one of the few statements a transaction is made of, prepared once per connection.
void run(sqlite3* db, std::string_view sql) {
    Statement statement(db, sql);
    statement.step();
}

// Rolls back unless committed, so an exception leaves nothing written.
class TransactionGuard {
public:
    explicit TransactionGuard(sqlite3* db)
        : m_db(db) {
        run(db, "BEGIN IMMEDIATE");
    }
    ~TransactionGuard() {
        if (!m_done && !sqlite3_get_autocommit(m_db))
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    TransactionGuard(const TransactionGuard&) = delete;
    TransactionGuard& operator=(const TransactionGuard&) = delete;
    void commit() {
        run(m_db, "COMMIT");
        m_done = true;
    }

private:
    sqlite3* m_db;
    bool m_done = false;
};

int user_version(sqlite3* db) {
    Statement stmt(db, "PRAGMA user_version");
    return stmt.step() ? static_cast<int>(stmt.integer(0)) : 0;
}

sqlite3* open_connection(const std::filesystem::path& path, int flags) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw Error("cannot open the database " + path.string() + ": " + message);
    }
    // Only a checkpoint, or another process opening the file, can make a connection wait.
    sqlite3_busy_timeout(db, 5000);
    return db;
}

void close_connection(sqlite3* db) {
    forget_statements(db);
    sqlite3_close(db);
}

} // namespace

// One queued write: its work, and what its caller is told once its batch committed.
struct Store::PendingWrite {
    const std::function<void(Transaction&)>* work = nullptr;
    std::exception_ptr error;
    std::vector<EventRecord> events;
    bool done = false;
    bool leads = false;
    std::condition_variable wake;
};

Store::Store(const std::filesystem::path& path)
    : m_path(path)
    , m_db(open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) {
    try {
        exec(m_db, "PRAGMA journal_mode = WAL");
        // FULL in WAL mode: COMMIT returns only after the WAL is fsynced, so an answered write
        // survives a power cut, not only a crash of the process (NORMAL's guarantee).
        exec(m_db, "PRAGMA synchronous = FULL");
        exec(m_db, "PRAGMA foreign_keys = ON");
        const auto all = migrations();
        const int current = user_version(m_db);
        if (current > static_cast<int>(all.size()))
            throw Error("the database " + path.string() + " has schema version " +
                        std::to_string(current) + ", newer than this knot-server knows (" +
                        std::to_string(all.size()) + "); upgrade knot-server");
        for (auto version = static_cast<std::size_t>(current); version < all.size(); ++version) {
            TransactionGuard guard(m_db);
            exec(m_db, std::string(all[version]));
            exec(m_db, "PRAGMA user_version = " + std::to_string(version + 1));
            guard.commit();
        }
    } catch (...) {
        close_connection(m_db);
        throw;
    }
}

Store::~Store() {
    for (sqlite3* reader : m_free_readers)
        close_connection(reader);
    forget_statements(m_db);
    sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    sqlite3_close(m_db);
}

sqlite3* Store::take_reader() {
    std::unique_lock lock(m_readers_mutex);
    m_reader_free.wait(lock,
                       [&] { return !m_free_readers.empty() || m_open_readers < k_max_readers; });
    if (!m_free_readers.empty()) {
        sqlite3* db = m_free_readers.back();
        m_free_readers.pop_back();
        return db;
    }
    ++m_open_readers;
    lock.unlock();
    try {
        sqlite3* db = open_connection(m_path, SQLITE_OPEN_READWRITE);
        exec(db, "PRAGMA query_only = 1");
        return db;
    } catch (...) {
        lock.lock();
        --m_open_readers;
        m_reader_free.notify_one();
        throw;
    }
}

void Store::give_back_reader(sqlite3* db) {
    {
        std::lock_guard lock(m_readers_mutex);
        m_free_readers.push_back(db);
    }
    m_reader_free.notify_one();
}

void Store::read(const std::function<void(const Reader&)>& work) {
    sqlite3* db = take_reader();
    try {
        run(db, "BEGIN");
        const Reader reader(db);
        work(reader);
        run(db, "COMMIT");
    } catch (...) {
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        give_back_reader(db);
        throw;
    }
    give_back_reader(db);
}

void Store::write(const std::function<void(Transaction&)>& work) {
    PendingWrite me;
    me.work = &work;
    std::unique_lock lock(m_queue_mutex);
    m_queue.push_back(&me);
    if (!m_leading)
        m_leading = me.leads = true;
    me.wake.wait(lock, [&] { return me.done || me.leads; });
    if (!me.done) {
        // This thread leads: its own write is at the front of the queue.
        std::vector<PendingWrite*> batch;
        while (!m_queue.empty() && batch.size() < k_max_batch) {
            batch.push_back(m_queue.front());
            m_queue.pop_front();
        }
        lock.unlock();
        commit_batch(batch);
        lock.lock();
        ++m_stats.batches;
        m_stats.writes += static_cast<std::int64_t>(batch.size());
        m_stats.largest_batch =
            std::max(m_stats.largest_batch, static_cast<std::int64_t>(batch.size()));
        // Under the lock: a waiter that saw `done` returns and its `wake` is gone.
        for (PendingWrite* pending : batch) {
            pending->done = true;
            if (pending != &me)
                pending->wake.notify_one();
        }
        if (m_queue.empty()) {
            m_leading = false;
        } else {
            m_queue.front()->leads = true;
            m_queue.front()->wake.notify_one();
        }
    }
    lock.unlock();
    if (me.error)
        std::rethrow_exception(me.error);
}

void Store::commit_batch(const std::vector<PendingWrite*>& batch) {
    // A write alone needs no savepoint: its failure rolls the transaction back.
    const bool alone = batch.size() == 1;
    bool any_done = false;
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
                pending->events = transaction.appended();
                any_done = true;
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
        if (any_done)
            guard.commit();
    } catch (...) {
        const std::exception_ptr error = std::current_exception();
        for (PendingWrite* pending : batch) {
            if (!pending->error)
                pending->error = error;
            pending->events.clear();
        }
        return;
    }
    if (!m_commit_listener)
        return;
    for (PendingWrite* pending : batch)
        if (!pending->error && !pending->events.empty())
            m_commit_listener(pending->events);
}

void Store::set_commit_listener(CommitListener listener) {
    // Set by a write of its own, so that no batch is publishing while it changes.
    write([&](Transaction&) { m_commit_listener = std::move(listener); });
}

int Store::schema_version() {
    sqlite3* db = take_reader();
    int version = 0;
    try {
        version = user_version(db);
    } catch (...) {
        give_back_reader(db);
        throw;
    }
    give_back_reader(db);
    return version;
}

WriteStats Store::write_stats() {
    std::lock_guard lock(m_queue_mutex);
    WriteStats stats = m_stats;
    stats.queued = static_cast<std::int64_t>(m_queue.size());
    return stats;
}

} // namespace knot::server
