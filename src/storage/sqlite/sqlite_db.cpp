#include "storage/sqlite/sqlite_db.hpp"

#include <fmt/format.h>

#include <cmath>
#include <utility>

namespace tandem::store::sqlite {
namespace {

// "UNIQUE constraint failed: sessions.org_id, sessions.episode_id, sessions.number" names
// the columns of the violated key; the last one is the field a person can change.
std::string unique_field(std::string_view message) {
  const auto colon = message.rfind(": ");
  std::string_view columns = colon == std::string_view::npos ? message : message.substr(colon + 2);
  const auto comma = columns.rfind(", ");
  if (comma != std::string_view::npos) columns = columns.substr(comma + 2);
  const auto dot = columns.rfind('.');
  if (dot != std::string_view::npos) columns = columns.substr(dot + 1);
  return std::string(columns);
}

}  // namespace

core::Status status_from(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  const std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::Status::unavailable(
          fmt::format("{}: the database is busy with another write; try again", what));
    case SQLITE_NOTADB:
      return core::Status::failed_precondition(
          fmt::format("{}: the file is not a Tandem (SQLite) database", what));
    case SQLITE_READONLY:
      return core::Status::failed_precondition(
          fmt::format("{}: the database is read-only ({})", what, message));
    case SQLITE_FULL:
      return core::Status::unavailable(fmt::format("{}: the disk is full", what));
    case SQLITE_CONSTRAINT:
      break;
    default:
      return core::Status::internal(fmt::format("{}: sqlite: {}", what, message));
  }
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: {
      std::string field = unique_field(message);
      return core::Status::already_exists(fmt::format("{}: already taken", field),
                                          std::move(field));
    }
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return core::Status::not_found(fmt::format("{}: a record it refers to was not found", what));
    case SQLITE_CONSTRAINT_TRIGGER:  // RAISE(ABORT, ...) from the append-only triggers
      return core::Status::failed_precondition(fmt::format("{}: {}", what, message));
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
      return core::Status::invalid_argument(fmt::format("{}: {}", what, message));
    default:
      return core::Status::internal(fmt::format("{}: sqlite: {}", what, message));
  }
}

// ---------------------------------------------------------------------------------------
// Statement

Statement& Statement::remember(int rc) {
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  return remember(sqlite3_bind_int64(stmt_, index, value));
}

Statement& Statement::bind(int index, double value) {
  if (std::isnan(value)) return bind_null(index);
  return remember(sqlite3_bind_double(stmt_, index, value));
}

Statement& Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so temporaries are safe to bind.
  return remember(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

Statement& Statement::bind_blob(int index, std::span<const unsigned char> bytes) {
  // A zero-length blob must still be a blob, not NULL: give SQLite a valid pointer.
  static constexpr unsigned char kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  return remember(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT));
}

Statement& Statement::bind_null(int index) { return remember(sqlite3_bind_null(stmt_, index)); }

core::Result<bool> Statement::step() {
  if (bind_error_ != SQLITE_OK) {
    return core::fail(core::Status::internal(
        fmt::format("binding a statement parameter: {}", sqlite3_errstr(bind_error_))));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return core::fail(status_from(db_, rc, "query"));
}

core::Status Statement::run() {
  while (true) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) return core::Status::ok();
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

std::string_view Statement::text(int col) const {
  const auto* data = sqlite3_column_text(stmt_, col);
  if (data == nullptr) return {};
  const int size = sqlite3_column_bytes(stmt_, col);
  return {reinterpret_cast<const char*>(data), static_cast<std::size_t>(size)};
}

std::span<const unsigned char> Statement::blob(int col) const {
  const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, col));
  const int size = sqlite3_column_bytes(stmt_, col);
  if (data == nullptr || size <= 0) return {};
  return {data, static_cast<std::size_t>(size)};
}

// ---------------------------------------------------------------------------------------
// Connection

core::Result<std::unique_ptr<Connection>> Connection::open(const std::string& path,
                                                           const ConnectionOptions& options) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    core::Status status = db != nullptr
                              ? status_from(db, rc, "opening the database")
                              : core::Status::internal("opening the database: out of memory");
    sqlite3_close_v2(db);
    if (status.code() == core::StatusCode::kInternal) {
      // SQLITE_CANTOPEN and friends: the path is the user's, say so plainly.
      return core::fail(core::Status::failed_precondition(
          fmt::format("cannot open the database at {}: {}", path, sqlite3_errstr(rc))));
    }
    return core::fail(std::move(status));
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // Per-connection settings (journal_mode=WAL is a property of the file, set once by
  // the store at open). trusted_schema=OFF: the schema cannot call application functions.
  if (auto status = connection->exec(
          "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA trusted_schema = OFF;");
      !status.is_ok()) {
    return core::fail(std::move(status));
  }
  return connection;
}

Connection::~Connection() {
  cache_.clear();  // finalize every statement before closing
  sqlite3_close_v2(db_);
}

core::Status Connection::exec(const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  sqlite3_free(error);
  if (rc != SQLITE_OK) return status_from(db_, rc, "statement");
  return core::Status::ok();
}

core::Result<StatementRef> Connection::prepare(const std::string& sql) {
  auto found = cache_.find(sql);
  if (found != cache_.end()) return StatementRef(found->second.get());
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()) + 1,
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return core::fail(status_from(db_, rc, "preparing a statement"));
  if (stmt == nullptr) return core::fail(core::Status::internal("preparing an empty statement"));
  auto statement = std::make_unique<Statement>(db_, stmt);
  Statement* raw = statement.get();
  cache_.emplace(sql, std::move(statement));
  return StatementRef(raw);
}

core::Result<std::optional<std::string>> Connection::query_text(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return core::fail(status_from(db_, rc, "preparing a query"));
  Statement statement(db_, stmt);  // finalizes on scope exit
  auto row = statement.step();
  if (!row) return core::fail(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(statement.str(0));
}

// ---------------------------------------------------------------------------------------
// TransactionGuard

core::Status TransactionGuard::begin(bool immediate) {
  auto status = connection_->exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
  if (status.is_ok()) active_ = true;
  return status;
}

core::Status TransactionGuard::commit() {
  if (!active_) return core::Status::failed_precondition("the transaction has already ended");
  if (!connection_->in_transaction()) {
    // SQLite rolls a transaction back by itself after some errors (I/O, disk full).
    active_ = false;
    return core::Status::unavailable(
        "the transaction was rolled back after an earlier error; nothing was saved");
  }
  auto status = connection_->exec("COMMIT");
  if (!status.is_ok()) {
    rollback();
    return status;
  }
  active_ = false;
  return core::Status::ok();
}

void TransactionGuard::rollback() {
  if (!active_) return;
  active_ = false;
  if (connection_->in_transaction()) (void)connection_->exec("ROLLBACK");
}

}  // namespace tandem::store::sqlite
