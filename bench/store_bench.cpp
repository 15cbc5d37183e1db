// tandem_store_bench: seeds a store of the record of care through the Store port (real
// libsodium cipher), then measures check-ins written and profiles read per second beside a
// raw baseline on the same database with the same durability settings (bare prepared
// statements through the C API). Prints a Markdown section for docs/BENCHMARKS.md on
// stdout and progress on stderr. Driven by bench/store; see docs/BENCHMARKS.md.
//
//   tandem_store_bench sqlite PATH | postgres URL   CLIENTS SESSIONS SECONDS THREADS
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "crypto/field_cipher.hpp"
#include "crypto/keyring.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace {

using tandem::core::Id;
using tandem::core::Result;
using tandem::core::Status;
namespace core = tandem::core;

constexpr int kClientsPerBatch = 1000;  // clients seeded per committed transaction
constexpr int kClientsPerTherapist = 100;
constexpr int kMomentEvery = 5;  // one moment every 5 seeded sessions
constexpr int kPhq9Items = 9;
constexpr core::Timestamp kEpoch = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr core::Date kFirstDay = 20454;            // 2026-01-01

[[noreturn]] void die(std::string_view what, const Status& status) {
  fmt::print(stderr, "tandem_store_bench: {}: {}\n", what, status.message());
  std::exit(1);
}

template <class T>
T must(Result<T> result, std::string_view what) {
  if (!result) die(what, result.error());
  return std::move(*result);
}

void must(const Status& status, std::string_view what) {
  if (!status.is_ok()) die(what, status);
}

[[noreturn]] void die(std::string_view what) {
  fmt::print(stderr, "tandem_store_bench: {}\n", what);
  std::exit(1);
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs `op(thread, rng)` on `threads` threads until `seconds` have passed; returns ops/s.
double rate(int threads, double seconds,
            const std::function<void(int thread, std::mt19937_64& rng)>& op) {
  std::atomic<std::int64_t> done{0};
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t) * 7919 + 17);
      std::int64_t mine = 0;
      while (Clock::now() < deadline) {
        op(t, rng);
        ++mine;
      }
      done += mine;
    });
  }
  for (auto& worker : workers) worker.join();
  return static_cast<double>(done.load()) / seconds_since(start);
}

// What was seeded: one organisation, therapists, and one episode per client.
struct Seeded {
  Id org = 0;
  std::vector<Id> therapists;
  std::vector<Id> episodes;           // one per client
  std::vector<Id> episode_therapist;  // the episode's therapist
  std::vector<int> next_number;       // the next free session number of each episode
  Id min_session = 0;
  Id max_session = 0;
  double seconds = 0;
  std::int64_t rows = 0;
};

core::Administration phq9(Id org, Id episode, Id session, Id by, std::mt19937_64& rng) {
  core::Administration a;
  a.org = org;
  a.episode = episode;
  a.session = session;
  a.instrument = "phq9";
  std::uniform_int_distribution<int> item(0, 3);
  for (int i = 0; i < kPhq9Items; ++i) a.responses.push_back(item(rng));
  for (double r : a.responses) a.total += r;
  a.answered_by = core::Rater::kClient;
  a.recorded_by = by;
  a.at = kEpoch;
  return a;
}

core::SessionRecord session_row(Id org, Id episode, int number, std::string notes) {
  core::SessionRecord s;
  s.org = org;
  s.episode = episode;
  s.number = number;
  s.date = kFirstDay + number * 7;
  s.therapist_notes = std::move(notes);
  s.created_at = kEpoch;
  return s;
}

// A session's ratings: two goals (GBO, rated by the client) and the alliance.
std::int64_t rate_session(core::Transaction& tx, Id org, Id episode, Id session, Id by,
                          std::mt19937_64& rng) {
  std::uniform_int_distribution<int> score(0, 10);
  for (const char* key : {"g1", "g2"}) {
    core::GoalRatingRecord g;
    g.org = org;
    g.episode = episode;
    g.session = session;
    g.goal_key = key;
    g.value = score(rng);
    g.recorded_by = by;
    g.at = kEpoch;
    must(tx.add_goal_rating(g), "goal rating");
  }
  core::AllianceRating a;
  a.org = org;
  a.episode = episode;
  a.session = session;
  a.value = score(rng);
  a.recorded_by = by;
  a.at = kEpoch;
  must(tx.add_alliance(a), "alliance rating");
  return 3;
}

