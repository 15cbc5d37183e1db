// The demo practice: seeded deterministically, refused on a store that already has users,
// and rich enough to show every pattern and signal the record-of-care issue lists.
// Runs on the in-memory store with a fake clock and a trivial fake hasher (the real argon2id
// hasher is tested in crypto_test).
#include "service/demo.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/progress_profile.hpp"
#include "io/instrument_loader.hpp"
#include "service/accounts.hpp"
#include "service/care_record.hpp"
#include "service/insight.hpp"
#include "service/progress.hpp"
#include "service/reflections.hpp"
#include "storage/memory/memory_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/fake_cipher.hpp"

namespace tandem::service {
namespace {

class FakeClock final : public core::Clock {
 public:
  explicit FakeClock(core::Date today) : today_(today) {}
  core::Timestamp now() const override { return static_cast<core::Timestamp>(today_) * 86400000; }
  core::Date today() const override { return today_; }

 private:
  core::Date today_;
};

// Not a hash: "hash:" + the password. The argon2id hasher is tested in crypto_test.
class FakeHasher final : public core::PasswordHasher {
 public:
  core::Result<std::string> hash(std::string_view password) const override {
    return "hash:" + std::string(password);
  }
  bool verify(std::string_view encoded, std::string_view password) const override {
    return encoded == "hash:" + std::string(password);
  }
};

InstrumentCatalogue shipped_instruments() {
  auto loaded = io::load_instruments(TANDEM_SOURCE_DIR "/instruments");
  if (!loaded) throw std::runtime_error(loaded.error().message());
  return InstrumentCatalogue(*loaded, [](std::string_view json, std::string_view source) {
    return io::parse_instrument(json, source);
  });
}

constexpr core::Date kToday = 20514;  // 2026-03-02

struct Seeded {
  explicit Seeded(std::unique_ptr<core::Store> s) : owned(std::move(s)), store(*owned) {}
  std::unique_ptr<core::Store> owned;
  core::Store& store;
  FakeClock clock{kToday};
  FakeHasher hasher;
  InstrumentCatalogue instruments = shipped_instruments();
  Context ctx{store, clock, hasher, instruments};
  DemoPractice practice;
};

std::unique_ptr<Seeded> seed(std::uint64_t value = kDemoSeed,
                             std::unique_ptr<core::Store> store = nullptr) {
  if (!store) store = std::make_unique<store::MemoryStore>();
  auto s = std::make_unique<Seeded>(std::move(store));
  auto practice = seed_demo_practice(s->store, s->clock, s->hasher, s->instruments, value);
  if (!practice) throw std::runtime_error(practice.error().message());
  s->practice = *practice;
  return s;
}

Actor login(const Context& ctx, const std::string& email) {
  auto actor = authenticate(ctx, email, std::string(kDemoPassword));
  if (!actor) throw std::runtime_error(email + ": " + actor.error().message());
  return *actor;
}

template <class T>
T must(core::Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message());
  return std::move(*result);
}

// Every stored row of the practice, as text, in a fixed order.
std::string dump(core::Store& store, core::Id org) {
  std::ostringstream out;
  auto tx = std::move(*store.begin());
  const core::Page all{0, 100000};
  for (const auto& u : must(tx->list_users(org, all))) {
    out << "user " << u.id << ' ' << u.email << ' ' << u.display_name << ' '
        << static_cast<int>(u.role) << u.trainee << ' ' << u.password_hash << ' '
        << u.client_id.value_or(0) << ' ' << u.created_at << '\n';
  }
  for (const auto& c : must(tx->list_clients(org, all))) {
    out << "client " << c.id << ' ' << c.display_name << ' ' << c.created_at << '\n';
    for (core::Id t : must(tx->therapists_of(org, c.id))) out << " assigned " << t << '\n';
    for (const auto& e : must(tx->episodes_of_client(org, c.id))) {
      out << " episode " << e.id << ' ' << e.instrument << ' ' << e.opened << ' '
          << e.closed.value_or(0) << ' ' << e.created_at << '\n';
      for (const auto& s : must(tx->sessions_of(org, e.id))) {
        out << "  session " << s.id << ' ' << s.number << ' ' << s.date << ' '
            << static_cast<int>(s.attendance) << s.felt_hard_client << s.felt_hard_therapist << ' '
            << s.therapist_notes << ' ' << s.created_at << '\n';
      }
      for (const auto& a : must(tx->administrations_of(org, e.id))) {
        out << "  administration " << a.id << ' ' << a.instrument << ' ' << a.total << ' ' << a.at
            << ':';
        for (double r : a.responses) out << ' ' << r;
        out << '\n';
      }
      for (const auto& d : must(tx->definition_versions(org, e.id))) {
        out << "  definition " << d.version << ' ' << d.hopes << '|' << d.better_looks_like << '|'
            << d.small_shifts << '|' << d.change_note << ' ' << d.changed_at << ' '
            << d.client_agreed_at.value_or(0) << ' ' << d.therapist_agreed_at.value_or(0) << '\n';
        for (const auto& g : d.goals) {
          out << "   goal " << g.key << ' ' << g.text << ' ' << static_cast<int>(g.scale);
          for (const auto& level : g.gas_levels) out << '|' << level;
          out << '\n';
        }
      }
      for (const auto& r : must(tx->goal_ratings_of(org, e.id))) {
        out << "  rating " << r.id << ' ' << r.goal_key << ' ' << static_cast<int>(r.rater) << ' '
            << r.value << ' ' << r.at << '\n';
      }
      for (const auto& r : must(tx->alliance_of(org, e.id))) {
        out << "  alliance " << r.id << ' ' << r.value << ' ' << r.at << '\n';
      }
      for (const auto& m : must(tx->moments_of(org, e.id))) {
        out << "  moment " << m.id << ' ' << m.tag << ' ' << m.text << ' ' << m.at << '\n';
      }
    }
  }
  for (const auto& u : must(tx->list_users(org, all))) {
    for (const auto& r : must(tx->reflections_of(org, u.id, all))) {
      out << "reflection " << r.id << ' ' << r.tried_to_fix << '|' << r.sat_with << ' ' << r.at
          << '\n';
      for (const auto& c : must(tx->comments_of(org, r.id))) {
        out << " comment " << c.id << ' ' << c.text << ' ' << c.at << '\n';
      }
    }
  }
  core::AuditQuery query;
  query.page = all;
  for (const auto& a : must(tx->search_audit(org, query))) {
    out << "audit " << a.id << ' ' << a.actor.value_or(0) << ' ' << a.action << ' ' << a.record_type
        << ' ' << a.record_id.value_or(0) << ' ' << static_cast<int>(a.outcome) << ' ' << a.at
        << '\n';
  }
  return out.str();
}

TEST(Demo, SeedsTheFixedLoginsWithTheDemoPassword) {
  auto s = seed();
  const Actor admin = login(s->ctx, "admin@example.org");
  EXPECT_EQ(admin.role, core::Role::kAdmin);
  EXPECT_EQ(login(s->ctx, "supervisor@example.org").role, core::Role::kSupervisor);
  for (int t = 1; t <= 3; ++t) {
    const Actor therapist = login(s->ctx, "therapist" + std::to_string(t) + "@example.org");
    EXPECT_EQ(therapist.role, core::Role::kTherapist);
    EXPECT_EQ(therapist.trainee, t == 3);
  }
  for (int c = 1; c <= kDemoClients; ++c) {
    const Actor client = login(s->ctx, demo_client_email(c));
    EXPECT_EQ(client.role, core::Role::kClient);
    EXPECT_EQ(client.client_id, s->practice.clients[static_cast<std::size_t>(c - 1)]);
  }
  auto organisation = get_organisation(s->ctx, admin);
  ASSERT_TRUE(organisation);
  EXPECT_EQ(organisation->name, kDemoOrganisation);
}

TEST(Demo, HasFortyClientsWithSixToTwentySessionsEach) {
  auto s = seed();
  ASSERT_EQ(s->practice.clients.size(), static_cast<std::size_t>(kDemoClients));
  std::set<std::size_t> lengths;
  auto tx = std::move(*s->store.begin());
  for (core::Id episode : s->practice.episodes) {
    const auto sessions = *tx->sessions_of(s->practice.org, episode);
    EXPECT_GE(sessions.size(), 6U);
    EXPECT_LE(sessions.size(), 20U);
    lengths.insert(sessions.size());
  }
  EXPECT_GE(lengths.size(), 5U) << "episodes of many different lengths";
}

TEST(Demo, TheSameSeedGivesIdenticalRecords) {
  auto first = seed(7);
  auto second = seed(7);
  const std::string a = dump(first->store, first->practice.org);
  EXPECT_TRUE(a == dump(second->store, second->practice.org));  // long: compared, not printed
  EXPECT_GT(a.size(), 100000U);
  auto other = seed(8);
  EXPECT_FALSE(a == dump(other->store, other->practice.org)) << "another seed, another practice";
}

TEST(Demo, RefusesAStoreThatAlreadyHoldsUsers) {
  store::MemoryStore store;
  FakeClock clock(kToday);
  FakeHasher hasher;
  const InstrumentCatalogue instruments = shipped_instruments();
  const Context ctx{store, clock, hasher, instruments};
  NewOrganisation real;
  real.name = "A real practice";
  real.admin_email = "lead@practice.example";
  real.admin_name = "Practice Lead";
  real.admin_password = "correct horse";
  ASSERT_TRUE(bootstrap_organisation(ctx, real));

  auto refused = seed_demo_practice(store, clock, hasher, instruments);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), core::StatusCode::kFailedPrecondition);
  auto tx = std::move(*store.begin());
  EXPECT_FALSE(tx->find_user_by_email("admin@example.org")) << "nothing was written";
  EXPECT_FALSE(tx->get_organisation(2));
}

