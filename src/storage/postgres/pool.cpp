#include "storage/postgres/pool.hpp"

#include <utility>

#include <fmt/format.h>

namespace tandem::store::pg {
namespace {

// An idle connection whose server went away (restart, pg_terminate_backend) has an
// EOF or an error waiting on its socket; reading it turns the status to BAD.
bool still_alive(PGconn* conn) {
  return PQstatus(conn) == CONNECTION_OK && PQconsumeInput(conn) != 0 &&
         PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
}

}  // namespace

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = std::move(other.pool_);
    conn_ = std::move(other.conn_);
    broken_ = other.broken_;
  }
  return *this;
}

Lease::~Lease() { give_back(); }

void Lease::give_back() {
  if (pool_ && conn_) pool_->release(std::move(conn_), broken_);
  pool_.reset();
}

std::shared_ptr<ConnectionPool> ConnectionPool::create(PoolOptions options) {
  if (options.size < 1) options.size = 1;
  return std::shared_ptr<ConnectionPool>(new ConnectionPool(std::move(options)));
}

core::Result<Lease> ConnectionPool::acquire() {
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  std::unique_lock lock(mutex_);
  bool waited = false;
  for (;;) {
    while (!idle_.empty()) {
      ConnectionPtr conn = std::move(idle_.back());
      idle_.pop_back();
      if (still_alive(conn->conn.get())) return Lease(shared_from_this(), std::move(conn));
      --open_;  // dead while idle: close it (outside the lock is not worth the trouble)
    }
    if (open_ < options_.size) {
      ++open_;  // reserve the slot, then connect without holding the lock
      lock.unlock();
      auto conn = open_connection();
      lock.lock();
      if (!conn) {
        --open_;
        returned_.notify_one();
        return core::fail(conn.error());
      }
      ++opened_total_;
      return Lease(shared_from_this(), std::move(*conn));
    }
    if (!waited) {
      waited = true;
      ++waits_;
    }
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      return core::fail(core::Status::unavailable(
          fmt::format("all {} PostgreSQL connections are busy (waited {} ms); try again shortly",
                      options_.size, options_.acquire_timeout.count())));
    }
  }
}

core::Result<ConnectionPtr> ConnectionPool::open_connection() {
  auto conn = connect(options_.url, options_.connect_timeout, "tandem");
  if (!conn) return core::fail(conn.error());
  if (options_.on_connect) {
    const core::Status status = options_.on_connect(conn->get());
    if (!status.is_ok()) return core::fail(status);
  }
  auto connection = std::make_unique<Connection>();
  connection->conn = std::move(*conn);
  return connection;
}

void ConnectionPool::release(ConnectionPtr conn, bool broken) {
  PGconn* raw = conn->conn.get();
  const bool reusable =
      !broken && PQstatus(raw) == CONNECTION_OK && PQtransactionStatus(raw) == PQTRANS_IDLE;
  {
    std::lock_guard lock(mutex_);
    if (reusable) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  returned_.notify_one();
  // A connection that is not reused closes here, outside the lock.
}

ConnectionPool::Stats ConnectionPool::stats() const {
  std::lock_guard lock(mutex_);
  return {open_, static_cast<int>(idle_.size()), opened_total_, waits_};
}

}  // namespace tandem::store::pg
