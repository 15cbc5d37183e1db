// SIGKILL durability of the SQLite store: a writer process is killed at random points 50
// times; after each kill every check-in it acknowledged must be in the reopened database,
// every committed check-in whole, and PRAGMA integrity_check / foreign_key_check clean.
// The harness (tests/support/durability.hpp) is shared with the PostgreSQL store.
#include <gtest/gtest.h>
#include <cstdlib>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/sqlite/sqlite_store.hpp"
#include "support/durability.hpp"
#include "support/fake_cipher.hpp"

namespace {

constexpr std::string_view kScheme = "sqlite:";

tandem::core::Result<std::unique_ptr<tandem::core::Store>> open_sqlite(const std::string& url) {
  if (url.rfind(kScheme, 0) != 0) {
    return tandem::core::fail(tandem::core::Status::invalid_argument("not a sqlite: URL"));
  }
  auto store = tandem::store::SqliteStore::open(
      url.substr(kScheme.size()), std::make_shared<tandem::testing_support::FakeCipher>("fake1"));
  if (!store) return tandem::core::fail(store.error());
  return std::unique_ptr<tandem::core::Store>(std::move(*store));
}

tandem::core::Status check_sqlite(tandem::core::Store& store) {
  auto* sqlite = dynamic_cast<tandem::store::SqliteStore*>(&store);
  if (sqlite == nullptr) return tandem::core::Status::internal("not a SqliteStore");
  return sqlite->check_integrity();
}

TANDEM_DURABILITY_WRITER_MODE(open_sqlite);

TEST(SqliteDurability, EveryAcknowledgedWriteSurvivesSigkill) {
  const char* base = std::getenv("TMPDIR");
  std::string dir =
      std::string(base != nullptr && *base != 0 ? base : "/tmp") + "/tandem-durability-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string url = std::string(kScheme) + dir + "/tandem.db";

  const auto started = std::chrono::steady_clock::now();
  const auto report = tandem::durability::run_kill_rounds(url, open_sqlite, check_sqlite, {});
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("durability (sqlite): %s in %.1f s\n", report.summary().c_str(), seconds);
  RecordProperty("rounds", report.rounds);
  RecordProperty("acknowledged", static_cast<int>(report.acknowledged));

  EXPECT_TRUE(report.problems.empty()) << report.summary();
  EXPECT_EQ(report.rounds, 50);
  EXPECT_EQ(report.verified, report.acknowledged);
  EXPECT_GE(report.committed, report.acknowledged);
  // At most one check-in per round can be committed but unacknowledged (killed between
  // commit() returning and the line reaching the pipe).
  EXPECT_LE(report.committed - report.acknowledged, report.rounds);
  EXPECT_GE(report.rounds_with_writes, report.rounds / 4) << "kills landed too early to test";

  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
