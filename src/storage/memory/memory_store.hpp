// MemoryStore: the whole record of care in memory, for fast tests and for trying Tandem
// without a database. Same semantics as the SQL stores (organisation isolation, foreign keys
// as NotFound, unique e-mails and session numbers as AlreadyExists, append-only definition
// versions and audit) and nothing survives the process.
// Free text is kept as plaintext in memory (there is no file to steal); a cipher may be given
// so the store is built like the others, and reseal_all() has nothing to rewrite.
// Thread-safe. Reads see committed data only (read committed); one transaction writes at a
// time: the first write of a transaction waits for the writer slot (up to busy_timeout, then
// Unavailable, like SQLite's busy timeout) and keeps it until commit or rollback. A writer's
// changes live in its own overlay until commit, which applies them under an exclusive lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::store {

struct MemoryStoreOptions {
  // How long a transaction's first write waits for another writer to finish.
  std::chrono::milliseconds busy_timeout{5000};
};

class MemoryStore final : public core::Store {
 public:
  explicit MemoryStore(std::shared_ptr<const core::FieldCipher> cipher = nullptr,
                       MemoryStoreOptions options = {});
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  core::Result<std::unique_ptr<core::Transaction>> begin() override;
  // There is no schema to migrate: always the latest version (1).
  core::Result<int> schema_version() override;
  int latest_schema_version() const override;
  core::Status ping() override;
  // Nothing is encrypted in memory: there is nothing to reseal (0 fields).
  core::Result<std::int64_t> reseal_all() override;
  // No connections: a pool of one writer slot, in use while a transaction writes.
  std::optional<core::PoolStats> pool_stats() const override;

  struct Shared;  // the committed tables, the locks and the id sequences (memory_store.cpp)

 private:
  std::shared_ptr<const core::FieldCipher> cipher_;  // unused: nothing is sealed in memory
  std::shared_ptr<Shared> shared_;
};

}  // namespace tandem::store
