#include "storage/postgres/pg.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace tandem::store::pg {
namespace {

using core::Status;

std::string_view field_of(const PGresult* result, int code) {
  if (result == nullptr) return {};
  const char* value = PQresultErrorField(result, code);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

// Constraints are named "<kind>_<table>__<subject>" in the migrations (uq_users__email,
// fk_sessions__episode), so a violation can name the field or the missing record.
std::string subject_of_constraint(std::string_view constraint) {
  const auto at = constraint.rfind("__");
  if (at == std::string_view::npos) return std::string(constraint);
  return std::string(constraint.substr(at + 2));
}

// The record a foreign key points at, in the words the SQLite adapter uses.
std::string parent_of_constraint(std::string_view subject) {
  if (subject == "session") return "session (of this episode)";
  if (subject == "recorded_by") return "recording user";
  if (subject == "changed_by") return "changing user";
  if (subject == "definition") return "definition version";
  return std::string(subject);
}

std::string first_line(std::string_view message) {
  const auto end = message.find('\n');
  return std::string(message.substr(0, end));
}

}  // namespace

std::int64_t Result::int64(int row, int col) const {
  const std::string_view t = text(row, col);
  std::int64_t value = 0;
  std::from_chars(t.data(), t.data() + t.size(), value);
  return value;
}

double Result::float8(int row, int col) const {
  const std::string_view t = text(row, col);
  // PostgreSQL prints the shortest exact form (extra_float_digits >= 1, the default
  // since version 12) and spells the special values NaN, Infinity, -Infinity; from_chars
  // reads all of them exactly.
  double value = std::nan("");
  std::from_chars(t.data(), t.data() + t.size(), value);
  return value;
}

std::int64_t Result::affected() const {
  const char* tuples = PQcmdTuples(result_.get());
  std::int64_t value = 0;
  std::from_chars(tuples, tuples + std::strlen(tuples), value);
  return value;
}

Params& Params::add(std::string_view text) {
  values_.emplace_back(std::string(text));
  return *this;
}

Params& Params::add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

Params& Params::add(double value) {
  values_.emplace_back(format_double(value));
  return *this;
}

Params& Params::add(bool value) {
  values_.emplace_back(value ? "true" : "false");
  return *this;
}

Params& Params::null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& value : values_) out.push_back(value ? value->c_str() : nullptr);
  return out;
}

std::string format_double(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", value);  // shortest round-trip representation
}

std::string float8_array(const std::vector<double>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += format_double(values[i]);
  }
  out += '}';
  return out;
}

core::Result<std::vector<double>> parse_float8_array(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return core::fail(Status::internal("not a float8[] value"));
  }
  std::vector<double> out;
  std::string_view rest = text.substr(1, text.size() - 2);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    double value = 0.0;
    const auto parsed = std::from_chars(item.data(), item.data() + item.size(), value);
    if (parsed.ec != std::errc() || parsed.ptr != item.data() + item.size()) {
      return core::fail(Status::internal("not a float8[] element: " + std::string(item)));
    }
    out.push_back(value);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

core::Result<std::vector<std::string>> parse_text_array(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return core::fail(Status::internal("not a text[] value"));
  }
  std::vector<std::string> out;
  std::size_t i = 1;
  const std::size_t end = text.size() - 1;
  while (i < end) {
    std::string item;
    if (text[i] == '"') {
      ++i;
      while (i < end && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < end) ++i;
        item += text[i++];
      }
      ++i;  // closing quote
    } else {
      while (i < end && text[i] != ',') item += text[i++];
    }
    out.push_back(std::move(item));
    if (i < end && text[i] == ',') ++i;
  }
  return out;
}

bool is_connection_lost(PGconn* conn, const PGresult* result) {
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) return true;
  const std::string_view state = field_of(result, PG_DIAG_SQLSTATE);
  // Class 08: connection exception; 57P01..57P03: the server shut down or terminated
  // this backend (pg_terminate_backend).
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03";
}

Status error_status(PGconn* conn, const PGresult* result, std::string_view what) {
  if (is_connection_lost(conn, result)) {
    return Status::unavailable(fmt::format("{}: the connection to PostgreSQL was lost ({})", what,
                                           first_line(PQerrorMessage(conn))));
  }
  const std::string_view state = field_of(result, PG_DIAG_SQLSTATE);
  const std::string message = first_line(
      result != nullptr ? PQresultErrorMessage(result) : std::string_view(PQerrorMessage(conn)));
  const std::string subject = subject_of_constraint(field_of(result, PG_DIAG_CONSTRAINT_NAME));
  if (state == "23505") {
    return Status::already_exists(fmt::format("{}: already taken", subject), subject);
  }
  if (state == "23503") {
    // Keys include org_id: a row of another organisation is missing just the same.
    return Status::not_found(fmt::format("{} not found", parent_of_constraint(subject)));
  }
  if (state == "23001") {  // restrict_violation: raised by the append-only triggers
    return Status::failed_precondition(fmt::format("{}: {}", what, message));
  }
  if (state == "23502" || state == "23514" || state.starts_with("22")) {
    return Status::invalid_argument(fmt::format("{}: {}", what, message), subject);
  }
  if (state == "40001" || state == "40P01") {
    return Status::unavailable(
        fmt::format("{}: a concurrent transaction conflicted; retry ({})", what, message));
  }
  if (state == "55P03" || state == "57014") {  // lock_not_available, query_canceled
    return Status::unavailable(fmt::format("{}: {}", what, message));
  }
  return Status::internal(fmt::format("{}: PostgreSQL error {}: {}", what, state, message));
}

