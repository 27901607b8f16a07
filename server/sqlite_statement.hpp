// Thin RAII helpers over sqlite3 shared by the store's source files; private to the store.
#pragma once

#include "libknot/base/error.hpp"
#include "libknot/protocol/crypto.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace knot::server::sqlite {

[[noreturn]] inline void fail(sqlite3* db, std::string_view what) {
    throw Error("database error (" + std::string(what) + "): " + sqlite3_errmsg(db));
}

inline void exec(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw Error("database error (" + sql.substr(0, 40) + "): " + text);
    }
}

// Prepared statements kept per connection and SQL text: parsing and planning a statement
// costs more than running most of ours, and a server runs the same few dozen all day.
struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false; // a statement running while another use of the same SQL starts
};

struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
        return std::hash<std::string_view>{}(sql);
    }
};

// One connection's statements. A connection is used by one thread at a time (the store's
// writer, or the reader that took it from the pool), so its cache needs no lock of its own.
using StatementCache = std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>>;

inline std::shared_mutex& statement_caches_mutex() {
    static std::shared_mutex mutex;
    return mutex;
}

inline std::unordered_map<sqlite3*, std::unique_ptr<StatementCache>>& statement_caches() {
    static std::unordered_map<sqlite3*, std::unique_ptr<StatementCache>> caches;
    return caches;
}

inline StatementCache& statement_cache(sqlite3* db) {
    {
        std::shared_lock lock(statement_caches_mutex());
        const auto it = statement_caches().find(db);
        if (it != statement_caches().end())
            return *it->second;
    }
    std::unique_lock lock(statement_caches_mutex());
    auto& cache = statement_caches()[db];
    if (!cache)
        cache = std::make_unique<StatementCache>();
    return *cache;
}

// Finalizes the statements cached for `db`; call it before closing the connection.
inline void forget_statements(sqlite3* db) {
    std::unique_lock lock(statement_caches_mutex());
    auto it = statement_caches().find(db);
    if (it == statement_caches().end())
        return;
    for (auto& [sql, cached] : *it->second)
        sqlite3_finalize(cached.stmt);
    statement_caches().erase(it);
}

// One prepared statement, taken from the connection's cache (or prepared afresh when the cached
// one is busy) and reset on scope exit. Bind indexes count from 1.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql)
        : m_db(db) {
        {
            StatementCache& cache = statement_cache(db);
            auto it = cache.find(sql);
            if (it == cache.end())
                it = cache.emplace(std::string(sql), CachedStatement{}).first;
            CachedStatement& cached = it->second;
            if (!cached.in_use) {
                if (!cached.stmt && sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                                       SQLITE_PREPARE_PERSISTENT, &cached.stmt,
                                                       nullptr) != SQLITE_OK)
                    fail(db, sql);
                cached.in_use = true;
                m_cached = &cached;
                m_stmt = cached.stmt;
                return;
            }
        }
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) !=
            SQLITE_OK)
            fail(db, sql);
    }
    ~Statement() {
        if (!m_cached) {
            sqlite3_finalize(m_stmt);
            return;
        }
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
        m_cached->in_use = false;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text) {
        check(sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()),
                                SQLITE_TRANSIENT));
        return *this;
    }
    Statement& bind(int index, std::int64_t value) {
        check(sqlite3_bind_int64(m_stmt, index, value));
        return *this;
    }
    Statement& bind(int index, const Bytes& blob) {
        check(sqlite3_bind_blob(m_stmt, index, blob.data(), static_cast<int>(blob.size()),
                                SQLITE_TRANSIENT));
        return *this;
    }

    Statement& bind_null(int index) {
        check(sqlite3_bind_null(m_stmt, index));
        return *this;
    }

    // Steps once: true when a row is available, false when done.
    bool step() {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        fail(m_db, sqlite3_sql(m_stmt));
    }
    // Steps through every row left, each made into a value by `row_of(*this)`, in order.
    template <class RowOf> auto rows(RowOf row_of) {
        std::vector<std::invoke_result_t<RowOf, const Statement&>> out;
        while (step())
            out.push_back(row_of(*this));
        return out;
    }
    // Steps a statement that returns no row; returns false on a constraint violation.
    bool run() {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_DONE || rc == SQLITE_ROW)
            return true;
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return false;
        fail(m_db, sqlite3_sql(m_stmt));
    }

    std::string text(int column) const {
        const auto* p = sqlite3_column_text(m_stmt, column);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)))
                 : std::string();
    }
    bool is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    std::int64_t integer(int column) const { return sqlite3_column_int64(m_stmt, column); }
    Bytes blob(int column) const {
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, column));
        return p ? Bytes(p, p + sqlite3_column_bytes(m_stmt, column)) : Bytes();
    }

private:
    void check(int rc) {
        if (rc != SQLITE_OK)
            fail(m_db, "bind");
    }

    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
    CachedStatement* m_cached = nullptr;
};

} // namespace knot::server::sqlite
