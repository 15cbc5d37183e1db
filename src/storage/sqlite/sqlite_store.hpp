// The embedded default store: core::Store on one SQLite file (URL "sqlite:PATH"), in WAL
// mode with synchronous=FULL, foreign keys on and a busy timeout. Free-text fields are
// sealed with the FieldCipher before they reach SQL (docs/storage.md lists them), so the
// file alone reveals none of them. Thread-safe: each reading transaction takes its own
// connection from a small pool; write transactions are serialised (one writer at a time, as
// SQLite requires) and committed in groups (one fsync for several; see WriteGroup in
// sqlite_internal.hpp), so a thread must not begin a second transaction while it holds one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::store {

struct SqliteOpenOptions {
  // Apply pending migrations at open. Off: open a database that is behind as is (ping()
  // then reports FailedPrecondition until `tandem migrate` runs).
  bool migrate = true;
  // How long a transaction waits for another writer (in this or another process).
  int busy_timeout_ms = 5000;
  // Connections kept open for concurrent use (one per live transaction).
  int pool_size = 4;
};

// What a connection of the store actually runs with (for tests and `tandem doctor`).
struct SqliteSettings {
  std::string journal_mode;  // "wal"
  bool foreign_keys = false;
  int synchronous = 0;  // 2 = FULL
  int busy_timeout_ms = 0;
};

// Group commit's figures since the store opened: `commits` COMMITs of the write group (one
// fsync each) carried `transactions` write transactions (and reading ones' audit entries).
struct SqliteCommitStats {
  std::int64_t commits = 0;
  std::int64_t transactions = 0;
};

class SqliteStore final : public core::Store {
 public:
  using OpenOptions = SqliteOpenOptions;

  // Opens (creating with mode 0600 when absent) the database file at `path`. A database
  // written by a newer Tandem is refused with FailedPrecondition. `cipher` is required.
  static core::Result<std::unique_ptr<SqliteStore>> open(
      const std::string& path, std::shared_ptr<const core::FieldCipher> cipher,
      const OpenOptions& options = {});

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Applies pending migrations (what `tandem migrate` runs); returns the migration file
  // names applied, in order (empty when already current).
  core::Result<std::vector<std::string>> migrate();

  // A write transaction (BEGIN IMMEDIATE): it waits up to the busy timeout for other
  // writers, then fails with Unavailable.
  core::Result<std::unique_ptr<core::Transaction>> begin() override;
  // A reading transaction: a deferred BEGIN on a pooled connection, without the writer
  // slot, so readers run beside each other and beside the writer (WAL), each on the
  // snapshot of its first read. Statements that write are refused (FailedPrecondition),
  // except append_audit(), whose entries commit() writes in a short write transaction of
  // their own (append_audit returns 0 here).
  core::Result<std::unique_ptr<core::Transaction>> begin_read() override;
  core::Result<int> schema_version() override;
  int latest_schema_version() const override;
  core::Status ping() override;
  core::Result<std::int64_t> reseal_all() override;
  // in_use: connections lent to transactions (and to schema checks); waits: leases that
  // had to wait for one.
  std::optional<core::PoolStats> pool_stats() const override;

  [[nodiscard]] SqliteCommitStats commit_stats() const;
  core::Result<SqliteSettings> settings();
  // PRAGMA integrity_check and foreign_key_check: Internal naming the first problem.
  core::Status check_integrity();
  [[nodiscard]] const std::string& path() const;

  struct Shared;  // the pool, the writer slot and the cipher, shared with transactions

 private:
  explicit SqliteStore(std::shared_ptr<Shared> shared);

  std::shared_ptr<Shared> shared_;
};

}  // namespace tandem::store
