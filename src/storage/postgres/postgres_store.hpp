// PostgresStore: the record of care in PostgreSQL (`postgresql://...`), for shared,
// scalable deployments where many stateless `tandem serve` processes use one database.
// libpq with a bounded connection pool; parameterised, prepared statements only; every
// row keyed by organisation first so the database can be sharded by organisation.
// Thread-safe: any number of threads may each hold their own Transaction (up to the
// pool size at once; more wait, then get Unavailable). See docs/storage.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::store {

namespace pg {
class ConnectionPool;
}  // namespace pg

struct PostgresOptions {
  // At most this many server connections; the pool opens them on demand.
  int pool_size = 8;
  // How long libpq may take to establish one connection.
  std::chrono::seconds connect_timeout{5};
  // How long begin() waits for a free connection before Unavailable.
  std::chrono::milliseconds acquire_timeout{5000};
  // Apply pending migrations when opening (as `tandem serve` does at start-up). When
  // false, open() still refuses a database newer than the binary, and ping() reports
  // pending migrations.
  bool migrate = true;
};

class PostgresStore final : public core::Store {
 public:
  // `url` is a postgresql:// URL (or a libpq key=value string). Unavailable when the
  // server cannot be reached; FailedPrecondition when its schema is newer than this
  // binary. The cipher seals every encrypted column (see docs/storage.md).
  static core::Result<std::unique_ptr<PostgresStore>> open(
      const std::string& url, std::shared_ptr<const core::FieldCipher> cipher,
      const PostgresOptions& options = {});

  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;
  ~PostgresStore() override;

  // Applies pending migrations (`tandem migrate`); returns the migration file names
  // applied, in order (empty when already current).
  core::Result<std::vector<std::string>> migrate();

  core::Result<std::unique_ptr<core::Transaction>> begin() override;
  core::Result<int> schema_version() override;
  int latest_schema_version() const override;
  core::Status ping() override;
  core::Result<std::int64_t> reseal_all() override;

  std::optional<core::PoolStats> pool_stats() const override;

  struct ConnectionStats {
    int open = 0;                   // connections that exist now
    int idle = 0;                   // of which idle in the pool
    std::int64_t opened_total = 0;  // connections opened since open()
  };
  [[nodiscard]] ConnectionStats connection_stats() const;

 private:
  PostgresStore(std::shared_ptr<pg::ConnectionPool> pool,
                std::shared_ptr<const core::FieldCipher> cipher);

  std::shared_ptr<pg::ConnectionPool> pool_;
  std::shared_ptr<const core::FieldCipher> cipher_;
};

}  // namespace tandem::store
