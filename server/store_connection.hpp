// What the store's own files share about its connections: opening and closing one, running a
// transaction's statements, and a transaction that rolls back unless committed. Private to the
// store (store_commit.cpp, store_writer.cpp).
#pragma once

#include "sqlite_statement.hpp"

#include <filesystem>
#include <string_view>

namespace knot::server::sqlite {

// Opens the database at `path` with `flags` (plus SQLITE_OPEN_NOMUTEX: a connection is used by
// one thread at a time). Throws knot::Error when it cannot.
sqlite3* open_connection(const std::filesystem::path& path, int flags);
// Finalizes the connection's cached statements and closes it.
void close_connection(sqlite3* db);

// Runs one of the few statements a transaction is made of, prepared once per connection.
inline void run(sqlite3* db, std::string_view sql) {
    Statement statement(db, sql);
    statement.step();
}

// BEGIN IMMEDIATE, rolled back unless committed, so an exception leaves nothing written.
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

} // namespace knot::server::sqlite
