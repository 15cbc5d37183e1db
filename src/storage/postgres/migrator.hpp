// Schema migrations for PostgreSQL: the numbered .sql files of migrations/ (embedded in
// the binary at build time) applied in order, each recorded in schema_version, all in
// one transaction under an advisory lock, so that several `tandem serve` processes
// starting at once apply each migration exactly once. Internal to
// src/storage/postgres; the functions are thread-safe (each uses the connection given).
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

namespace tandem::store::pg {

struct Migration {
  int version = 0;        // from the file name: 001_initial.sql -> 1
  std::string_view name;  // the file name
  std::string_view sql;   // its text
};

// The embedded migrations, by version. Internal error when a file name has no number
// or the numbers are not 1, 2, 3, ... (a build mistake, caught by the tests).
core::Result<std::vector<Migration>> embedded_migrations();

// The newest version this binary knows.
int latest_version();

// The version the database is at: 0 when schema_version does not exist yet.
core::Result<int> applied_version(PGconn* conn);

// FailedPrecondition when the database is newer than this binary knows.
core::Status refuse_newer(int applied, int latest);

// Applies every pending migration on an idle connection (it opens and commits its own
// transaction) and returns the file names applied, in order (empty when current).
// Refuses a database newer than the binary with FailedPrecondition, changing nothing.
core::Result<std::vector<std::string>> migrate(PGconn* conn);

}  // namespace tandem::store::pg
