#include "storage/postgres/migrator.hpp"

#include <charconv>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "storage/postgres/pg.hpp"

namespace tandem::generated::postgres {
const std::vector<std::pair<std::string_view, std::string_view>>& migrations();
}  // namespace tandem::generated::postgres

namespace tandem::store::pg {
namespace {

using core::Status;

// Every migrating process takes this transaction-level advisory lock first; the
// value is "tandem" in ASCII (an arbitrary constant shared by all Tandem versions).
constexpr std::int64_t kMigrationLock = 0x74616e64656d;

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

int version_of(std::string_view file_name) {
  int version = 0;
  const auto parsed =
      std::from_chars(file_name.data(), file_name.data() + file_name.size(), version);
  if (parsed.ec != std::errc() || parsed.ptr == file_name.data() || *parsed.ptr != '_') return 0;
  return version;
}

// Undoes the migration transaction when it did not commit.
class RollbackGuard {
 public:
  explicit RollbackGuard(PGconn* conn) : conn_(conn) {}
  RollbackGuard(const RollbackGuard&) = delete;
  RollbackGuard& operator=(const RollbackGuard&) = delete;
  ~RollbackGuard() {
    if (conn_ != nullptr && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
  }
  void release() { conn_ = nullptr; }

 private:
  PGconn* conn_;
};

}  // namespace

core::Result<std::vector<Migration>> embedded_migrations() {
  std::vector<Migration> out;
  for (const auto& [name, sql] : generated::postgres::migrations()) {
    const int version = version_of(name);
    if (version != static_cast<int>(out.size()) + 1) {
      return core::fail(Status::internal(
          fmt::format("migration {} is out of sequence: expected a file named {:03}_*.sql", name,
                      out.size() + 1)));
    }
    out.push_back({version, name, sql});
  }
  return out;
}

int latest_version() { return static_cast<int>(generated::postgres::migrations().size()); }

core::Result<int> applied_version(PGconn* conn) {
  auto exists = exec(conn, "SELECT to_regclass('schema_version') IS NOT NULL", Params(),
                     "reading the schema version");
  if (!exists) return core::fail(exists.error());
  if (!exists->boolean(0, 0)) return 0;
  auto version = exec(conn, "SELECT coalesce(max(version), 0) FROM schema_version", Params(),
                      "reading the schema version");
  if (!version) return core::fail(version.error());
  return version->int32(0, 0);
}

Status refuse_newer(int applied, int latest) {
  if (applied <= latest) return Status::ok();
  return Status::failed_precondition(fmt::format(
      "the PostgreSQL database is at schema version {}, newer than this tandem binary knows "
      "(version {}); upgrade tandem (or point it at another database) — nothing was changed",
      applied, latest));
}

core::Result<std::vector<std::string>> migrate(PGconn* conn) {
  auto migrations = embedded_migrations();
  if (!migrations) return core::fail(migrations.error());
  const int latest = static_cast<int>(migrations->size());

  // The cheap path first: already current (every start-up after the first).
  auto current = applied_version(conn);
  if (!current) return core::fail(current.error());
  if (const Status newer = refuse_newer(*current, latest); !newer.is_ok()) {
    return core::fail(newer);
  }
  std::vector<std::string> applied_names;
  if (*current == latest) return applied_names;

  RollbackGuard guard(conn);
  constexpr std::string_view kWhat = "migrating the PostgreSQL schema";
  if (auto begun = exec_simple(conn, "BEGIN", kWhat); !begun) return core::fail(begun.error());
  // Serialises concurrent migrators; released at COMMIT or ROLLBACK.
  if (auto locked =
          exec(conn, "SELECT pg_advisory_xact_lock($1)", Params().add(kMigrationLock), kWhat);
      !locked) {
    return core::fail(locked.error());
  }
  if (auto created = exec_simple(conn, kCreateVersionTable, kWhat); !created) {
    return core::fail(created.error());
  }
  // Another process may have migrated while we waited for the lock.
  current = applied_version(conn);
  if (!current) return core::fail(current.error());
  if (const Status newer = refuse_newer(*current, latest); !newer.is_ok()) {
    return core::fail(newer);
  }
  for (const Migration& migration : *migrations) {
    if (migration.version <= *current) continue;
    // The migration files are constant SQL carried by the binary, run as one
    // multi-statement simple query.
    const std::string sql(migration.sql);
    if (auto applied = exec_simple(conn, sql.c_str(), fmt::format("applying {}", migration.name));
        !applied) {
      return core::fail(applied.error());
    }
    if (auto recorded = exec(conn,
                             "INSERT INTO schema_version (version, name, applied_at) VALUES "
                             "($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
                             Params().add(migration.version).add(migration.name), kWhat);
        !recorded) {
      return core::fail(recorded.error());
    }
    applied_names.emplace_back(migration.name);
  }
  auto committed = exec_simple(conn, "COMMIT", kWhat);
  if (!committed) return core::fail(committed.error());
  guard.release();
  return applied_names;
}

}  // namespace tandem::store::pg