core::ProgressDefinition definition(Id org, Id episode, Id by) {
  core::ProgressDefinition d;
  d.org = org;
  d.episode = episode;
  d.hopes = "To get through a week without dreading Monday morning.";
  d.better_looks_like = "Calling my sister back the same day; cooking on weekdays again.";
  d.small_shifts = "Getting up at the first alarm; one walk outside a day.";
  d.change_note = "First version, agreed at the second session.";
  for (const char* key : {"g1", "g2"}) {
    core::GoalDefinition goal;
    goal.key = key;
    goal.text = "Sleep through most nights without checking my phone.";
    d.goals.push_back(goal);
  }
  d.changed_by = by;
  d.changed_at = kEpoch;
  return d;
}

// Seeds `clients` clients (one open episode each, a co-defined progress definition with two
// goals) and `sessions` sessions spread evenly over them, each with a PHQ-9, two goal
// ratings and an alliance rating, a moment every few sessions; kClientsPerBatch clients
// per transaction.
Seeded seed(core::Store& store, int clients, std::int64_t sessions) {
  Seeded s;
  std::mt19937_64 rng(7);
  const auto start = Clock::now();
  {
    auto tx = must(store.begin(), "begin");
    core::Organisation org;
    org.name = "Store benchmark practice";
    org.crisis_text = "Call 111.";
    org.created_at = kEpoch;
    s.org = must(tx->create_organisation(org), "organisation");
    const int therapists = std::max(1, clients / kClientsPerTherapist);
    for (int t = 0; t < therapists; ++t) {
      core::User u;
      u.org = s.org;
      u.email = fmt::format("therapist{}.org{}@bench.example", t, s.org);  // reruns never collide
      u.display_name = fmt::format("Therapist {}", t);
      u.role = core::Role::kTherapist;
      u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$bench$bench";
      u.created_at = kEpoch;
      s.therapists.push_back(must(tx->create_user(u), "therapist"));
    }
    must(tx->commit(), "commit");
  }
  s.episodes.reserve(clients);
  s.next_number.reserve(clients);
  for (int first = 0; first < clients; first += kClientsPerBatch) {
    auto tx = must(store.begin(), "begin");
    const int last = std::min(clients, first + kClientsPerBatch);
    for (int c = first; c < last; ++c) {
      const Id therapist = s.therapists[c % s.therapists.size()];
      core::Client client;
      client.org = s.org;
      client.display_name = fmt::format("Client {}", c);
      client.created_at = kEpoch;
      const Id client_id = must(tx->create_client(client), "client");
      core::EpisodeRecord e;
      e.org = s.org;
      e.client = client_id;
      e.therapist = therapist;
      e.instrument = "phq9";
      e.opened = kFirstDay;
      e.created_at = kEpoch;
      const Id episode = must(tx->create_episode(e), "episode");
      must(tx->add_definition_version(definition(s.org, episode, therapist)), "definition");
      s.rows += 4;
      // Spread the sessions so that the first (sessions % clients) clients get one more.
      const std::int64_t count = sessions / clients + (c < sessions % clients ? 1 : 0);
      for (int n = 1; n <= count; ++n) {
        const Id session =
            must(tx->create_session(session_row(s.org, episode, n, "Talked about the week.")),
                 "session");
        if (s.min_session == 0) s.min_session = session;
        s.max_session = std::max(s.max_session, session);
        must(tx->add_administration(phq9(s.org, episode, session, therapist, rng)),
             "administration");
        s.rows += 2 + rate_session(*tx, s.org, episode, session, therapist, rng);
        if (n % kMomentEvery == 0) {
          core::MomentRecord m;
          m.org = s.org;
          m.episode = episode;
          m.session = session;
          m.tag = "insight";
          m.text = "Noticed the pattern with the Sunday evening phone calls.";
          m.recorded_by = therapist;
          m.at = kEpoch;
          must(tx->add_moment(m), "moment");
          ++s.rows;
        }
      }
      s.episodes.push_back(episode);
      s.episode_therapist.push_back(therapist);
      s.next_number.push_back(static_cast<int>(count) + 1);
    }
    must(tx->commit(), "commit");
    if ((last / kClientsPerBatch) % 10 == 0 || last == clients) {
      fmt::print(stderr, "  seeded {} / {} clients ({:.0f} s)\n", last, clients,
                 seconds_since(start));
    }
  }
  s.seconds = seconds_since(start);
  return s;
}

