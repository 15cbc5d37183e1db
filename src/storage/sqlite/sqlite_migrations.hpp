// The SQLite schema migrations this binary carries (src/storage/sqlite/migrations/*.sql,
// embedded at build time) and the migrator that applies them in one transaction,
// recording each in the schema_version table. Internal to src/storage/sqlite; the
// functions are thread-safe (the connection they take is the caller's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace tandem::store::sqlite {

struct Migration {
  int version = 0;        // from the file name's leading digits: 001_initial.sql -> 1
  std::string_view name;  // the file name
  std::string_view sql;
};

// Ascending by version. Versions start at 1 and have no gaps (checked at first use; a
// build with a malformed migration set fails every open with Internal).
const std::vector<Migration>& migrations();
int latest_version();

// The version recorded in the database; 0 for a new (empty) database.
core::Result<int> applied_version(Connection& connection);

// FailedPrecondition when the database was written by a newer Tandem.
core::Status refuse_if_newer(int applied);

// Applies every pending migration in one IMMEDIATE transaction (so two processes starting
// at once do not both migrate) and returns the file names applied, in order.
core::Result<std::vector<std::string>> apply_pending(Connection& connection);

}  // namespace tandem::store::sqlite
