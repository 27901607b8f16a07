// Opening and closing the store, and its reader connections (see Store in store.hpp; the write
// path is store_writer.cpp).
#include "store.hpp"

#include "libknot/base/error.hpp"
#include "migrations.hpp"
#include "store_connection.hpp"

#include <sqlite3.h>
#include <unistd.h>

namespace knot::server {
namespace sqlite {

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

} // namespace sqlite

namespace {

using sqlite::close_connection;
using sqlite::exec;
using sqlite::open_connection;
using sqlite::run;
using sqlite::Statement;
using sqlite::TransactionGuard;

int user_version(sqlite3* db) {
    Statement stmt(db, "PRAGMA user_version");
    return stmt.step() ? static_cast<int>(stmt.integer(0)) : 0;
}

int on_wal_commit(void* frames, sqlite3*, const char*, int length) {
    static_cast<std::atomic<int>*>(frames)->store(length);
    return SQLITE_OK;
}

} // namespace

Store::Store(const std::filesystem::path& path)
    : m_path(path)
    , m_db(open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) {
    try {
        exec(m_db, "PRAGMA journal_mode = WAL");
        exec(m_db, "PRAGMA foreign_keys = ON");
        // The migrations commit as any SQLite program does, each synced before it returns.
        exec(m_db, "PRAGMA synchronous = FULL");
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
        // From here the syncer makes each batch durable, and the checkpointer copies the WAL
        // (see Store in store.hpp); sqlite3_wal_hook replaces SQLite's automatic checkpoint.
        exec(m_db, "PRAGMA synchronous = OFF");
        sqlite3_wal_hook(m_db, on_wal_commit, &m_wal_frames);
        m_checkpoint_db = open_connection(path, SQLITE_OPEN_READWRITE);
        exec(m_checkpoint_db, "PRAGMA synchronous = FULL");
        m_checkpointer = std::thread([this] { checkpoints(); });
    } catch (...) {
        if (m_checkpoint_db)
            close_connection(m_checkpoint_db);
        close_connection(m_db);
        throw;
    }
}

Store::~Store() {
    {
        std::lock_guard lock(m_queue_mutex);
        m_stopping = true;
    }
    m_checkpoint_wake.notify_one();
    m_checkpointer.join();
    close_connection(m_checkpoint_db);
    for (sqlite3* reader : m_free_readers)
        close_connection(reader);
    if (m_wal_fd >= 0)
        ::close(m_wal_fd);
    // The last connection's checkpoint (synced, as the writer's is now FULL again) empties the
    // WAL into the database file.
    sqlite3_exec(m_db, "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
    sqlite::forget_statements(m_db);
    sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    sqlite3_close(m_db);
}

void Store::checkpoints() {
    std::unique_lock lock(m_queue_mutex);
    for (;;) {
        m_checkpoint_wake.wait(lock, [&] { return m_stopping || m_checkpoint_wanted; });
        if (m_stopping)
            return;
        m_checkpoint_wanted = false;
        lock.unlock();
        // PASSIVE: copies what no reader still needs, without stopping the writer; what it
        // leaves is copied by a later one.
        sqlite3_wal_checkpoint_v2(m_checkpoint_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                  nullptr);
        lock.lock();
    }
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
    sqlite3* db = nullptr;
    try {
        db = open_connection(m_path, SQLITE_OPEN_READWRITE);
        exec(db, "PRAGMA query_only = 1");
        return db;
    } catch (...) {
        if (db)
            close_connection(db);
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

// A reader connection taken from the pool for one scope.
class Store::BorrowedReader {
public:
    explicit BorrowedReader(Store& store)
        : m_store(store)
        , m_db(store.take_reader()) {}
    ~BorrowedReader() { m_store.give_back_reader(m_db); }
    BorrowedReader(const BorrowedReader&) = delete;
    BorrowedReader& operator=(const BorrowedReader&) = delete;
    sqlite3* db() const { return m_db; }

private:
    Store& m_store;
    sqlite3* m_db;
};

void Store::read_committed(const std::function<void(const Reader&)>& work) {
    const BorrowedReader borrowed(*this);
    sqlite3* db = borrowed.db();
    try {
        run(db, "BEGIN");
        const Reader reader(db);
        work(reader);
        run(db, "COMMIT");
    } catch (...) {
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void Store::read(const std::function<void(const Reader&)>& work) {
    read_committed(work);
    // The read's snapshot was taken after every batch it could see had its number set.
    wait_durable(m_committing.load());
}

int Store::schema_version() {
    const BorrowedReader borrowed(*this);
    return user_version(borrowed.db());
}

WriteStats Store::write_stats() {
    std::lock_guard lock(m_queue_mutex);
    WriteStats stats = m_stats;
    stats.queued = static_cast<std::int64_t>(m_queue.size());
    return stats;
}

} // namespace knot::server
