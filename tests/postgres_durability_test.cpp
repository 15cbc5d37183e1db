// SIGKILL durability on PostgreSQL (tests/support/durability.hpp): a writer process is
// killed at 50 seeded random moments (during start-up, the first migration, set-up and
// check-ins); after every round each check-in it acknowledged must be in the database
// and whole, and the database consistent: no torn check-in anywhere, no orphaned rows, no
// transaction left prepared or open, migrations recorded once, and every B-tree index
// valid (amcheck, when the server has it). The server keeps fsync on.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "storage/postgres/migrator.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "support/durability.hpp"
#include "support/fake_cipher.hpp"
#include "support/postgres_test_db.hpp"

namespace tandem::store {
namespace {

using core::Status;
using testing_support::TestDatabase;

// The writer and the checker open the same way, with the same (fake) key.
core::Result<std::unique_ptr<core::Store>> open_postgres(const std::string& url) {
  PostgresOptions options;
  options.pool_size = 2;
  auto store = PostgresStore::open(url, std::make_shared<testing_support::FakeCipher>(), options);
  if (!store) return core::fail(store.error());
  return std::unique_ptr<core::Store>(std::move(*store));
}

// Runs `sql` (which returns one row of one number) and fails unless it is `want`.
Status expect_count(PGconn* conn, const char* what, const char* sql, long want = 0) {
  PGresult* result = PQexec(conn, sql);
  Status status;
  if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) {
    status = Status::internal(std::string(what) + ": " + PQresultErrorMessage(result));
  } else if (std::stol(PQgetvalue(result, 0, 0)) != want) {
    status = Status::internal(std::string(what) + ": " + PQgetvalue(result, 0, 0) + " (expected " +
                              std::to_string(want) + ")");
  }
  PQclear(result);
  return status;
}

// Consistency of the whole database after a kill, in SQL (the harness checks the
// acknowledged episodes through the store).
Status check_consistency(const std::string& url, core::Store& store, bool amcheck) {
  if (Status ping = store.ping(); !ping.is_ok()) return ping;
  auto conn = testing_support::connect_for_test(url);
  if (!conn) return Status::unavailable("cannot connect to check consistency");
  const std::string migrations = std::to_string(pg::latest_version());
  struct Check {
    const char* what;
    const char* sql;
  };
  const std::vector<Check> checks = {
      {"check-ins without exactly one goal rating",
       "SELECT count(*) FROM sessions s LEFT JOIN (SELECT org_id, session_id, count(*) AS n "
       "FROM goal_ratings GROUP BY 1, 2) r ON r.org_id = s.org_id AND r.session_id = s.id "
       "WHERE coalesce(r.n, 0) <> 1"},
      {"check-ins without exactly one alliance rating",
       "SELECT count(*) FROM sessions s LEFT JOIN (SELECT org_id, session_id, count(*) AS n "
       "FROM alliance_ratings GROUP BY 1, 2) r ON r.org_id = s.org_id AND r.session_id = s.id "
       "WHERE coalesce(r.n, 0) <> 1"},
      {"check-ins without exactly one audit row",
       "SELECT count(*) FROM sessions s LEFT JOIN (SELECT org_id, record_id, count(*) AS n "
       "FROM audit WHERE record_type = 'session' GROUP BY 1, 2) r ON r.org_id = s.org_id "
       "AND r.record_id = s.id WHERE coalesce(r.n, 0) <> 1"},
      {"ratings of missing sessions",
       "SELECT count(*) FROM goal_ratings g WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE "
       "s.org_id = g.org_id AND s.episode_id = g.episode_id AND s.id = g.session_id)"},
      {"sessions of missing episodes",
       "SELECT count(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM episodes e WHERE "
       "e.org_id = s.org_id AND e.id = s.episode_id)"},
      {"organisations left half set up (no episode)",
       "SELECT count(*) FROM organisations o WHERE NOT EXISTS (SELECT 1 FROM episodes e WHERE "
       "e.org_id = o.id)"},
      {"prepared transactions left behind", "SELECT count(*) FROM pg_prepared_xacts"},
      {"migrations recorded more than once",
       "SELECT count(*) - count(DISTINCT version) FROM schema_version"},
  };
  for (const Check& check : checks) {
    if (Status status = expect_count(conn.get(), check.what, check.sql); !status.is_ok()) {
      return status;
    }
  }
  if (Status status = expect_count(conn.get(), "migrations recorded",
                                   "SELECT count(*) FROM schema_version", std::stol(migrations));
      !status.is_ok()) {
    return status;
  }
  if (amcheck) {
    // bt_index_check raises on a corrupt index; the count is just something to compare.
    if (Status status = expect_count(
            conn.get(), "B-tree index check",
            "SELECT count(*) FROM (SELECT bt_index_check(c.oid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = 'public') checked WHERE false");
        !status.is_ok()) {
      return status;
    }
  }
  return Status::ok();
}

TANDEM_DURABILITY_WRITER_MODE(open_postgres);

TEST(PostgresDurability, AcknowledgedWritesSurviveSigkill) {
  const auto server = testing_support::postgres_server_url();
  if (!server) {
    if (testing_support::postgres_may_be_absent()) {
      GTEST_SKIP() << testing_support::postgres_missing_message();
    }
    FAIL() << testing_support::postgres_missing_message();
  }
  TestDatabase db(*server);
  ASSERT_TRUE(db.ok()) << db.error();
  // The writer runs against the server's durable configuration: fsync must be on.
  auto conn = db.connect();
  ASSERT_NE(conn, nullptr);
  PGresult* fsync = PQexec(conn.get(), "SHOW fsync");
  ASSERT_EQ(PQresultStatus(fsync), PGRES_TUPLES_OK);
  EXPECT_STREQ(PQgetvalue(fsync, 0, 0), "on") << "the durability test needs fsync = on";
  PQclear(fsync);
  const bool amcheck =
      testing_support::exec_raw(conn.get(), "CREATE EXTENSION IF NOT EXISTS amcheck").empty();
  if (!amcheck) std::printf("note: amcheck is not available; B-tree indexes are not checked\n");

  durability::Options options;
  options.rounds = 50;
  // Long enough for a PostgreSQL writer to connect, migrate (round 1) and commit a few
  // check-ins in most rounds; short enough that kills also land during start-up.
  options.max_delay = std::chrono::milliseconds(400);
  const auto check = [&](core::Store& store) {
    return check_consistency(db.url(), store, amcheck);
  };
  const auto started = std::chrono::steady_clock::now();
  const durability::Report report =
      durability::run_kill_rounds(db.url(), open_postgres, check, options);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::printf("postgres durability: %s (%lld ms)\n", report.summary().c_str(),
              static_cast<long long>(took.count()));

  EXPECT_TRUE(report.problems.empty()) << report.summary();
  EXPECT_EQ(report.rounds, options.rounds);
  EXPECT_EQ(report.verified, report.acknowledged);
  EXPECT_GE(report.committed, report.acknowledged);
  // The kills must have hit a writer at work, not only during start-up.
  EXPECT_GE(report.rounds_with_writes, options.rounds / 2) << report.summary();
}

}  // namespace
}  // namespace tandem::store
