// PostgreSQL for tests: the server comes from TANDEM_TEST_POSTGRES_URL (scripts/with-postgres
// starts a private one), and each test gets a database of its own, created from template0
// and dropped (WITH FORCE) when the TestDatabase goes away, so tests are independent and
// may run in parallel. Without the variable a test FAILS and says how to run it, unless
// TANDEM_ALLOW_NO_POSTGRES=1 (then it is skipped with that reason): CI never silently
// skips PostgreSQL. Thread-safe per object.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <unistd.h>

#include "storage/postgres/pg.hpp"

namespace tandem::testing_support {

inline constexpr const char* kPostgresUrlVariable = "TANDEM_TEST_POSTGRES_URL";
inline constexpr const char* kAllowNoPostgresVariable = "TANDEM_ALLOW_NO_POSTGRES";

// The server URL, or nullopt when the variable is unset or empty.
inline std::optional<std::string> postgres_server_url() {
  const char* url = std::getenv(kPostgresUrlVariable);
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

inline bool postgres_may_be_absent() {
  const char* allow = std::getenv(kAllowNoPostgresVariable);
  return allow != nullptr && std::string_view(allow) == "1";
}

inline std::string postgres_missing_message() {
  return fmt::format(
      "{} is not set, so the PostgreSQL tests cannot run. Run them with a throwaway server: "
      "`scripts/with-postgres ctest ...` (or `scripts/with-postgres ./build/tests/"
      "postgres_store_test`), or point {} at a server you own "
      "(postgresql://user@host:port/db; the tests create and drop databases named "
      "tandem_t_*). To skip them knowingly, set {}=1.",
      kPostgresUrlVariable, kPostgresUrlVariable, kAllowNoPostgresVariable);
}

// `url` with its database replaced by `database` (URL or key=value conninfo).
inline std::string url_with_database(const std::string& url, const std::string& database) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + database;
  const auto query = url.find('?', scheme + 3);
  const std::string head = url.substr(0, query);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  const auto slash = head.find('/', scheme + 3);
  const std::string authority = slash == std::string::npos ? head : head.substr(0, slash);
  return authority + "/" + database + tail;
}

// A connection for test set-up and inspection (raw SQL, outside the store).
inline store::pg::ConnPtr connect_for_test(const std::string& url) {
  auto conn = store::pg::connect(url, std::chrono::seconds(10), "tandem-test-admin");
  if (!conn) return nullptr;
  return std::move(*conn);
}

// One raw command; returns the error message, empty on success.
inline std::string exec_raw(PGconn* conn, const std::string& sql) {
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  std::string error;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    error = PQresultErrorMessage(result);
    if (error.empty()) error = PQerrorMessage(conn);
  }
  PQclear(result);
  return error;
}

class TestDatabase {
 public:
  // Creates a fresh empty database on the server at `server_url`. Check ok() after.
  explicit TestDatabase(const std::string& server_url) : server_url_(server_url) {
    static std::atomic<int> counter{0};
    std::random_device seed;
    name_ = fmt::format("tandem_t_{}_{}_{:08x}", ::getpid(), counter++, seed());
    admin_ = connect_for_test(server_url_);
    if (!admin_) {
      error_ = fmt::format("cannot connect to {}", store::pg::redact_url(server_url_));
      return;
    }
    // The name is ours (letters, digits, underscores), quoted as an identifier anyway.
    error_ = exec_raw(admin_.get(),
                      fmt::format("CREATE DATABASE {} TEMPLATE template0", identifier(name_)));
    created_ = error_.empty();
    url_ = url_with_database(server_url_, name_);
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase() {
    if (created_ && admin_) {
      exec_raw(admin_.get(),
               fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", identifier(name_)));
    }
  }

  [[nodiscard]] bool ok() const { return created_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  // A connection to this database for inspection (new each call).
  [[nodiscard]] store::pg::ConnPtr connect() const { return connect_for_test(url_); }
  // A connection to the server's own database (for pg_terminate_backend and the like).
  [[nodiscard]] PGconn* admin() const { return admin_.get(); }

 private:
  std::string identifier(const std::string& name) const {
    char* quoted = PQescapeIdentifier(admin_.get(), name.c_str(), name.size());
    std::string out = quoted == nullptr ? name : quoted;
    PQfreemem(quoted);
    return out;
  }

  std::string server_url_;
  std::string name_;
  std::string url_;
  std::string error_;
  store::pg::ConnPtr admin_;
  bool created_ = false;
};

}  // namespace tandem::testing_support
