// The SQLite store: the storage contract on real temporary files (one per test), and what
// is particular to SQLite: the pragmas it runs with, migrations, refusing a newer schema,
// encryption at rest checked on the raw file bytes, the append-only triggers, the pool.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/sqlite_store.hpp"
#include "support/fake_cipher.hpp"
#include "support/store_contract.hpp"

namespace {

namespace fs = std::filesystem;
using tandem::contract::code;
using tandem::contract::kT0;
using tandem::contract::must;
using tandem::core::Id;
using tandem::store::SqliteStore;
using tandem::testing_support::FakeCipher;

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != 0 ? base : "/tmp") + "/tandem-sqlite-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A SqliteStore that owns the temporary directory its file lives in.
class TempSqliteStore final : public tandem::core::Store {
 public:
  explicit TempSqliteStore(std::shared_ptr<const tandem::core::FieldCipher> cipher)
      : store_(must(SqliteStore::open(dir_.file("tandem.db"), std::move(cipher)))) {}
  tandem::core::Result<std::unique_ptr<tandem::core::Transaction>> begin() override {
    return store_->begin();
  }
  tandem::core::Result<std::unique_ptr<tandem::core::Transaction>> begin_read() override {
    return store_->begin_read();
  }
  tandem::core::Result<int> schema_version() override { return store_->schema_version(); }
  int latest_schema_version() const override { return store_->latest_schema_version(); }
  tandem::core::Status ping() override { return store_->ping(); }
  tandem::core::Result<std::int64_t> reseal_all() override { return store_->reseal_all(); }
  std::optional<tandem::core::PoolStats> pool_stats() const override {
    return store_->pool_stats();
  }

 private:
  TempDir dir_;  // declared first: outlives the store
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace

INSTANTIATE_STORE_CONTRACT(Sqlite,
                           [](std::shared_ptr<const tandem::core::FieldCipher> cipher)
                               -> std::unique_ptr<tandem::core::Store> {
                             return std::make_unique<TempSqliteStore>(std::move(cipher));
                           });

namespace {

// A raw connection for poking at the file behind the store's back.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("raw open");
    sqlite3_busy_timeout(db_, 5000);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close_v2(db_); }
  // The error message, or "" when the statement succeeded.
  std::string exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    std::string message = rc == SQLITE_OK ? "" : (error != nullptr ? error : "error");
    sqlite3_free(error);
    return message;
  }
  std::vector<std::string> column(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    std::vector<std::string> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      out.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> open(SqliteStore::OpenOptions options = {}) {
    return must(SqliteStore::open(path_, cipher_, options));
  }

  // The contract suite's world "a", committed.
  static tandem::contract::World seeded(SqliteStore& store) {
    auto tx = must(store.begin());
    tandem::contract::World w = tandem::contract::seed_world(*tx, "a");
    must(tx->commit());
    return w;
  }

  // An organisation of its own, committed.
  static Id new_organisation(SqliteStore& store) {
    auto tx = must(store.begin());
    const Id id = must(tx->create_organisation({0, "P", "", kT0}));
    must(tx->commit());
    return id;
  }

  TempDir dir_;
  std::string path_ = dir_.file("tandem.db");
  std::shared_ptr<FakeCipher> cipher_ = std::make_shared<FakeCipher>("fake1");
};

