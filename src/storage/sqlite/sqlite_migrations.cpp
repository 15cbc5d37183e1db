#include "storage/sqlite/sqlite_migrations.hpp"

#include <fmt/format.h>

#include <charconv>

namespace tandem::generated::sqlite {
const std::vector<std::pair<std::string_view, std::string_view>>& migrations();
}  // namespace tandem::generated::sqlite

namespace tandem::store::sqlite {
namespace {

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL"
    ") STRICT";

struct Parsed {
  std::vector<Migration> list;
  bool valid = true;
};

Parsed parse_embedded() {
  Parsed parsed;
  for (const auto& [name, sql] : generated::sqlite::migrations()) {
    int version = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), version);
    if (ec != std::errc() || end == name.data() || *end != '_') {
      parsed.valid = false;
      continue;
    }
    parsed.list.push_back(Migration{version, name, sql});
  }
  for (std::size_t i = 0; i < parsed.list.size(); ++i) {
    if (parsed.list[i].version != static_cast<int>(i) + 1) parsed.valid = false;
  }
  return parsed;
}

const Parsed& parsed() {
  static const Parsed once = parse_embedded();
  return once;
}

}  // namespace

const std::vector<Migration>& migrations() { return parsed().list; }

int latest_version() { return parsed().list.empty() ? 0 : parsed().list.back().version; }

core::Result<int> applied_version(Connection& connection) {
  auto table = connection.query_text(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  if (!table) return core::fail(table.error());
  if (!table->has_value()) return 0;
  auto version = connection.query_text("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!version) return core::fail(version.error());
  return version->has_value() ? std::stoi(**version) : 0;
}

core::Status refuse_if_newer(int applied) {
  if (applied > latest_version()) {
    return core::Status::failed_precondition(fmt::format(
        "this database was written by a newer Tandem (schema {}, this binary knows {}): "
        "upgrade Tandem",
        applied, latest_version()));
  }
  return core::Status::ok();
}

core::Result<std::vector<std::string>> apply_pending(Connection& connection) {
  if (!parsed().valid) {
    return core::fail(core::Status::internal(
        "this build's SQLite migrations are malformed (expected 001_*.sql, 002_*.sql, ...)"));
  }
  TransactionGuard transaction(connection);
  if (auto status = transaction.begin(/*immediate=*/true); !status.is_ok()) {
    return core::fail(std::move(status));
  }
  if (auto status = connection.exec(kCreateVersionTable); !status.is_ok()) {
    return core::fail(std::move(status));
  }
  auto applied = applied_version(connection);
  if (!applied) return core::fail(applied.error());
  if (auto status = refuse_if_newer(*applied); !status.is_ok())
    return core::fail(std::move(status));

  std::vector<std::string> names;
  for (const Migration& migration : migrations()) {
    if (migration.version <= *applied) continue;
    const std::string sql(migration.sql);
    if (auto status = connection.exec(sql.c_str()); !status.is_ok()) {
      return core::fail(core::Status::internal(
          fmt::format("migration {} failed: {}", migration.name, status.message())));
    }
    auto record = connection.prepare(
        "INSERT INTO schema_version (version, name, applied_at)"
        " VALUES (?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))");
    if (!record) return core::fail(record.error());
    (*record)->bind(1, migration.version).bind(2, migration.name);
    if (auto status = (*record)->run(); !status.is_ok()) return core::fail(std::move(status));
    names.emplace_back(migration.name);
  }
  if (auto status = transaction.commit(); !status.is_ok()) return core::fail(std::move(status));
  return names;
}

}  // namespace tandem::store::sqlite
