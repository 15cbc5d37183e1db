// Internals of the SQLite store shared by sqlite_store.cpp and sqlite_transaction.cpp:
// the connection pool, the in-process writer slot and the Transaction implementation.
// The pool and the slot are thread-safe; a SqliteTransaction is used by one thread at a
// time (and may be destroyed by another).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
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

  // SQLite admits one writer per file. Writers of this process queue here, first come
  // first served (a semaphore let a few threads take it in turns while others waited out
  // the whole busy timeout); other processes are waited for by SQLite's busy timeout.
  std::mutex writer_mutex;
  std::condition_variable writer_free;
  std::deque<std::uint64_t> writer_queue;  // tickets of the waiting writers, in order
  std::uint64_t next_writer_ticket = 0;
  bool writing = false;

  std::mutex mutex;
  std::condition_variable returned;
  std::vector<std::unique_ptr<sqlite::Connection>> idle;
  int open_connections = 0;
  // Transactions that found every connection lent out or another writer busy (the one
  // guarded by `mutex`, the other by `writer_mutex`).
  std::int64_t lease_waits = 0;
  std::int64_t writer_waits = 0;
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
  WriterSlot& operator=(WriterSlot&& other) noexcept {
    if (this != &other) {
      release();
      shared_ = std::exchange(other.shared_, nullptr);
    }
    return *this;
  }
  WriterSlot(const WriterSlot&) = delete;
  WriterSlot& operator=(const WriterSlot&) = delete;
  ~WriterSlot() { release(); }

  static core::Result<WriterSlot> acquire(SqliteStore::Shared& shared);
  void release();

 private:
  explicit WriterSlot(SqliteStore::Shared* shared) : shared_(shared) {}
  SqliteStore::Shared* shared_ = nullptr;
};

// Begins a write transaction: the writer slot, a pooled connection, BEGIN IMMEDIATE. Or,
// read_only, a reading one: a pooled connection and a deferred BEGIN (a snapshot), no
// writer slot; its audit entries are written when it commits (see SqliteStore::begin_read).
core::Result<std::unique_ptr<core::Transaction>> begin_transaction(
    const std::shared_ptr<SqliteStore::Shared>& shared, bool read_only = false);

// Re-seals every encrypted column under the cipher's current key, inside the caller's
// transaction on `connection`; returns how many fields were rewritten.
core::Result<std::int64_t> reseal_fields(sqlite::Connection& connection,
                                         const core::FieldCipher& cipher);

}  // namespace tandem::store