TEST_F(SqliteStoreTest, RunsInWalWithForeignKeysFullSyncAndABusyTimeout) {
  auto store = open();
  // Hold one connection in a transaction so settings() is answered by a second one.
  auto tx = must(store->begin());
  const auto settings = must(store->settings());
  EXPECT_EQ(settings.journal_mode, "wal");
  EXPECT_TRUE(settings.foreign_keys);
  EXPECT_EQ(settings.synchronous, 2);  // FULL
  EXPECT_EQ(settings.busy_timeout_ms, 5000);
  EXPECT_EQ(RawDb(path_).column("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST_F(SqliteStoreTest, NewDatabaseFileIsPrivateToItsOwner) {
  auto store = open();
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
}

TEST_F(SqliteStoreTest, RefusesADatabaseWrittenByANewerTandem) {
  int latest = 0;
  {
    auto store = open();
    latest = store->latest_schema_version();
  }
  EXPECT_EQ(RawDb(path_).exec("INSERT INTO schema_version VALUES (7, '007_future.sql', 0)"), "");
  for (bool migrate : {true, false}) {
    SqliteStore::OpenOptions options;
    options.migrate = migrate;
    auto refused = SqliteStore::open(path_, cipher_, options);
    ASSERT_EQ(code(refused), "FailedPrecondition");
    EXPECT_EQ(refused.error().message(),
              "this database was written by a newer Tandem (schema 7, this binary knows " +
                  std::to_string(latest) + "): upgrade Tandem");
  }
}

TEST_F(SqliteStoreTest, MigrationsApplyOnceAndAreIdempotent) {
  SqliteStore::OpenOptions manual;
  manual.migrate = false;
  {
    auto store = open(manual);
    EXPECT_EQ(must(store->schema_version()), 0);
    EXPECT_EQ(code(store->ping()), "FailedPrecondition");
    const auto applied = must(store->migrate());
    ASSERT_EQ(applied.size(), static_cast<std::size_t>(store->latest_schema_version()));
    EXPECT_EQ(applied.front(), "001_initial.sql");
    EXPECT_TRUE(must(store->migrate()).empty());
    EXPECT_EQ(code(store->ping()), "Ok");
  }
  for (int round = 0; round < 2; ++round) {
    auto store = open();
    EXPECT_EQ(must(store->schema_version()), store->latest_schema_version());
    EXPECT_TRUE(must(store->migrate()).empty());
  }
  RawDb raw(path_);
  EXPECT_EQ(raw.column("SELECT count(*) FROM schema_version"),
            std::vector<std::string>{std::to_string(open()->latest_schema_version())});
  EXPECT_EQ(raw.column("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
}

TEST_F(SqliteStoreTest, EveryTableIsStrictAndCarriesItsOrganisation) {
  auto store = open();
  RawDb raw(path_);
  const auto tables = raw.column(
      "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
      "AND name NOT LIKE 'sqlite_%'");
  ASSERT_GE(tables.size(), 15U);
  for (const auto& table : tables) {
    EXPECT_EQ(raw.column("SELECT strict FROM pragma_table_list WHERE name = '" + table + "'"),
              std::vector<std::string>{"1"})
        << table;
    // login_failures is keyed by e-mail or address before any organisation is known.
    if (table == "organisations" || table == "schema_version" || table == "login_failures") {
      continue;
    }
    EXPECT_EQ(raw.column("SELECT \"notnull\" FROM pragma_table_info('" + table +
                         "') WHERE name = 'org_id'"),
              std::vector<std::string>{"1"})
        << table;
    EXPECT_FALSE(raw.column("SELECT 1 FROM pragma_foreign_key_list('" + table +
                            "') WHERE \"table\" = 'organisations' AND \"from\" = 'org_id'")
                     .empty())
        << table;
  }
  // Every index starts with org_id, except the deployment-wide look-ups: by e-mail and by
  // token hash (a request carries only its token).
  const auto indexes = raw.column(
      "SELECT il.name FROM sqlite_schema s, pragma_index_list(s.name) il "
      "WHERE s.type = 'table' AND s.name NOT IN ('organisations', 'schema_version', "
      "'login_failures')");
  for (const auto& index : indexes) {
    if (index == "users_email" || index == "login_sessions_by_hash" ||
        index == "invitations_by_hash") {
      continue;
    }
    EXPECT_EQ(raw.column("SELECT name FROM pragma_index_info('" + index + "') WHERE seqno = 0"),
              std::vector<std::string>{"org_id"})
        << index;
  }
}

// Every encrypted field gets a distinctive plaintext; none may appear in any file.
TEST_F(SqliteStoreTest, EncryptedFieldsNeverReachTheDatabaseFiles) {
  using namespace tandem::contract;
  const std::vector<std::string> secrets = {
      "SECRET-client-name", "SECRET-user-name",    "SECRET-notes",  "SECRET-hopes",
      "SECRET-better",      "SECRET-shifts",       "SECRET-change", "SECRET-goal-text",
      "SECRET-gas-m2",      "SECRET-gas-m1",       "SECRET-gas-0",  "SECRET-gas-p1",
      "SECRET-gas-p2",      "SECRET-moment",       "SECRET-tried",  "SECRET-sat",
      "SECRET-comment",     "SECRET-invited-name",
  };
  const std::string visible = "visible-marker@example.org";  // e-mails are not encrypted
  auto store = open();
  {
    auto tx = must(store->begin());
    World w = seed_world(*tx, "a");
    must(tx->create_client({0, w.org, secrets[0], std::nullopt, {}, kT0}));
    auto user = make_user(w.org, visible, tandem::core::Role::kTherapist);
    user.display_name = secrets[1];
    must(tx->create_user(user));
    must(tx->create_session({0, w.org, w.episode, 2, 0, tandem::core::Attendance::kAttended, false,
                             false, secrets[2], kT0}));
    tandem::core::ProgressDefinition d = make_definition(w, "");
    d.hopes = secrets[3];
    d.better_looks_like = secrets[4];
    d.small_shifts = secrets[5];
    d.change_note = secrets[6];
    d.goals[1].text = secrets[7];
    for (std::size_t i = 0; i < 5; ++i) d.goals[1].gas_levels[i] = secrets[8 + i];
    must(tx->add_definition_version(d));
    must(tx->add_moment({0, w.org, w.episode, w.session, "laughed", secrets[13],
                         tandem::core::Rater::kClient, w.client_user, kT0}));
    const Id reflection = must(
        tx->add_reflection({0, w.org, w.trainee, std::nullopt, secrets[14], secrets[15], kT0}));
    must(tx->add_comment({0, w.org, reflection, w.supervisor, secrets[16], kT0}));
    must(tx->create_invitation(
        make_staff_invitation(w.org, w.admin, 'i', tandem::core::Role::kTherapist, secrets[17])));
    must(tx->commit());
  }
  auto scan = [&](const char* when) {
    std::string all;
    for (const auto& entry : fs::directory_iterator(dir_.path())) all += read_bytes(entry.path());
    EXPECT_NE(all.find(visible), std::string::npos) << when << ": the scan must see plain columns";
    for (const auto& secret : secrets) {
      EXPECT_EQ(all.find(secret), std::string::npos) << when << ": " << secret << " is readable";
    }
  };
  ASSERT_TRUE(fs::exists(path_ + "-wal"));
  scan("in the WAL");
  store.reset();  // the last connection checkpoints the WAL into the main file
  scan("after checkpoint");
  // And they all read back.
  auto reopened = open();
  auto tx = must(reopened->begin());
  EXPECT_EQ(must(tx->find_user_by_email(visible)).display_name, secrets[1]);
}

TEST_F(SqliteStoreTest, AReadingTransactionRefusesToWriteButMayAudit) {
  using namespace tandem::contract;
  auto store = open();
  const World w = seeded(*store);
  auto reader = must(store->begin_read());
  auto refused = reader->record_login_failure("address:192.0.2.1", kT0);
  EXPECT_EQ(refused.code(), tandem::core::StatusCode::kFailedPrecondition) << refused.message();
  EXPECT_EQ(must(reader->append_audit({0, w.org, w.admin, "user.read", "user", w.admin,
                                       tandem::core::AuditOutcome::kOk, kT0})),
            0);  // its id is known only once commit() has written it
  must(reader->commit());
  tandem::core::AuditQuery query;
  query.action = "user.read";
  EXPECT_EQ(must(must(store->begin())->search_audit(w.org, query)).size(), 1U);
}

// Writers queue first come, first served: under contention none waits out the busy timeout
// while others take turns (a semaphore let that happen: p99 of seconds in bench/load).
TEST_F(SqliteStoreTest, ContendedWritersAreServedInTurnWithinTheBusyTimeout) {
  SqliteStore::OpenOptions options;
  options.busy_timeout_ms = 2000;
  options.pool_size = 8;
  auto store = open(options);
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        auto tx = store->begin();
        if (!tx || !(*tx)->record_login_failure("address:t" + std::to_string(t), i).is_ok() ||
            !(*tx)->commit().is_ok()) {
          ++failed;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(must(must(store->begin())->count_login_failures("address:t7", 0)), 60);
  EXPECT_GT(store->pool_stats()->waits, 0);
}

TEST_F(SqliteStoreTest, ResealAllRewritesEveryEncryptedFieldUnderTheNewKey) {
  using namespace tandem::contract;
  auto store = open();
  {
    auto tx = must(store->begin());
    World w = seed_world(*tx, "a");
    seed_extras(*tx, w);
    must(tx->commit());
  }
  // users 5 + clients 1 + sessions 1 + definition 4 + goals 2 x 6 + moment 1 + reflection 2
  // + comment 1.
  cipher_->rotate_to("fake2");
  EXPECT_EQ(must(store->reseal_all()), 5 + 1 + 1 + 4 + 12 + 1 + 2 + 1);
  RawDb raw(path_);
  for (const char* sql :
       {"SELECT display_name FROM users", "SELECT display_name FROM clients",
        "SELECT therapist_notes FROM sessions", "SELECT hopes FROM definitions",
        "SELECT gas_plus2 FROM definition_goals", "SELECT text FROM moments",
        "SELECT sat_with FROM reflections", "SELECT text FROM reflection_comments"}) {
    for (const auto& value : raw.column(sql)) EXPECT_EQ(value.rfind("fake2:", 0), 0U) << sql;
  }
}

TEST_F(SqliteStoreTest, AuditRowsCannotBeChangedOrDeleted) {
  auto store = open();
  {
    auto tx = must(store->begin());
    const Id org = must(tx->create_organisation({0, "P", "", kT0}));
    must(tx->append_audit({0, org, std::nullopt, "auth.login", "user", std::nullopt,
                           tandem::core::AuditOutcome::kDenied, kT0}));
    must(tx->commit());
  }
  RawDb raw(path_);
  EXPECT_NE(raw.exec("UPDATE audit SET outcome = 'ok'").find("append-only"), std::string::npos);
  EXPECT_NE(raw.exec("DELETE FROM audit").find("append-only"), std::string::npos);
  EXPECT_EQ(raw.column("SELECT outcome FROM audit"), std::vector<std::string>{"denied"});
}

TEST_F(SqliteStoreTest, DefinitionVersionsCannotBeRenumberedOrDeleted) {
  using namespace tandem::contract;
  auto store = open();
  {
    auto tx = must(store->begin());
    World w = seed_world(*tx, "a");
    must(tx->add_definition_version(make_definition(w, "")));
    must(tx->commit());
  }
  RawDb raw(path_);
  EXPECT_NE(raw.exec("UPDATE definitions SET version = 9").find("append-only"), std::string::npos);
  EXPECT_NE(raw.exec("DELETE FROM definition_goals").find("append-only"), std::string::npos);
  EXPECT_NE(raw.exec("DELETE FROM definitions").find("append-only"), std::string::npos);
  EXPECT_EQ(raw.exec("UPDATE definitions SET client_agreed_at = 5"), "");  // agreement may
}

TEST_F(SqliteStoreTest, ErrorsNameTheFieldAndCarryNoHealthData) {
  using namespace tandem::contract;
  auto store = open();
  const World w = seeded(*store);
  auto tx = must(store->begin());
  auto duplicate =
      tx->create_session({0, w.org, w.episode, 1, 0, tandem::core::Attendance::kAttended, false,
                          false, "SECRET-in-the-notes", kT0});
  ASSERT_EQ(code(duplicate), "AlreadyExists");
  EXPECT_EQ(duplicate.error().field(), "number");
  EXPECT_EQ(duplicate.error().message().find("SECRET"), std::string::npos);
  // The failed statement left the transaction usable (SQLite aborts the statement only).
  must(tx->create_session(
      {0, w.org, w.episode, 2, 0, tandem::core::Attendance::kAttended, false, false, "", kT0}));
  must(tx->commit());
}

TEST_F(SqliteStoreTest, WritersFromManyThreadsAllCommit) {
  auto store = open();
  const Id org = new_organisation(*store);
  constexpr int kThreads = 6;
  constexpr int kEach = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto tx = store->begin();
        if (!tx ||
            !(*tx)->create_client({0, org, "C" + std::to_string(t * 100 + i), {}, {}, kT0}) ||
            !(*tx)->commit().is_ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(must(must(store->begin())->list_clients(org, {0, 1000})).size(),
            static_cast<std::size_t>(kThreads * kEach));
}

// Group commit: a writer that commits while another waits hands the open transaction on and
// waits for the group's COMMIT; a member that fails undoes only its own work.
TEST_F(SqliteStoreTest, WritersCommitInAGroupAndAFailedMemberUndoesOnlyItsOwnWork) {
  auto store = open();
  const Id org = new_organisation(*store);
  const auto before = store->commit_stats();
  const auto waits = store->pool_stats()->waits;
  auto first = must(store->begin());
  must(first->create_client({0, org, "kept", {}, {}, kT0}));
  std::atomic<bool> second_saw_first{false};
  std::thread second([&] {  // queues for the writer slot, then fails (drops its work)
    auto tx = must(store->begin());
    for (const auto& c : must(tx->list_clients(org, {0, 10}))) {
      if (c.display_name == "kept") second_saw_first = true;
    }
    must(tx->create_client({0, org, "dropped", {}, {}, kT0}));
  });
  while (store->pool_stats()->waits == waits) std::this_thread::yield();
  must(first->commit());  // returns once the group, closed by the second, has committed
  second.join();
  EXPECT_TRUE(second_saw_first.load()) << "a member reads what earlier members wrote";
  RawDb raw(path_);
  EXPECT_EQ(raw.column("SELECT count(*) FROM clients"), std::vector<std::string>{"1"});
  const auto after = store->commit_stats();
  EXPECT_EQ(after.commits - before.commits, 1);
  EXPECT_EQ(after.transactions - before.transactions, 1);
}

// A writer that needs the database to itself (reseal_all, migrate) closes a group left open
// for it, rather than waiting for it until the busy timeout.
TEST_F(SqliteStoreTest, ResealAllCommitsAGroupHandedOnToIt) {
  SqliteStore::OpenOptions options;
  options.busy_timeout_ms = 2000;
  auto store = open(options);
  const tandem::contract::World w = seeded(*store);
  const auto waits = store->pool_stats()->waits;
  auto writer = must(store->begin());
  must(writer->create_client({0, w.org, "Client b", {}, {}, kT0}));
  cipher_->rotate_to("fake2");
  tandem::core::Result<std::int64_t> resealed = 0;
  std::thread reseal([&] { resealed = store->reseal_all(); });
  while (store->pool_stats()->waits == waits) std::this_thread::yield();
  const auto started = std::chrono::steady_clock::now();
  must(writer->commit());
  reseal.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  ASSERT_TRUE(resealed.has_value()) << resealed.error().message();
  EXPECT_GT(*resealed, 0);
  RawDb raw(path_);
  for (const std::string& name : raw.column("SELECT display_name FROM clients")) {
    EXPECT_EQ(name.rfind("fake2:", 0), 0U) << name;
  }
  EXPECT_EQ(raw.column("SELECT count(*) FROM clients"), std::vector<std::string>{"2"});
}

// Every concurrent writer and reader's audit entry that was acknowledged is in the file.
TEST_F(SqliteStoreTest, EveryAcknowledgedWriteAndReadAuditOfAGroupIsStored) {
  SqliteStore::OpenOptions options;
  options.pool_size = 8;
  auto store = open(options);
  const tandem::contract::World w = seeded(*store);
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const bool read = (t + i) % 2 == 0;
        auto tx = read ? store->begin_read() : store->begin();
        if (!tx) continue;
        if (!read && !(*tx)->create_client({0, w.org, "C", {}, {}, kT0})) continue;
        if (!(*tx)->append_audit({0, w.org, w.admin, read ? "client.list" : "client.create",
                                  "client", std::nullopt, tandem::core::AuditOutcome::kOk, kT0})) {
          continue;
        }
        if ((*tx)->commit().is_ok()) ++acknowledged;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kEach);
  RawDb raw(path_);
  EXPECT_EQ(raw.column("SELECT count(*) FROM audit WHERE action IN ('client.list', "
                       "'client.create')"),
            std::vector<std::string>{std::to_string(kThreads * kEach)});
  EXPECT_EQ(raw.column("SELECT count(*) FROM clients"),
            std::vector<std::string>{std::to_string(1 + kThreads * kEach / 2)});
  const auto stats = store->commit_stats();
  EXPECT_LE(stats.commits, stats.transactions);
}

TEST_F(SqliteStoreTest, AWriterInAnotherProcessMakesBeginUnavailableAfterTheTimeout) {
  SqliteStore::OpenOptions options;
  options.busy_timeout_ms = 100;
  auto store = open(options);
  RawDb other(path_);
  ASSERT_EQ(other.exec("BEGIN IMMEDIATE"), "");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(code(store->begin()), "Unavailable");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  ASSERT_EQ(other.exec("COMMIT"), "");
  EXPECT_EQ(code(store->begin()), "Ok");
}

TEST_F(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  std::ofstream(path_) << "this is a shopping list, not a database\n" << std::string(4096, 'x');
  EXPECT_EQ(code(SqliteStore::open(path_, cipher_)), "FailedPrecondition");
}

TEST_F(SqliteStoreTest, NeedsACipher) {
  EXPECT_EQ(code(SqliteStore::open(path_, nullptr)), "InvalidArgument");
}

TEST_F(SqliteStoreTest, IntegrityCheckPassesOnAFreshStore) {
  auto store = open();
  EXPECT_EQ(code(store->check_integrity()), "Ok");
}

}  // namespace
