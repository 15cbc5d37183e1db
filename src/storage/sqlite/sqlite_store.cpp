#include "storage/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "storage/sqlite/sqlite_internal.hpp"
#include "storage/sqlite/sqlite_migrations.hpp"

namespace tandem::store {
namespace {

// A new database file is created readable by its owner only: beside the sealed text it
// holds dates, scores and e-mail addresses. SQLite gives -wal and -shm the same mode.
core::Status create_private(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return core::Status::ok();
  }
  if (errno == EEXIST) return core::Status::ok();
  return core::Status::failed_precondition(
      fmt::format("cannot create the database at {}: {}", path, std::strerror(errno)));
}

template <class T>
core::Result<T> failed(core::Status status) {
  return core::fail(std::move(status));
}

}  // namespace

SqliteStore::SqliteStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

SqliteStore::~SqliteStore() = default;

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(
    const std::string& path, std::shared_ptr<const core::FieldCipher> cipher,
    const OpenOptions& options) {
  using Out = std::unique_ptr<SqliteStore>;
  if (!cipher) {
    return failed<Out>(core::Status::invalid_argument(
        "the SQLite store needs a field cipher to encrypt free text", "cipher"));
  }
  if (path.empty()) {
    return failed<Out>(core::Status::invalid_argument("the database path is empty", "path"));
  }
  if (options.pool_size < 1 || options.busy_timeout_ms < 0) {
    return failed<Out>(core::Status::invalid_argument(
        "pool_size must be at least 1 and busy_timeout_ms not negative", "options"));
  }
  if (auto status = create_private(path); !status.is_ok()) return failed<Out>(std::move(status));

  auto shared = std::make_shared<Shared>();
  shared->path = path;
  shared->connection_options.busy_timeout_ms = options.busy_timeout_ms;
  shared->pool_size = options.pool_size;
  shared->cipher = std::move(cipher);

  auto connection = sqlite::Connection::open(path, shared->connection_options);
  if (!connection) return failed<Out>(connection.error());
  // WAL: readers do not block the writer, and a commit is one append to the log plus one
  // fsync (synchronous=FULL), so an acknowledged write survives a crash. The mode is a
  // property of the file, so setting it once here covers every later connection.
  auto mode = (*connection)->query_text("PRAGMA journal_mode = WAL");
  if (!mode) return failed<Out>(mode.error());
  if (!mode->has_value() || **mode != "wal") {
    return failed<Out>(core::Status::failed_precondition(fmt::format(
        "could not put the database at {} in WAL mode (it needs a local file system)", path)));
  }
  auto applied = sqlite::applied_version(**connection);
  if (!applied) return failed<Out>(applied.error());
  if (auto status = sqlite::refuse_if_newer(*applied); !status.is_ok()) {
    return failed<Out>(std::move(status));
  }
  if (options.migrate) {
    auto names = sqlite::apply_pending(**connection);
    if (!names) return failed<Out>(names.error());
  }
  shared->open_connections = 1;
  shared->idle.push_back(std::move(*connection));
  return Out(new SqliteStore(std::move(shared)));
}

core::Result<std::vector<std::string>> SqliteStore::migrate() {
  using Out = std::vector<std::string>;
  auto slot = WriterSlot::acquire(*shared_);
  if (!slot) return failed<Out>(slot.error());
  close_group(*shared_);  // the database to itself
  auto lease = Lease::acquire(shared_);
  if (!lease) return failed<Out>(lease.error());
  return sqlite::apply_pending(*lease->get());
}

core::Result<std::unique_ptr<core::Transaction>> SqliteStore::begin() {
  return begin_transaction(shared_);
}

core::Result<std::unique_ptr<core::Transaction>> SqliteStore::begin_read() {
  return begin_transaction(shared_, /*read_only=*/true);
}

core::Result<int> SqliteStore::schema_version() {
  auto lease = Lease::acquire(shared_);
  if (!lease) return failed<int>(lease.error());
  return sqlite::applied_version(*lease->get());
}

int SqliteStore::latest_schema_version() const { return sqlite::latest_version(); }

core::Status SqliteStore::ping() {
  auto applied = schema_version();
  if (!applied) return applied.error();
  if (auto status = sqlite::refuse_if_newer(*applied); !status.is_ok()) return status;
  if (*applied < latest_schema_version()) {
    return core::Status::failed_precondition(
        fmt::format("the database schema is at version {} and this Tandem needs {}: run "
                    "`tandem migrate`",
                    *applied, latest_schema_version()));
  }
  return core::Status::ok();
}

core::Result<std::int64_t> SqliteStore::reseal_all() {
  using Out = std::int64_t;
  auto slot = WriterSlot::acquire(*shared_);
  if (!slot) return failed<Out>(slot.error());
  close_group(*shared_);  // the database to itself
  auto lease = Lease::acquire(shared_);
  if (!lease) return failed<Out>(lease.error());
  sqlite::TransactionGuard transaction(*lease->get());
  if (auto status = transaction.begin(/*immediate=*/true); !status.is_ok()) {
    return failed<Out>(std::move(status));
  }
  auto rewritten = reseal_fields(*lease->get(), *shared_->cipher);
  if (!rewritten) return rewritten;
  if (auto status = transaction.commit(); !status.is_ok()) return failed<Out>(std::move(status));
  return rewritten;
}

std::optional<core::PoolStats> SqliteStore::pool_stats() const {
  std::lock_guard lock(shared_->mutex);
  const int idle = static_cast<int>(shared_->idle.size());
  std::lock_guard writers(shared_->writer_mutex);
  return core::PoolStats{shared_->pool_size, shared_->open_connections - idle, idle,
                         shared_->lease_waits + shared_->writer_waits};
}

SqliteCommitStats SqliteStore::commit_stats() const {
  std::lock_guard lock(shared_->writer_mutex);
  return shared_->commit_stats;
}

core::Result<SqliteSettings> SqliteStore::settings() {
  auto lease = Lease::acquire(shared_);
  if (!lease) return failed<SqliteSettings>(lease.error());
  sqlite::Connection& connection = *lease->get();
  SqliteSettings settings;
  constexpr std::array<const char*, 4> kPragmas = {"PRAGMA journal_mode", "PRAGMA foreign_keys",
                                                   "PRAGMA synchronous", "PRAGMA busy_timeout"};
  std::array<std::string, 4> values;
  for (std::size_t i = 0; i < kPragmas.size(); ++i) {
    auto value = connection.query_text(kPragmas[i]);
    if (!value) return failed<SqliteSettings>(value.error());
    values[i] = value->value_or("");
  }
  settings.journal_mode = values[0];
  settings.foreign_keys = values[1] == "1";
  settings.synchronous = std::atoi(values[2].c_str());
  settings.busy_timeout_ms = std::atoi(values[3].c_str());
  return settings;
}

core::Status SqliteStore::check_integrity() {
  auto lease = Lease::acquire(shared_);
  if (!lease) return lease.error();
  auto integrity = lease->get()->query_text("PRAGMA integrity_check");
  if (!integrity) return integrity.error();
  if (integrity->value_or("") != "ok") {
    return core::Status::internal(
        fmt::format("integrity_check: {}", integrity->value_or("no answer")));
  }
  auto foreign = lease->get()->query_text("PRAGMA foreign_key_check");
  if (!foreign) return foreign.error();
  if (foreign->has_value()) {
    return core::Status::internal(
        fmt::format("foreign_key_check: a row of {} refers to a missing row", **foreign));
  }
  return core::Status::ok();
}

const std::string& SqliteStore::path() const { return shared_->path; }

}  // namespace tandem::store
