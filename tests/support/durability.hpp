// The SIGKILL durability harness, shared by every backend's durability test. A writer
// process (this test executable, re-executed with TANDEM_DURABILITY_WRITER=<url>) records
// check-ins, each in its own committed transaction, and prints each one only after
// commit() returned. The parent kills it with SIGKILL after a seeded random delay, reopens
// the store, and checks that every acknowledged write is there, that every committed
// check-in is whole (session, goal rating, alliance rating and audit row together), and
// whatever backend-specific consistency check it is given. Use, in ONE test source:
//
//   #include "support/durability.hpp"
//
//   core::Result<std::unique_ptr<core::Store>> open_store(const std::string& url);  // yours
//   TANDEM_DURABILITY_WRITER_MODE(open_store);  // at namespace scope: the writer's entry
//
//   TEST(MyStoreDurability, AcknowledgedWritesSurviveSigkill) {
//     const auto report = tandem::durability::run_kill_rounds(url, open_store, check, {});
//     EXPECT_TRUE(report.problems.empty()) << report.summary();
//   }
//
// The writer starts during static initialisation (before GoogleTest's main) when the
// environment variable is set, and never returns (_exit). Linux only (posix_spawn,
// /proc/self/exe, PR_SET_PDEATHSIG). Not thread-safe: run one harness at a time.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/ports.hpp"
#include "core/record.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, for posix_spawn

namespace tandem::durability {

// The writer's store URL; its presence makes the process a writer.
inline constexpr const char* kWriterEnv = "TANDEM_DURABILITY_WRITER";
// The round number, so each round's writer creates its own organisation and e-mail.
inline constexpr const char* kRoundEnv = "TANDEM_DURABILITY_ROUND";

// Opens the store at `url` (migrating it when new). Used by the writer and the checker.
using StoreOpener =
    std::function<core::Result<std::unique_ptr<core::Store>>(const std::string& url)>;
// A backend-specific consistency check of the reopened store (e.g. PRAGMA
// integrity_check); may be empty.
using ConsistencyCheck = std::function<core::Status(core::Store& store)>;

struct Options {
  int rounds = 50;
  std::uint64_t seed = 20260101;
  // The writer is killed this long after it was started (uniformly at random, seeded), so
  // kills land in start-up, migration, set-up and the middle of check-ins alike.
  std::chrono::milliseconds min_delay{2};
  std::chrono::milliseconds max_delay{250};
};

struct Report {
  int rounds = 0;
  int rounds_with_writes = 0;         // rounds in which the writer acknowledged a check-in
  std::int64_t acknowledged = 0;      // check-ins the writers acknowledged, over all rounds
  std::int64_t verified = 0;          // of those, found intact in the final check
  std::int64_t committed = 0;         // check-ins found in the database (acknowledged or not)
  std::vector<std::string> problems;  // empty when every acknowledged write survived

  [[nodiscard]] std::string summary() const {
    std::string out = std::to_string(rounds) + " rounds (" + std::to_string(rounds_with_writes) +
                      " with writes), " + std::to_string(acknowledged) + " acknowledged, " +
                      std::to_string(verified) + " verified, " + std::to_string(committed) +
                      " committed";
    for (std::size_t i = 0; i < problems.size() && i < 20; ++i) out += "\n  " + problems[i];
    if (problems.size() > 20)
      out += "\n  ... and " + std::to_string(problems.size() - 20) + " more";
    return out;
  }
};

namespace detail {

inline constexpr core::Timestamp kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
inline constexpr core::Date kDay0 = 20454;             // 2026-01-01

inline std::string note(int round, int number) {
  return "durability note " + std::to_string(round) + "/" + std::to_string(number);
}

inline void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(4);  // the parent is gone
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] inline void die(const std::string& what, const core::Status& status) {
  write_all(2, "durability writer: " + what + ": " + status.message() + "\n");
  ::_exit(3);
}

template <class T>
T must(core::Result<T> result, const char* what) {
  if (!result) die(what, result.error());
  return std::move(*result);
}
inline void must(const core::Status& status, const char* what) {
  if (!status.is_ok()) die(what, status);
}

// The writer: set up one organisation/episode, then check-ins until killed.
[[noreturn]] inline void writer_main(const StoreOpener& open, const std::string& url, int round) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
  if (::getppid() == 1) ::_exit(5);
  auto store = must(open(url), "open");