TEST(Demo, RefusesToSeedTwice) {
  auto s = seed();
  auto again = seed_demo_practice(s->store, s->clock, s->hasher, s->instruments);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), core::StatusCode::kFailedPrecondition);
}

// Every profile of the practice, through the therapists' caseloads.
struct Labels {
  std::map<std::string, int> patterns;
  std::map<std::string, int> signals;
  std::map<std::string, int> closed;
};

Labels all_labels(Seeded& s) {
  Labels labels;
  for (int t = 1; t <= 3; ++t) {
    const Actor therapist = login(s.ctx, "therapist" + std::to_string(t) + "@example.org");
    auto load = caseload(s.ctx, therapist, therapist.user);
    if (!load) throw std::runtime_error(load.error().message());
    for (const CaseloadEntry& entry : load->clients) {
      for (core::Pattern p : entry.patterns) ++labels.patterns[std::string(core::to_string(p))];
      for (const core::Signal& signal : entry.signals) {
        ++labels.signals[std::string(core::to_string(signal.type))];
      }
      if (entry.ended) {
        auto e = get_episode(s.ctx, therapist, *entry.episode);
        if (!e) throw std::runtime_error(e.error().message());
        ++labels.closed[std::string(core::to_string(*e->close_reason))];
      }
    }
  }
  return labels;
}

