#include "storage/postgres/postgres_store.hpp"

#include <utility>

#include <fmt/format.h>

#include "storage/postgres/migrator.hpp"
#include "storage/postgres/pg.hpp"
#include "storage/postgres/pool.hpp"
#include "storage/postgres/postgres_transaction.hpp"

namespace tandem::store {
namespace {

using core::fail;
using core::Status;

// Session settings of every connection: doubles print in their shortest exact form
// whatever the server's default, and times are never interpreted in a local zone.
Status configure(PGconn* conn) {
  auto set = pg::exec_simple(conn, "SET extra_float_digits = 3; SET TIME ZONE 'UTC'",
                             "configuring the connection");
  return set ? Status::ok() : set.error();
}

// BEGIN on a pooled connection. A connection that died while idle (server restart,
// pg_terminate_backend) is dropped and replaced, since nothing has happened on it yet.
core::Result<pg::Lease> begin_on(pg::ConnectionPool& pool) {
  const int attempts = pool.options().size + 1;
  Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    auto lease = pool.acquire();
    if (!lease) return fail(lease.error());
    auto begun = pg::exec_simple(lease->get(), "BEGIN", "starting a transaction");
    if (begun) return std::move(*lease);
    last = begun.error();
    if (!pg::is_connection_lost(lease->get(), nullptr)) return fail(last);
    lease->mark_broken();
  }
  return fail(last);
}

}  // namespace

PostgresStore::PostgresStore(std::shared_ptr<pg::ConnectionPool> pool,
                             std::shared_ptr<const core::FieldCipher> cipher)
    : pool_(std::move(pool)), cipher_(std::move(cipher)) {}

PostgresStore::~PostgresStore() = default;

core::Result<std::unique_ptr<PostgresStore>> PostgresStore::open(
    const std::string& url, std::shared_ptr<const core::FieldCipher> cipher,
    const PostgresOptions& options) {
  if (!cipher) return fail(Status::invalid_argument("a field cipher is required", "cipher"));
  if (auto migrations = pg::embedded_migrations(); !migrations) return fail(migrations.error());
  pg::PoolOptions pool_options;
  pool_options.url = url;
  pool_options.size = options.pool_size;
  pool_options.acquire_timeout = options.acquire_timeout;
  pool_options.connect_timeout = options.connect_timeout;
  pool_options.on_connect = configure;
  auto pool = pg::ConnectionPool::create(std::move(pool_options));

  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(pool), std::move(cipher)));
  if (options.migrate) {
    if (auto applied = store->migrate(); !applied) return fail(applied.error());
  } else {
    auto version = store->schema_version();
    if (!version) return fail(version.error());
    if (Status newer = pg::refuse_newer(*version, pg::latest_version()); !newer.is_ok()) {
      return fail(newer);
    }
  }
  return store;
}

core::Result<std::vector<std::string>> PostgresStore::migrate() {
  auto lease = pool_->acquire();
  if (!lease) return fail(lease.error());
  auto applied = pg::migrate(lease->get());
  if (!applied && pg::is_connection_lost(lease->get(), nullptr)) lease->mark_broken();
  return applied;
}

core::Result<std::unique_ptr<core::Transaction>> PostgresStore::begin() {
  auto lease = begin_on(*pool_);
  if (!lease) return fail(lease.error());
  return std::make_unique<pg::PostgresTransaction>(std::move(*lease), cipher_);
}

core::Result<int> PostgresStore::schema_version() {
  auto lease = pool_->acquire();
  if (!lease) return fail(lease.error());
  auto version = pg::applied_version(lease->get());
  if (!version && pg::is_connection_lost(lease->get(), nullptr)) lease->mark_broken();
  return version;
}

int PostgresStore::latest_schema_version() const { return pg::latest_version(); }

Status PostgresStore::ping() {
  auto lease = pool_->acquire();
  if (!lease) return lease.error();
  auto one = pg::exec(lease->get(), "SELECT 1", pg::Params(), "ping");
  if (!one) {
    if (pg::is_connection_lost(lease->get(), nullptr)) lease->mark_broken();
    return one.error();
  }
  auto version = pg::applied_version(lease->get());
  if (!version) return version.error();
  const int latest = pg::latest_version();
  if (Status newer = pg::refuse_newer(*version, latest); !newer.is_ok()) return newer;
  if (*version < latest) {
    return Status::failed_precondition(
        fmt::format("the PostgreSQL database is at schema version {}, this binary needs {}: run "
                    "`tandem migrate`",
                    *version, latest));
  }
  return Status::ok();
}

core::Result<std::int64_t> PostgresStore::reseal_all() {
  auto lease = begin_on(*pool_);
  if (!lease) return fail(lease.error());
  pg::PostgresTransaction transaction(std::move(*lease), cipher_);
  auto fields = transaction.reseal_everything();
  if (!fields) return fail(fields.error());
  if (Status committed = transaction.commit(); !committed.is_ok()) return fail(committed);
  return fields;
}

PostgresStore::ConnectionStats PostgresStore::connection_stats() const {
  const pg::ConnectionPool::Stats stats = pool_->stats();
  return {stats.open, stats.idle, stats.opened_total};
}

std::optional<core::PoolStats> PostgresStore::pool_stats() const {
  const pg::ConnectionPool::Stats stats = pool_->stats();
  return core::PoolStats{pool_->options().size, stats.open - stats.idle, stats.idle, stats.waits};
}

}  // namespace tandem::store
