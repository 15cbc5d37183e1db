// A bounded pool of libpq connections. acquire() hands out an idle connection, opens
// a new one while fewer than `size` exist, or waits up to `acquire_timeout` for one to
// come back (then Unavailable). A lease returns its connection when destroyed; a lease
// marked broken (or whose connection died) is closed instead, and the pool opens a
// fresh connection on demand. Thread-safe; leases may outlive the pool's owner.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/status.hpp"
#include "storage/postgres/pg.hpp"

namespace tandem::store::pg {

struct PoolOptions {
  std::string url;
  int size = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::seconds connect_timeout{5};
  // Runs once on every new connection before first use (session settings, prepared
  // statements). A failure closes the connection and fails the acquire.
  std::function<core::Status(PGconn*)> on_connect;
};

// One server connection and the statements already prepared on it (prepared
// statements live per connection, so each is prepared on first use there).
struct Connection {
  ConnPtr conn;
  std::unordered_set<std::string> prepared;
};
using ConnectionPtr = std::unique_ptr<Connection>;

class ConnectionPool;

// Exclusive use of one pooled connection until destroyed.
class Lease {
 public:
  Lease() = default;
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  [[nodiscard]] PGconn* get() const { return conn_ ? conn_->conn.get() : nullptr; }
  [[nodiscard]] Connection& connection() const { return *conn_; }
  // The connection must not be reused (lost, or left in an unknown state).
  void mark_broken() { broken_ = true; }
  // Gives the connection back now (the lease is empty afterwards).
  void reset() { give_back(); }

 private:
  friend class ConnectionPool;
  Lease(std::shared_ptr<ConnectionPool> pool, ConnectionPtr conn)
      : pool_(std::move(pool)), conn_(std::move(conn)) {}
  void give_back();

  std::shared_ptr<ConnectionPool> pool_;
  ConnectionPtr conn_;
  bool broken_ = false;
};

class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
 public:
  static std::shared_ptr<ConnectionPool> create(PoolOptions options);

  core::Result<Lease> acquire();

  struct Stats {
    int open = 0;  // connections that exist (idle + leased + being opened)
    int idle = 0;
    std::int64_t opened_total = 0;  // connections ever opened
    std::int64_t waits = 0;         // acquires that found every connection busy
  };
  [[nodiscard]] Stats stats() const;
  [[nodiscard]] const PoolOptions& options() const { return options_; }

 private:
  explicit ConnectionPool(PoolOptions options) : options_(std::move(options)) {}
  friend class Lease;
  void release(ConnectionPtr conn, bool broken);
  core::Result<ConnectionPtr> open_connection();

  const PoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<ConnectionPtr> idle_;
  int open_ = 0;
  std::int64_t opened_total_ = 0;
  std::int64_t waits_ = 0;
};

}  // namespace tandem::store::pg