namespace {

core::Result<Result> check(PGconn* conn, PGresult* raw, std::string_view what) {
  Result result(raw);
  const ExecStatusType status = raw == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  return core::fail(error_status(conn, raw, what));
}

}  // namespace

core::Result<Result> exec(PGconn* conn, std::string_view sql, const Params& params,
                          std::string_view what) {
  const std::string text(sql);
  const std::vector<const char*> values = params.pointers();
  return check(
      conn,
      PQexecParams(conn, text.c_str(), params.size(), nullptr, values.data(), nullptr, nullptr, 0),
      what);
}

core::Result<Result> exec_prepared(PGconn* conn, const std::string& name, const Params& params,
                                   std::string_view what) {
  const std::vector<const char*> values = params.pointers();
  return check(
      conn, PQexecPrepared(conn, name.c_str(), params.size(), values.data(), nullptr, nullptr, 0),
      what);
}

Status prepare(PGconn* conn, const std::string& name, std::string_view sql) {
  const std::string text(sql);
  auto result =
      check(conn, PQprepare(conn, name.c_str(), text.c_str(), 0, nullptr), "preparing " + name);
  return result ? Status::ok() : result.error();
}

core::Result<Result> exec_simple(PGconn* conn, const char* sql, std::string_view what) {
  return check(conn, PQexec(conn, sql), what);
}

namespace {

constexpr const char* kSavepoint = "SAVEPOINT tandem_write";
constexpr const char* kRelease = "RELEASE SAVEPOINT tandem_write";
constexpr const char* kRollbackTo =
    "ROLLBACK TO SAVEPOINT tandem_write; RELEASE SAVEPOINT tandem_write";

// The next result of a query in the pipeline, and the NULL that ends it.
Result next_pipeline_result(PGconn* conn) {
  Result result(PQgetResult(conn));
  if (result.get() != nullptr) {
    while (PGresult* extra = PQgetResult(conn)) PQclear(extra);
  }
  return result;
}

bool command_ok(const Result& result) {
  if (result.get() == nullptr) return false;
  const ExecStatusType status = PQresultStatus(result.get());
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

GuardedOutcome exec_prepared_guarded(PGconn* conn, const std::string& name, const Params& params,
                                     std::string_view what) {
  const std::vector<const char*> values = params.pointers();
  const auto lost = [&] {
    const Status status = error_status(conn, nullptr, what);
    return GuardedOutcome{core::fail(status), status};
  };
  if (PQenterPipelineMode(conn) != 1) return lost();
  const bool sent =
      PQsendQueryParams(conn, kSavepoint, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
      PQsendQueryPrepared(conn, name.c_str(), params.size(), values.data(), nullptr, nullptr, 0) ==
          1 &&
      PQsendQueryParams(conn, kRelease, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
      PQpipelineSync(conn) == 1;
  if (!sent) {
    PQexitPipelineMode(conn);
    return lost();
  }
  Result savepoint = next_pipeline_result(conn);
  Result statement = next_pipeline_result(conn);
  Result release = next_pipeline_result(conn);
  Result sync(PQgetResult(conn));  // PGRES_PIPELINE_SYNC
  const bool synced = sync.get() != nullptr && PQresultStatus(sync.get()) == PGRES_PIPELINE_SYNC;
  if (!synced || PQexitPipelineMode(conn) != 1) return lost();

  if (!command_ok(savepoint)) {
    const Status status = error_status(conn, savepoint.get(), what);
    return {core::fail(status), status};
  }
  if (!command_ok(statement)) {
    const Status status = error_status(conn, statement.get(), what);
    // The statement failed, so RELEASE was skipped: undo just this statement.
    Status kept;
    if (auto undone = exec_simple(conn, kRollbackTo, what); !undone) kept = undone.error();
    return {core::fail(status), kept};
  }
  if (!command_ok(release)) {
    const Status status = error_status(conn, release.get(), what);
    return {core::fail(status), status};
  }
  return {std::move(statement), Status::ok()};
}

core::Result<ConnPtr> connect(const std::string& url, std::chrono::seconds connect_timeout,
                              const char* application_name) {
  const std::string timeout = std::to_string(std::max<std::int64_t>(1, connect_timeout.count()));
  // expand_dbname=1: the URL in "dbname" is expanded and the keywords after it win.
  const std::array<const char*, 5> keywords = {"dbname", "connect_timeout", "application_name",
                                               "client_encoding", nullptr};
  const std::array<const char*, 5> values = {url.c_str(), timeout.c_str(), application_name, "UTF8",
                                             nullptr};
  ConnPtr conn(PQconnectdbParams(keywords.data(), values.data(), 1));
  if (!conn) return core::fail(Status::unavailable("PostgreSQL: out of memory while connecting"));
  // libpq prints server notices (and the FATAL of a terminated idle connection) on
  // stderr by default; they may quote data, and nothing here needs them.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return core::fail(
        Status::unavailable(fmt::format("cannot connect to PostgreSQL at {}: {}", redact_url(url),
                                        first_line(PQerrorMessage(conn.get())))));
  }
  return conn;
}

std::string redact_url(std::string_view url) {
  // postgresql://user:password@host/... -> postgresql://user:***@host/...
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return "(conninfo)";
  const auto at = url.find('@', scheme + 3);
  if (at == std::string_view::npos) return std::string(url);
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace tandem::store::pg
