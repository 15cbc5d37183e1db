// Thin RAII over the sqlite3 C API: an owned connection with a cache of prepared
// statements, a borrowed statement with typed binds and reads, a transaction guard, and
// the one mapping from SQLite result codes to core::Status. Internal to
// src/storage/sqlite. A Connection (and everything borrowed from it) is used by one
// thread at a time; the free functions are thread-safe.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.hpp"

namespace tandem::store::sqlite {

// The Status for a failed SQLite call. UNIQUE violations become AlreadyExists naming the
// column ("email"), busy/locked become Unavailable, CHECK/NOT NULL violations become
// InvalidArgument, everything else Internal. SQLite's messages name tables, columns and
// constraints, never bound values, so no health data can leak into them.
core::Status status_from(sqlite3* db, int rc, std::string_view what);

// A prepared statement owned by its Connection's cache. Binds are 1-based like SQLite's;
// reads are 0-based. Errors from binds are remembered and reported by step()/run().
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  // NaN is bound as NULL (SQLite would do so anyway): callers decide what NULL means.
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind_blob(int index, std::span<const unsigned char> bytes);
  Statement& bind_null(int index);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances: true when a row is ready, false when done.
  core::Result<bool> step();
  // Runs to completion; the statement must not return rows.
  core::Status run();
  // Clears bindings and rewinds, ready for the next use (done by StatementRef).
  void reset();

  [[nodiscard]] bool is_null(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
  }
  [[nodiscard]] std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] int int32(int col) const { return sqlite3_column_int(stmt_, col); }
  [[nodiscard]] bool boolean(int col) const { return sqlite3_column_int64(stmt_, col) != 0; }
  [[nodiscard]] double real(int col) const { return sqlite3_column_double(stmt_, col); }
  [[nodiscard]] std::string_view text(int col) const;
  [[nodiscard]] std::string str(int col) const { return std::string(text(col)); }
  [[nodiscard]] std::span<const unsigned char> blob(int col) const;
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }
  [[nodiscard]] std::optional<int> opt_int32(int col) const {
    if (is_null(col)) return std::nullopt;
    return int32(col);
  }

  [[nodiscard]] sqlite3_stmt* handle() const { return stmt_; }

 private:
  Statement& remember(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_error_ = SQLITE_OK;
};

// A statement borrowed from the cache for one use: reset and unbound when it goes out of
// scope, so the next borrower starts clean. Movable, not copyable.
class StatementRef {
 public:
  explicit StatementRef(Statement* statement) : statement_(statement) {}
  StatementRef(const StatementRef&) = delete;
  StatementRef& operator=(const StatementRef&) = delete;
  StatementRef(StatementRef&& other) noexcept : statement_(other.statement_) {
    other.statement_ = nullptr;
  }
  StatementRef& operator=(StatementRef&&) = delete;
  ~StatementRef() {
    if (statement_ != nullptr) statement_->reset();
  }
  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

struct ConnectionOptions {
  int busy_timeout_ms = 5000;
};

// An owned sqlite3 connection, configured the way every Tandem connection is: foreign
// keys on, synchronous=FULL, a busy timeout. Prepared statements are cached by SQL text
// for the connection's lifetime.
class Connection {
 public:
  static core::Result<std::unique_ptr<Connection>> open(const std::string& path,
                                                        const ConnectionOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Statements without parameters (DDL, BEGIN/COMMIT, PRAGMA, migration scripts).
  core::Status exec(const char* sql);
  // A cached prepared statement for `sql` (which must be a single statement built from
  // constant fragments; values are always bound, never spliced in).
  core::Result<StatementRef> prepare(const std::string& sql);
  // A one-row, one-column query result as text (PRAGMAs), or nullopt when no row.
  core::Result<std::optional<std::string>> query_text(const char* sql);

  [[nodiscard]] sqlite3* handle() const { return db_; }
  [[nodiscard]] bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  [[nodiscard]] std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  [[nodiscard]] int changes() const { return sqlite3_changes(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN on construction via begin(); ROLLBACK on destruction unless committed. Tolerates
// SQLite having rolled the transaction back itself (after some I/O or busy errors).
class TransactionGuard {
 public:
  explicit TransactionGuard(Connection& connection) : connection_(&connection) {}
  TransactionGuard(const TransactionGuard&) = delete;
  TransactionGuard& operator=(const TransactionGuard&) = delete;
  ~TransactionGuard() { rollback(); }

  // immediate: take the write lock now (BEGIN IMMEDIATE), waiting up to the busy timeout.
  core::Status begin(bool immediate);
  core::Status commit();
  void rollback();
  [[nodiscard]] bool active() const { return active_; }

 private:
  Connection* connection_;
  bool active_ = false;
};

}  // namespace tandem::store::sqlite
