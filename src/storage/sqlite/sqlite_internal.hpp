// Internals of the SQLite store shared by sqlite_store.cpp and sqlite_transaction.cpp:
// the connection pool, the in-process writer slot, group commit and the Transaction
// implementation. The pool and the slot are thread-safe; the write group is touched only by
// the holder of the writer slot; a SqliteTransaction is used by one thread at a time (and
// may be destroyed by another).
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
struct WriteGroup;

// What one group's COMMIT came to, awaited by every writer that released into the group.
struct GroupOutcome {
  bool done = false;  // guarded by Shared::writer_mutex
  core::Status status;
};

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
  // Group commit: the SQLite transaction the writers of this process share while one is
  // open (see WriteGroup); only the holder of the writer slot touches it. group_committed
  // wakes the writers waiting for a group's outcome.
  // (An open group's lease refers back to this Shared; every group is closed by the last
  // writer of it, before the store can go.)
  std::unique_ptr<WriteGroup> group;
  std::condition_variable group_committed;
  SqliteCommitStats commit_stats;  // guarded by writer_mutex

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

// Group commit. An fsync costs about a millisecond here, and SQLite admits one writer at a
// time, so one COMMIT per request caps a server at about a thousand writes (and audited
// reads) a second. Instead, the writers of this process take turns (the writer slot) inside
// one SQLite write transaction, each in a SAVEPOINT of its own: a writer that fails rolls
// back to its savepoint, undoing only its own work; one that succeeds releases its savepoint
// and waits, and the group commits (one fsync) when no other writer is waiting or it has
// kMaxGroupMembers. Every member's commit() returns only after that COMMIT, with its status:
// an acknowledged write is as durable as with a COMMIT of its own (synchronous=FULL), and
// when the COMMIT fails every member fails. A member reads what earlier members of its group
// wrote, as it would after their commits; readers on other connections see none of it
// before the COMMIT, and no member has been answered before then either.
struct WriteGroup {
  static constexpr int kMaxGroupMembers = 8;

  Lease lease;  // the connection, in BEGIN IMMEDIATE while the group is open
  std::shared_ptr<GroupOutcome> outcome = std::make_shared<GroupOutcome>();
  int members = 0;  // released into the group, waiting for its COMMIT
};

// A write transaction's place in the group: holds the writer slot from begin to commit or
// rollback, works in a SAVEPOINT on the group's connection.
class GroupMember {
 public:
  GroupMember() = default;
  GroupMember(GroupMember&& other) noexcept;
  GroupMember& operator=(GroupMember&& other) noexcept;
  GroupMember(const GroupMember&) = delete;
  GroupMember& operator=(const GroupMember&) = delete;
  ~GroupMember() { rollback(); }

  // Takes the writer slot (FIFO, up to the busy timeout), opens the group if none is open
  // (BEGIN IMMEDIATE, waiting for writers of other processes) and starts a savepoint.
  static core::Result<GroupMember> join(const std::shared_ptr<SqliteStore::Shared>& shared);
  // Releases the savepoint into the group, hands the slot on and waits for the group's
  // COMMIT: its status is this transaction's.
  core::Status commit();
  // Undoes this member's work (its savepoint) and hands the slot on.
  void rollback();
  [[nodiscard]] bool active() const { return shared_ != nullptr; }
  [[nodiscard]] sqlite::Connection* connection() const;

 private:
  GroupMember(std::shared_ptr<SqliteStore::Shared> shared, WriterSlot slot)
      : shared_(std::move(shared)), slot_(std::move(slot)) {}
  // Ends the turn: commits (or gives up) the group unless another writer is waiting to join
  // it, then releases the slot.
  void hand_on();

  std::shared_ptr<SqliteStore::Shared> shared_;
  WriterSlot slot_;
  bool in_savepoint_ = false;
};

// Commits (members > 0) or rolls back the open group, if any, and tells its members. The
// caller holds the writer slot. Writers that need the database to themselves (migrate,
// reseal_all) call it after taking the slot.
void close_group(SqliteStore::Shared& shared);

// Begins a write transaction: a member of the write group (GroupMember::join). Or,
// read_only, a reading one: a pooled connection and a deferred BEGIN (a snapshot), no
// writer slot; its audit entries are written when it commits (see SqliteStore::begin_read).
core::Result<std::unique_ptr<core::Transaction>> begin_transaction(
    const std::shared_ptr<SqliteStore::Shared>& shared, bool read_only = false);

// Re-seals every encrypted column under the cipher's current key, inside the caller's
// transaction on `connection`; returns how many fields were rewritten.
core::Result<std::int64_t> reseal_fields(sqlite::Connection& connection,
                                         const core::FieldCipher& cipher);

}  // namespace tandem::store