  core::Id org = 0;
  core::Id therapist = 0;
  core::Id episode = 0;
  {
    auto tx = must(store->begin(), "begin");
    org = must(tx->create_organisation({0, "Durability " + std::to_string(round), "", kT0}),
               "organisation");
    core::User user;
    user.org = org;
    user.email =
        "writer-" + std::to_string(round) + "-" + std::to_string(::getpid()) + "@example.org";
    user.display_name = "Writer " + std::to_string(round);
    user.role = core::Role::kTherapist;
    user.password_hash = "x";
    user.created_at = kT0;
    therapist = must(tx->create_user(user), "user");
    const core::Id client =
        must(tx->create_client({0, org, "Client " + std::to_string(round), {}, {}, kT0}), "client");
    episode = must(tx->create_episode({0, org, client, therapist, "phq9", kDay0, {}, {}, kT0}),
                   "episode");
    must(tx->commit(), "commit set-up");
  }
  write_all(1, "E " + std::to_string(org) + " " + std::to_string(episode) + " 0 0 " +
                   std::to_string(round) + "\n");

  for (int number = 1; number <= core::kMaxSessionNumber; ++number) {
    auto tx = must(store->begin(), "begin");
    const core::Id session = must(
        tx->create_session({0, org, episode, number, kDay0 + number, core::Attendance::kAttended,
                            false, number % 7 == 0, note(round, number), kT0 + number}),
        "session");
    must(tx->add_goal_rating({0, org, episode, session, "g1", core::Rater::kClient,
                              static_cast<double>(number % 11), therapist, kT0 + number}),
         "goal rating");
    must(tx->add_alliance(
             {0, org, episode, session, static_cast<double>(number % 11), therapist, kT0 + number}),
         "alliance");
    must(tx->append_audit({0, org, therapist, "session.create", "session", session,
                           core::AuditOutcome::kOk, kT0 + number}),
         "audit");
    must(tx->commit(), "commit");
    // Acknowledged only now, after commit() returned.
    write_all(1, "S " + std::to_string(org) + " " + std::to_string(episode) + " " +
                     std::to_string(session) + " " + std::to_string(number) + " " +
                     std::to_string(round) + "\n");
  }
  ::_exit(0);
}

struct Ack {
  char kind = 0;  // 'E' set-up committed, 'S' check-in committed
  core::Id org = 0;
  core::Id episode = 0;
  core::Id session = 0;
  int number = 0;
  int round = 0;
};

inline std::vector<Ack> parse_acks(const std::string& output) {
  std::vector<Ack> acks;
  std::size_t start = 0;
  while (true) {
    const auto end = output.find('\n', start);
    if (end == std::string::npos) break;  // a line cut short was never acknowledged
    const std::string line = output.substr(start, end - start);
    start = end + 1;
    Ack ack;
    long long org = 0;
    long long episode = 0;
    long long session = 0;
    if (std::sscanf(line.c_str(), "%c %lld %lld %lld %d %d", &ack.kind, &org, &episode, &session,
                    &ack.number, &ack.round) == 6) {
      ack.org = org;
      ack.episode = episode;
      ack.session = session;
      acks.push_back(ack);
    }
  }
  return acks;
}

// Starts a writer, lets it run for `delay`, kills it with SIGKILL, returns what it printed.
inline std::string run_writer(const std::string& url, int round, std::chrono::milliseconds delay,
                              std::vector<std::string>& problems) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    problems.push_back("pipe: " + std::string(std::strerror(errno)));
    return {};
  }
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    if (entry.rfind(std::string(kWriterEnv) + "=", 0) == 0) continue;
    if (entry.rfind(std::string(kRoundEnv) + "=", 0) == 0) continue;
    env_strings.push_back(entry);
  }
  env_strings.push_back(std::string(kWriterEnv) + "=" + url);
  env_strings.push_back(std::string(kRoundEnv) + "=" + std::to_string(round));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string arg0 = "tandem-durability-writer";
  char* argv[] = {arg0.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    problems.push_back("round " + std::to_string(round) + ": spawn: " + std::strerror(rc));
    return {};
  }

  std::string output;
  char buffer[65536];
  const auto deadline = std::chrono::steady_clock::now() + delay;
  bool eof = false;
  while (!eof) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      eof = true;
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (true) {  // whatever it printed before it died was acknowledged
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
    problems.push_back("round " + std::to_string(round) + ": the writer stopped by itself (" +
                       (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                          : "signal " + std::to_string(WTERMSIG(status))) +
                       ") before it was killed");
  }
  return output;
}

