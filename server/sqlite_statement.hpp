// Thin RAII helpers over sqlite3 shared by the store's source files; private to the store.
#pragma once

#include "libknot/crypto.hpp"
#include "libknot/error.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

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

// One prepared statement, finalized on scope exit. Bind indexes count from 1.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql)
        : m_db(db) {
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) !=
            SQLITE_OK)
            fail(db, sql);
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
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

    // Steps once: true when a row is available, false when done.
    bool step() {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        fail(m_db, sqlite3_sql(m_stmt));
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
};

} // namespace knot::server::sqlite