// One check-in, as the service layer writes it: a session, its PHQ-9, two goal ratings, the
// alliance rating and the audit entry, in one committed transaction. Thread t only writes
// episodes i with i % threads == t, so session numbers never collide.
void check_in(core::Store& store, Seeded& s, int thread, int threads, std::mt19937_64& rng) {
  const std::size_t slots = (s.episodes.size() - thread + threads - 1) / threads;
  const std::size_t i =
      std::uniform_int_distribution<std::size_t>(0, slots - 1)(rng) * threads + thread;
  const Id episode = s.episodes[i];
  const Id by = s.episode_therapist[i];
  auto tx = must(store.begin(), "begin");
  const Id session =
      must(tx->create_session(session_row(s.org, episode, s.next_number[i]++, "Checked in.")),
           "session");
  must(tx->add_administration(phq9(s.org, episode, session, by, rng)), "administration");
  rate_session(*tx, s.org, episode, session, by, rng);
  core::AuditEntry audit;
  audit.org = s.org;
  audit.actor = by;
  audit.action = "session.check-in";
  audit.record_type = "session";
  audit.record_id = session;
  audit.at = kEpoch;
  must(tx->append_audit(audit), "audit");
  must(tx->commit(), "commit");
}

// What computing a profile reads: the episode, its sessions, administrations, definition,
// goal ratings, alliance and moments, in one transaction.
void read_profile(core::Store& store, const Seeded& s, std::mt19937_64& rng) {
  const Id episode =
      s.episodes[std::uniform_int_distribution<std::size_t>(0, s.episodes.size() - 1)(rng)];
  auto tx = must(store.begin(), "begin");
  must(tx->get_episode(s.org, episode), "episode");
  must(tx->sessions_of(s.org, episode), "sessions");
  must(tx->administrations_of(s.org, episode), "administrations");
  must(tx->definition_versions(s.org, episode), "definitions");
  must(tx->goal_ratings_of(s.org, episode), "goal ratings");
  must(tx->alliance_of(s.org, episode), "alliance");
  must(tx->moments_of(s.org, episode), "moments");
  must(tx->commit(), "commit");
}

// The raw baselines: the same database, the same durability settings, a bare table.
class RawBaseline {
 public:
  virtual ~RawBaseline() = default;
  // One committed transaction of `rows` bare prepared INSERTs.
  virtual void insert(int rows, std::mt19937_64& rng) = 0;
  // One prepared SELECT of a session row by primary key.
  virtual void select(Id session) = 0;
};

