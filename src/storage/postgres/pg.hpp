// Thin RAII over libpq: an owned connection, an owned result, text parameters for
// PQexecParams/PQexecPrepared, and the one mapping from PostgreSQL errors (SQLSTATE)
// to core::Status. Internal to src/storage/postgres. A Connection is used by one
// thread at a time (libpq's rule); the free functions are thread-safe.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

namespace tandem::store::pg {

struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;

// An owned query result with typed, text-format accessors. Row and column indexes are
// the caller's to keep in range (they come from the SQL next to the call).
class Result {
 public:
  Result() = default;
  explicit Result(PGresult* result) : result_(result) {}

  [[nodiscard]] PGresult* get() const { return result_.get(); }
  [[nodiscard]] int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
  [[nodiscard]] bool is_null(int row, int col) const {
    return PQgetisnull(result_.get(), row, col) != 0;
  }
  [[nodiscard]] std::string_view text(int row, int col) const {
    return {PQgetvalue(result_.get(), row, col),
            static_cast<std::size_t>(PQgetlength(result_.get(), row, col))};
  }
  [[nodiscard]] std::string str(int row, int col) const { return std::string(text(row, col)); }
  [[nodiscard]] std::int64_t int64(int row, int col) const;
  [[nodiscard]] int int32(int row, int col) const { return static_cast<int>(int64(row, col)); }
  [[nodiscard]] double float8(int row, int col) const;
  [[nodiscard]] bool boolean(int row, int col) const { return text(row, col) == "t"; }
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return int64(row, col);
  }
  [[nodiscard]] std::optional<int> opt_int32(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return int32(row, col);
  }
  // Rows changed by an INSERT/UPDATE/DELETE.
  [[nodiscard]] std::int64_t affected() const;

 private:
  std::unique_ptr<PGresult, ResultDeleter> result_;
};

// Text-format parameters ($1, $2, ...). Numbers are written so that they read back
// exactly: integers in decimal, doubles in their shortest round-trip form (NaN and
// the infinities in PostgreSQL's spelling). nullopt is SQL NULL.
class Params {
 public:
  Params& add(std::string_view text);
  Params& add(const std::string& text) { return add(std::string_view(text)); }
  Params& add(const char* text) { return add(std::string_view(text)); }
  Params& add(std::int64_t value);
  Params& add(int value) { return add(static_cast<std::int64_t>(value)); }
  Params& add(double value);
  Params& add(bool value);
  Params& null();
  template <class T>
  Params& add(const std::optional<T>& value) {
    return value ? add(*value) : null();
  }

  [[nodiscard]] int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object: valid until the next add().
  [[nodiscard]] std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// A float8[] literal ("{1,NaN,3}") and its parser, for per-item responses.
std::string float8_array(const std::vector<double>& values);
core::Result<std::vector<double>> parse_float8_array(std::string_view text);
// A text[] literal with every element quoted, and its parser.
std::string text_array(const std::vector<std::string>& values);
core::Result<std::vector<std::string>> parse_text_array(std::string_view text);

// The shortest decimal that reads back as exactly this double ("NaN", "Infinity").
std::string format_double(double value);

// True when the connection is gone (closed socket, terminated backend, or a
// connection-class SQLSTATE): the pool discards such a connection.
bool is_connection_lost(PGconn* conn, const PGresult* result);

// The Status for a failed command (the result may be null when libpq could not send).
// SQLSTATE 23505 -> AlreadyExists naming the field, 23503 -> NotFound naming the missing
// record, 23001 (append-only triggers) -> FailedPrecondition, 23502/23514/22xxx
// -> InvalidArgument, 40001/40P01 -> Unavailable (retry), connection loss ->
// Unavailable, anything else -> Internal. `what` says what was being done.
core::Status error_status(PGconn* conn, const PGresult* result, std::string_view what);

// Runs a command and returns its result, or the mapped error. Text parameters,
// text results. A null `name` runs `sql` with PQexecParams; a name runs the prepared
// statement of that name (prepare() it first on this connection).
core::Result<Result> exec(PGconn* conn, std::string_view sql, const Params& params,
                          std::string_view what);
core::Result<Result> exec_prepared(PGconn* conn, const std::string& name, const Params& params,
                                   std::string_view what);
core::Status prepare(PGconn* conn, const std::string& name, std::string_view sql);
// A parameterless command (BEGIN, COMMIT, SAVEPOINT ...), via the simple protocol.
core::Result<Result> exec_simple(PGconn* conn, const char* sql, std::string_view what);

// A prepared statement run inside a transaction between SAVEPOINT and RELEASE, sent
// together in one round trip (libpq pipeline mode). When the statement fails, the
// savepoint is rolled back (a second round trip) so the transaction stays usable.
struct GuardedOutcome {
  core::Result<Result> statement;  // the statement's result or its mapped error
  core::Status transaction;        // not ok when the transaction could not be kept
};
GuardedOutcome exec_prepared_guarded(PGconn* conn, const std::string& name, const Params& params,
                                     std::string_view what);

// Opens a connection: `url` is a postgresql:// URL or a key=value conninfo string.
core::Result<ConnPtr> connect(const std::string& url, std::chrono::seconds connect_timeout,
                              const char* application_name);

// The URL with any password replaced by "***", for messages and logs.
std::string redact_url(std::string_view url);

}  // namespace tandem::store::pg