// Checks `acks` against the store; adds problems; returns how many check-ins were intact
// and (through `committed`) how many check-ins the touched episodes hold.
inline std::int64_t verify(core::Store& store, const std::vector<Ack>& acks,
                           std::vector<std::string>& problems, std::int64_t* committed = nullptr) {
  auto began = store.begin();
  if (!began) {
    problems.push_back("begin after reopening: " + began.error().message());
    return 0;
  }
  core::Transaction& tx = **began;
  std::map<std::pair<core::Id, core::Id>, std::vector<Ack>> by_episode;
  for (const Ack& ack : acks) by_episode[{ack.org, ack.episode}].push_back(ack);

  std::int64_t intact = 0;
  for (const auto& [key, list] : by_episode) {
    const auto [org, episode] = key;
    const std::string where =
        "round " + std::to_string(list.front().round) + ", episode " + std::to_string(episode);
    if (!tx.get_episode(org, episode)) {
      problems.push_back(where + ": the acknowledged set-up is missing");
      continue;
    }
    auto sessions = tx.sessions_of(org, episode);
    auto ratings = tx.goal_ratings_of(org, episode);
    auto alliance = tx.alliance_of(org, episode);
    core::AuditQuery query;
    query.action = "session.create";
    query.page.limit = 1000000;
    auto audit = tx.search_audit(org, query);
    if (!sessions || !ratings || !alliance || !audit) {
      problems.push_back(where + ": reading the episode back failed");
      continue;
    }
    std::map<core::Id, const core::SessionRecord*> by_id;
    for (const auto& s : *sessions) by_id[s.id] = &s;
    std::multiset<core::Id> rated;
    std::multiset<core::Id> allied;
    std::multiset<core::Id> audited;
    for (const auto& r : *ratings) rated.insert(r.session);
    for (const auto& r : *alliance) allied.insert(r.session);
    for (const auto& e : *audit) audited.insert(e.record_id.value_or(0));
    // Every committed check-in is whole, and they are numbered 1..k without gaps.
    int expected_number = 1;
    for (const auto& s : *sessions) {
      if (s.number != expected_number++) {
        problems.push_back(where + ": session numbers have a gap before " +
                           std::to_string(s.number));
        break;
      }
      if (rated.count(s.id) != 1 || allied.count(s.id) != 1 || audited.count(s.id) != 1) {
        problems.push_back(where + ": check-in " + std::to_string(s.number) +
                           " is torn (a transaction was partly applied)");
      }
    }
    if (committed != nullptr) *committed += static_cast<std::int64_t>(sessions->size());
    for (const Ack& ack : list) {
      if (ack.kind != 'S') continue;
      const auto found = by_id.find(ack.session);
      if (found == by_id.end()) {
        problems.push_back(where + ": acknowledged check-in " + std::to_string(ack.number) +
                           " is missing");
        continue;
      }
      const core::SessionRecord& s = *found->second;
      if (s.number != ack.number || s.therapist_notes != note(ack.round, ack.number)) {
        problems.push_back(where + ": acknowledged check-in " + std::to_string(ack.number) +
                           " reads back wrong");
        continue;
      }
      ++intact;
    }
  }
  return intact;
}

}  // namespace detail

// Call from a static initialiser (TANDEM_DURABILITY_WRITER_MODE): returns false at once in
// a normal test run; in a writer process it runs the writer and never returns.
inline bool run_writer_if_requested(const StoreOpener& open) {
  const char* url = std::getenv(kWriterEnv);
  if (url == nullptr || *url == 0) return false;
  const char* round = std::getenv(kRoundEnv);
  detail::writer_main(open, url, round != nullptr ? std::atoi(round) : 0);
}

// Kills a writer `options.rounds` times against the store at `url` and checks after each
// round (and all rounds again at the end) that every acknowledged write survived.
inline Report run_kill_rounds(const std::string& url, const StoreOpener& open,
                              const ConsistencyCheck& check, const Options& options) {
  Report report;
  std::mt19937_64 random(options.seed);
  std::uniform_int_distribution<long> delay_ms(static_cast<long>(options.min_delay.count()),
                                               static_cast<long>(options.max_delay.count()));
  std::vector<detail::Ack> all;
  for (int round = 1; round <= options.rounds; ++round) {
    const std::string output = detail::run_writer(
        url, round, std::chrono::milliseconds(delay_ms(random)), report.problems);
    const std::vector<detail::Ack> acks = detail::parse_acks(output);
    ++report.rounds;
    const auto writes =
        std::count_if(acks.begin(), acks.end(), [](const auto& a) { return a.kind == 'S'; });
    report.acknowledged += writes;
    if (writes > 0) ++report.rounds_with_writes;

    auto store = open(url);  // recovery happens here (WAL replay, or the server's)
    if (!store) {
      report.problems.push_back("round " + std::to_string(round) +
                                ": reopening failed: " + store.error().message());
      continue;
    }
    detail::verify(**store, acks, report.problems);
    if (check) {
      if (const core::Status status = check(**store); !status.is_ok()) {
        report.problems.push_back("round " + std::to_string(round) + ": " + status.message());
      }
    }
    all.insert(all.end(), acks.begin(), acks.end());
  }
  auto store = open(url);
  if (!store) {
    report.problems.push_back("final reopening failed: " + store.error().message());
    return report;
  }
  report.verified = detail::verify(**store, all, report.problems, &report.committed);
  return report;
}

}  // namespace tandem::durability

// Makes this test executable double as the durability writer (see the top of the file).
#define TANDEM_DURABILITY_WRITER_MODE(opener)                         \
  [[maybe_unused]] static const bool tandem_durability_writer_mode_ = \
      ::tandem::durability::run_writer_if_requested(opener)