class SqliteRaw final : public RawBaseline {
 public:
  explicit SqliteRaw(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) die("raw sqlite: open");
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    exec("PRAGMA foreign_keys = ON");
    sqlite3_busy_timeout(db_, 60000);  // a shared disk can stall a commit for seconds
    // Start every run from a checkpointed WAL, so no measurement pays for the seeding's.
    exec("PRAGMA wal_checkpoint(TRUNCATE)");
    exec(
        "CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, "
        "episode_id INTEGER NOT NULL, kind INTEGER NOT NULL, value REAL NOT NULL, "
        "at INTEGER NOT NULL) STRICT");
    begin_ = prepare("BEGIN IMMEDIATE");
    commit_ = prepare("COMMIT");
    insert_ = prepare(
        "INSERT INTO bench_raw (org_id, episode_id, kind, value, at) VALUES (?1, ?2, ?3, ?4, ?5)");
    select_ = prepare(
        "SELECT id, org_id, episode_id, number, date, attendance, therapist_notes FROM sessions "
        "WHERE id = ?1");
  }
  ~SqliteRaw() override {
    for (sqlite3_stmt* stmt : {begin_, commit_, insert_, select_}) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }
  SqliteRaw(const SqliteRaw&) = delete;
  SqliteRaw& operator=(const SqliteRaw&) = delete;

  void insert(int rows, std::mt19937_64& rng) override {
    step(begin_);
    for (int r = 0; r < rows; ++r) {
      sqlite3_bind_int64(insert_, 1, 1);
      sqlite3_bind_int64(insert_, 2, static_cast<std::int64_t>(rng() % 100000));
      sqlite3_bind_int(insert_, 3, r);
      sqlite3_bind_double(insert_, 4, static_cast<double>(rng() % 11));
      sqlite3_bind_int64(insert_, 5, kEpoch);
      step(insert_);
    }
    step(commit_);
  }

  void select(Id session) override {
    sqlite3_bind_int64(select_, 1, session);
    if (sqlite3_step(select_) != SQLITE_ROW) die("raw sqlite: session not found");
    sqlite3_reset(select_);
  }

 private:
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      die(fmt::format("raw sqlite: {}: {}", sql, sqlite3_errmsg(db_)));
    }
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      die(fmt::format("raw sqlite: {}: {}", sql, sqlite3_errmsg(db_)));
    }
    return stmt;
  }
  void step(sqlite3_stmt* stmt) {
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) die(fmt::format("raw sqlite: step: {}", sqlite3_errmsg(db_)));
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
};

class PostgresRaw final : public RawBaseline {
 public:
  PostgresRaw(const std::string& url, Id org) : org_(org) {
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) die(fmt::format("raw postgres: {}", error()));
    exec(
        "CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
        "PRIMARY KEY, org_id BIGINT NOT NULL, episode_id BIGINT NOT NULL, kind INTEGER NOT NULL, "
        "value DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL)");
    prepare("ins",
            "INSERT INTO bench_raw (org_id, episode_id, kind, value, at) VALUES ($1, $2, $3, $4, "
            "$5)");
    prepare("sel",
            "SELECT id, org_id, episode_id, number, date, attendance, therapist_notes FROM "
            "sessions WHERE org_id = $1 AND id = $2");
  }
  ~PostgresRaw() override { PQfinish(conn_); }
  PostgresRaw(const PostgresRaw&) = delete;
  PostgresRaw& operator=(const PostgresRaw&) = delete;

  // One row: a single autocommitted INSERT (one round trip); more: BEGIN, INSERTs, COMMIT.
  void insert(int rows, std::mt19937_64& rng) override {
    if (rows > 1) exec("BEGIN");
    for (int r = 0; r < rows; ++r) {
      const std::string org = std::to_string(org_);
      const std::string episode = std::to_string(rng() % 100000);
      const std::string kind = std::to_string(r);
      const std::string value = std::to_string(rng() % 11);
      const std::string at = std::to_string(kEpoch);
      const char* values[] = {org.c_str(), episode.c_str(), kind.c_str(), value.c_str(),
                              at.c_str()};
      check(PQexecPrepared(conn_, "ins", 5, values, nullptr, nullptr, 0), PGRES_COMMAND_OK);
    }
    if (rows > 1) exec("COMMIT");
  }

  void select(Id session) override {
    const std::string org = std::to_string(org_);
    const std::string id = std::to_string(session);
    const char* values[] = {org.c_str(), id.c_str()};
    PGresult* result = PQexecPrepared(conn_, "sel", 2, values, nullptr, nullptr, 0);
    if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) {
      die("raw postgres: session not found");
    }
    PQclear(result);
  }

 private:
  std::string error() const { return PQerrorMessage(conn_); }
  void check(PGresult* result, ExecStatusType want) {
    const bool ok = PQresultStatus(result) == want;
    PQclear(result);
    if (!ok) die(fmt::format("raw postgres: {}", error()));
  }
  void exec(const char* sql) { check(PQexec(conn_, sql), PGRES_COMMAND_OK); }
  void prepare(const char* name, const char* sql) {
    check(PQprepare(conn_, name, sql, 0, nullptr), PGRES_COMMAND_OK);
  }

  PGconn* conn_ = nullptr;
  Id org_ = 0;
};