TEST(Demo, ShowsEveryPatternAndSignalTheIssueLists) {
  auto s = seed();
  const Labels labels = all_labels(*s);
  // steady improvement, stirring, sudden gain, setback then recovery, steady, deterioration
  for (const char* pattern :
       {"improving", "stirring", "sudden-gain", "setback-recovery", "steady", "worsening"}) {
    EXPECT_GE(labels.patterns.count(pattern), 1U) << pattern;
  }
  // dropout, return after a hard session, perception gap, alliance rupture, crisis flag
  for (const char* signal : {"dropout-risk", "returned-after-hard-session", "perception-gap",
                             "alliance-rupture", "crisis", "review-due"}) {
    EXPECT_GE(labels.signals.count(signal), 1U) << signal;
  }
  // and the rest of what Tandem names
  for (const char* pattern : {"early-response", "achieved", "sustaining"}) {
    EXPECT_GE(labels.patterns.count(pattern), 1U) << pattern;
  }
  EXPECT_GE(labels.closed.count("dropped-out"), 1U);
  EXPECT_GE(labels.closed.count("completed"), 1U);
}

// The embedded default store takes the whole practice in its one transaction, sealed.
TEST(Demo, SeedsIntoSqliteAsOnTheMemoryStore) {
  static std::atomic<int> counter{0};
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("tandem-demo-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db");
  {
    auto cipher = std::make_shared<testing_support::FakeCipher>("fake1");
    auto sqlite = store::SqliteStore::open(file.string(), cipher);
    ASSERT_TRUE(sqlite) << sqlite.error().message();
    auto on_sqlite = seed(kDemoSeed, std::move(*sqlite));
    auto in_memory = seed(kDemoSeed);
    // Compared as a whole, not printed: the dump is long.
    EXPECT_TRUE(dump(on_sqlite->store, on_sqlite->practice.org) ==
                dump(in_memory->store, in_memory->practice.org));
    const Labels labels = all_labels(*on_sqlite);
    EXPECT_GE(labels.patterns.count("stirring"), 1U);
    EXPECT_GE(labels.signals.count("crisis"), 1U);
    auto again = seed_demo_practice(on_sqlite->store, on_sqlite->clock, on_sqlite->hasher,
                                    on_sqlite->instruments);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), core::StatusCode::kFailedPrecondition);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ignored;
    std::filesystem::remove(file.string() + suffix, ignored);
  }
}

}  // namespace
}  // namespace tandem::service
