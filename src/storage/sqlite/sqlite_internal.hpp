// Internals of the SQLite store shared by sqlite_store.cpp and sqlite_transaction.cpp:
// the connection pool, the in-process writer slot and the Transaction implementation.
// The pool and the slot are thread-safe; a SqliteTransaction is used by one thread at a
// time (and may be destroyed by another).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ports.hpp"
#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace tandem::store {

class Lease;

struct SqliteStore::Shared {
  std::string path;
  sqlite::ConnectionOptions connection_options;
  int pool_size = 4;
  std::shared_ptr<const core::FieldCipher> cipher;

  // SQLite admits one writer per file. Writers of this process queue here (a fair hand-off
  // without polling); other processes are waited for by SQLite's busy timeout.
  std::binary_semaphore writer{1};

  std::mutex mutex;
  std::condition_variable returned;
  std::vector<std::unique_ptr<sqlite::Connection>> idle;
  int open_connections = 0;
  std::int64_t waits = 0;  // leases that found every connection lent out
};

// A connection borrowed from the pool, returned when the lease ends. `shared` outlives it.
class Lease {
 public:
  Lease() = default;
  Lease(std::shared_ptr<SqliteStore::Shared> shared, std::unique_ptr<sqlite::Connection> conn)
      : shared_(std::move(shared)), connection_(std::move(conn)) {}
  Lease(Lease&&) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() { release(); }

  static core::Result<Lease> acquire(const std::shared_ptr<SqliteStore::Shared>& shared);
  void release();
  [[nodiscard]] sqlite::Connection* get() const { return connection_.get(); }
  [[nodiscard]] explicit operator bool() const { return connection_ != nullptr; }

 private:
  std::shared_ptr<SqliteStore::Shared> shared_;
  std::unique_ptr<sqlite::Connection> connection_;
};

// The in-process writer slot, held from BEGIN IMMEDIATE to COMMIT/ROLLBACK.
class WriterSlot {
 public:
  WriterSlot() = default;
  WriterSlot(WriterSlot&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}
  WriterSlot& operator=(WriterSlot&&) = delete;
  WriterSlot(const WriterSlot&) = delete;
  WriterSlot& operator=(const WriterSlot&) = delete;
  ~WriterSlot() { release(); }

  static core::Result<WriterSlot> acquire(SqliteStore::Shared& shared);
  void release() {
    if (shared_ != nullptr) std::exchange(shared_, nullptr)->writer.release();
  }

 private:
  explicit WriterSlot(SqliteStore::Shared* shared) : shared_(shared) {}
  SqliteStore::Shared* shared_ = nullptr;
};

// Begins a write transaction: the writer slot, a pooled connection, BEGIN IMMEDIATE.
core::Result<std::unique_ptr<core::Transaction>> begin_transaction(
    const std::shared_ptr<SqliteStore::Shared>& shared);

// Re-seals every encrypted column under the cipher's current key, inside the caller's
// transaction on `connection`; returns how many fields were rewritten.
core::Result<std::int64_t> reseal_fields(sqlite::Connection& connection,
                                         const core::FieldCipher& cipher);

}  // namespace tandem::store