std::string per_second(double rate) { return fmt::format("{:.0f} /s", rate); }
std::string percent(double part, double whole) {
  return fmt::format("{:.0f} %", 100.0 * part / whole);
}

// The figures of one backend as a Markdown section (stdout).
void report(std::string_view backend, int clients, std::int64_t sessions, double seconds,
            int threads, const Seeded& seeded, double writes1, double writes1b, double writes_n,
            double raw1, double raw_tx1, double raw_tx_n, double reads1, double reads_n,
            double raw_read1, double raw_read_n) {
  fmt::print("### {}\n\n", backend);
  fmt::print("Seeded {} clients (one episode each, a progress definition with two goals) and {}\n",
             clients, sessions);
  fmt::print(
      "sessions (each with a PHQ-9, two goal ratings and an alliance rating; a moment every {})\n",
      kMomentEvery);
  fmt::print(
      "through the Store port, {} clients per transaction: {} rows in {:.0f} s, {:.0f} rows/s\n",
      kClientsPerBatch, seeded.rows, seeded.seconds,
      static_cast<double>(seeded.rows) / seeded.seconds);
  fmt::print("({:.0f} sessions/s). Each rate below is measured for {:.0f} s.\n\n",
             static_cast<double>(sessions) / seeded.seconds, seconds);
  fmt::print("| measure | threads | rate | raw baseline (same run) | store / raw |\n");
  fmt::print("| --- | --- | --- | --- | --- |\n");
  fmt::print("| raw: 1 prepared INSERT per committed transaction | 1 | {} | | |\n",
             per_second(raw1));
  fmt::print(
      "| check-ins (6 rows per transaction, sealed notes) | 1 | {} | 6 INSERTs per tx: {} | {} |\n",
      per_second(writes1b), per_second(raw_tx1), percent(writes1b, raw_tx1));
  fmt::print("| check-ins, against the 1-row baseline | 1 | {} | 1 INSERT per tx: {} | {} |\n",
             per_second(writes1), per_second(raw1), percent(writes1, raw1));
  fmt::print(
      "| check-ins (6 rows per transaction, sealed notes) | {} | {} | 6 INSERTs per tx: {} | {} "
      "|\n",
      threads, per_second(writes_n), per_second(raw_tx_n), percent(writes_n, raw_tx_n));
  fmt::print("| profile reads (7 queries, fields opened) | 1 | {} | SELECT by key: {} | {} |\n",
             per_second(reads1), per_second(raw_read1), percent(reads1, raw_read1));
  fmt::print("| profile reads (7 queries, fields opened) | {} | {} | SELECT by key: {} | {} |\n\n",
             threads, per_second(reads_n), per_second(raw_read_n), percent(reads_n, raw_read_n));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    fmt::print(stderr,
               "usage: tandem_store_bench sqlite PATH | postgres URL  CLIENTS SESSIONS SECONDS "
               "THREADS\n");
    return 2;
  }
  const std::string backend = argv[1];
  const std::string where = argv[2];
  const int clients = std::atoi(argv[3]);
  const std::int64_t sessions = std::atoll(argv[4]);
  const double seconds = std::atof(argv[5]);
  const int threads = std::atoi(argv[6]);
  if (clients < threads || sessions < 0 || seconds <= 0 || threads < 1) {
    die("CLIENTS must be >= THREADS >= 1, SECONDS > 0");
  }

  auto key = must(tandem::crypto::SecretKey::generate(), "key");
  std::vector<tandem::crypto::SecretKey> keys;
  keys.push_back(std::move(key));
  auto cipher = std::make_shared<const tandem::crypto::SodiumFieldCipher>(
      must(tandem::crypto::Keyring::from_keys(std::move(keys)), "keyring"));

  std::unique_ptr<core::Store> store;
  if (backend == "sqlite") {
    tandem::store::SqliteOpenOptions options;
    options.pool_size = threads + 2;
    options.busy_timeout_ms = 60000;  // as the raw baseline's
    store = must(tandem::store::SqliteStore::open(where, cipher, options), "open sqlite");
  } else if (backend == "postgres") {
    tandem::store::PostgresOptions options;
    options.pool_size = threads + 2;
    store = must(tandem::store::PostgresStore::open(where, cipher, options), "open postgres");
  } else {
    die("backend must be sqlite or postgres");
  }

  fmt::print(stderr, "{}: seeding {} clients, {} sessions\n", backend, clients, sessions);
  Seeded seeded = seed(*store, clients, sessions);
  fmt::print(stderr, "{}: seeded in {:.1f} s\n", backend, seeded.seconds);

  std::vector<std::unique_ptr<RawBaseline>> raw;
  for (int t = 0; t < threads; ++t) {
    if (backend == "sqlite") {
      raw.push_back(std::make_unique<SqliteRaw>(where));
    } else {
      raw.push_back(std::make_unique<PostgresRaw>(where, seeded.org));
    }
  }
  // Store and baseline alternate in 1 s slices so that both see the same disk: on a shared
  // machine fsync latency drifts by an order of magnitude within a minute.
  auto compare = [&](std::string_view what, int n,
                     const std::function<void(int, std::mt19937_64&)>& store_op,
                     const std::function<void(int, std::mt19937_64&)>& raw_op) {
    const int slices = std::max(1, static_cast<int>(seconds));
    const double slice = seconds / slices;
    double store_sum = 0;
    double raw_sum = 0;
    for (int i = 0; i < slices; ++i) {
      raw_sum += rate(n, slice, raw_op);
      store_sum += rate(n, slice, store_op);
    }
    fmt::print(stderr, "  {} ({} thread{}): store {:.0f} /s, raw {:.0f} /s\n", what, n,
               n == 1 ? "" : "s", store_sum / slices, raw_sum / slices);
    return std::pair{store_sum / slices, raw_sum / slices};
  };
  auto raw_insert = [&](int rows) {
    return [&raw, rows](int t, std::mt19937_64& rng) { raw[t]->insert(rows, rng); };
  };
  auto raw_select = [&](int t, std::mt19937_64& rng) {
    raw[t]->select(std::uniform_int_distribution<Id>(seeded.min_session, seeded.max_session)(rng));
  };
  auto check_ins = [&](int n) {
    return [&, n](int t, std::mt19937_64& rng) { check_in(*store, seeded, t, n, rng); };
  };
  auto profiles = [&](int, std::mt19937_64& rng) { read_profile(*store, seeded, rng); };
  constexpr int kCheckInRows = 6;

  const auto [writes1, raw1] =
      compare("check-ins vs 1-row inserts", 1, check_ins(1), raw_insert(1));
  const auto [writes1b, raw_tx1] =
      compare("check-ins vs 6-row transactions", 1, check_ins(1), raw_insert(kCheckInRows));
  const auto [writes_n, raw_tx_n] = compare("check-ins vs 6-row transactions", threads,
                                            check_ins(threads), raw_insert(kCheckInRows));
  const auto [reads1, raw_read1] =
      compare("profile reads vs select by key", 1, profiles, raw_select);
  const auto [reads_n, raw_read_n] =
      compare("profile reads vs select by key", threads, profiles, raw_select);

  report(backend == "sqlite" ? "SQLite (WAL, synchronous=FULL)"
                             : "PostgreSQL (fsync=on, synchronous_commit=on)",
         clients, sessions, seconds, threads, seeded, writes1, writes1b, writes_n, raw1, raw_tx1,
         raw_tx_n, reads1, reads_n, raw_read1, raw_read_n);
  return 0;
}
