// The storage CONTRACT: what every core::Store backend (SQLite, PostgreSQL, in-memory)
// must do, as one GoogleTest suite run against each backend. Include this header in
// exactly ONE test source per test binary and instantiate it with a factory that returns
// a NEW, EMPTY, MIGRATED store using the cipher it is given:
//
//   #include "support/store_contract.hpp"
//
//   INSTANTIATE_STORE_CONTRACT(Memory, [](std::shared_ptr<const tandem::core::FieldCipher> cipher)
//                                          -> std::unique_ptr<tandem::core::Store> {
//     return std::make_unique<tandem::store::MemoryStore>(std::move(cipher));
//   });
//
// Each test calls the factory once (so a factory for a server database should create a
// fresh database or schema per call and drop it when the store is destroyed). The cipher
// is tests/support/fake_cipher.hpp's FakeCipher; the reseal test rotates its key.
//
// What the suite pins down beyond the comments in core/ports.hpp:
//  - Ids are positive and increase in creation order within a table.
//  - Organisation-scoped lists (list_users, list_clients, count_users, list_instruments,
//    search_audit) return only that organisation's rows. A list scoped to a parent row
//    (sessions_of, therapists_of, clients_of, reflections_of, comments_of, ...) is NotFound
//    when the parent is not a row of that organisation, and empty when it has no children.
//  - A create/assign/link that refers to a row of another organisation (or to a session of
//    another episode) is NotFound, and so is an update of a row the organisation lacks.
//  - Paged lists are in id order, id > page.after, at most page.limit rows (clients_of:
//    by client id). sessions_of is in session-number order; definition_versions by
//    version; therapists_of/supervisees_of/supervisors_of by user id; list_instruments
//    by instrument id; every other list by id.
//  - search_audit: actor, record_type, record_id exact; action exact, or a prefix when it
//    ends in '.' (no wildcards: '_' and '%' are literal); time from <= at < to.
//  - add_definition_version ignores definition.version and returns 1, 2, ... per episode.
//  - A failed call may leave the transaction unusable (PostgreSQL aborts it): the suite
//    makes every expected failure in a transaction of its own and drops it.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "support/fake_cipher.hpp"

namespace tandem::contract {

// Returns a new, empty, migrated store that seals free text with `cipher`.
using StoreFactory =
    std::function<std::unique_ptr<core::Store>(std::shared_ptr<const core::FieldCipher> cipher)>;

struct Backend {
  std::string name;
  StoreFactory make;
};
// NOLINTNEXTLINE(readability-identifier-naming): GoogleTest looks for this name
inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

using core::Id;

inline constexpr core::Timestamp kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
inline constexpr core::Timestamp kMinute = 60000;

inline core::Date date(const char* text) {
  const auto parsed = core::parse_date(text);
  if (!parsed) throw std::invalid_argument(text);
  return *parsed;
}

inline std::string code(const core::Status& status) {
  switch (status.code()) {
    case core::StatusCode::kOk:
      return "Ok";
    case core::StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case core::StatusCode::kNotFound:
      return "NotFound";
    case core::StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case core::StatusCode::kPermissionDenied:
      return "PermissionDenied";
    case core::StatusCode::kUnauthenticated:
      return "Unauthenticated";
    case core::StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    case core::StatusCode::kResourceExhausted:
      return "ResourceExhausted";
    case core::StatusCode::kUnavailable:
      return "Unavailable";
    case core::StatusCode::kInternal:
      return "Internal";
  }
  return "?";
}
template <class T>
std::string code(const core::Result<T>& result) {
  return result ? "Ok" : code(result.error());
}

// Unwraps a result or throws (GoogleTest reports the exception as the test's failure).
template <class T>
T must(core::Result<T> result) {
  if (!result) throw std::runtime_error(code(result.error()) + ": " + result.error().message());
  return std::move(*result);
}
inline void must(const core::Status& status) {
  if (!status.is_ok()) throw std::runtime_error(code(status) + ": " + status.message());
}

// Field-by-field views for comparisons.
inline auto fields(const core::Organisation& o) {
  return std::make_tuple(o.id, o.name, o.crisis_text, o.created_at);
}
inline auto fields(const core::User& u) {
  return std::make_tuple(u.id, u.org, u.email, u.display_name, static_cast<int>(u.role), u.trainee,
                         u.password_hash, u.client_id, u.active, u.created_at);
}
inline auto fields(const core::Client& c) {
  return std::make_tuple(c.id, c.org, c.display_name, c.birth_date, c.consent.care,
                         c.consent.research, c.created_at);
}
inline auto fields(const core::EpisodeRecord& e) {
  std::optional<int> reason;
  if (e.close_reason) reason = static_cast<int>(*e.close_reason);
  return std::make_tuple(e.id, e.org, e.client, e.therapist, e.instrument, e.opened, e.closed,
                         reason, e.created_at);
}
inline auto fields(const core::SessionRecord& s) {
  return std::make_tuple(s.id, s.org, s.episode, s.number, s.date, static_cast<int>(s.attendance),
                         s.felt_hard_client, s.felt_hard_therapist, s.therapist_notes,
                         s.created_at);
}
inline auto fields(const core::InstrumentRecord& i) {
  return std::make_tuple(i.org, i.instrument, i.definition_json, i.updated_at);
}
inline auto fields(const core::GoalDefinition& g) {
  return std::make_tuple(g.key, g.text, static_cast<int>(g.scale), g.gas_levels, g.weight);
}
inline auto fields(const core::GoalRatingRecord& r) {
  return std::make_tuple(r.id, r.org, r.episode, r.session, r.goal_key, static_cast<int>(r.rater),
                         r.value, r.recorded_by, r.at);
}
inline auto fields(const core::AllianceRating& r) {
  return std::make_tuple(r.id, r.org, r.episode, r.session, r.value, r.recorded_by, r.at);
}
inline auto fields(const core::MomentRecord& m) {
  return std::make_tuple(m.id, m.org, m.episode, m.session, m.tag, m.text, static_cast<int>(m.by),
                         m.recorded_by, m.at);
}
inline auto fields(const core::Reflection& r) {
  return std::make_tuple(r.id, r.org, r.author, r.episode, r.tried_to_fix, r.sat_with, r.at);
}
inline auto fields(const core::ReflectionComment& c) {
  return std::make_tuple(c.id, c.org, c.reflection, c.author, c.text, c.at);
}
inline auto fields(const core::AuditEntry& e) {
  return std::make_tuple(e.id, e.org, e.actor, e.action, e.record_type, e.record_id,
                         static_cast<int>(e.outcome), e.at);
}

inline void expect_same(const core::ProgressDefinition& want, const core::ProgressDefinition& got) {
  EXPECT_EQ(want.org, got.org);
  EXPECT_EQ(want.episode, got.episode);
  EXPECT_EQ(want.version, got.version);
  EXPECT_EQ(want.hopes, got.hopes);
  EXPECT_EQ(want.better_looks_like, got.better_looks_like);
  EXPECT_EQ(want.small_shifts, got.small_shifts);
  EXPECT_EQ(want.change_note, got.change_note);
  EXPECT_EQ(want.changed_by, got.changed_by);
  EXPECT_EQ(want.changed_at, got.changed_at);
  EXPECT_EQ(want.client_agreed_at, got.client_agreed_at);
  EXPECT_EQ(want.therapist_agreed_at, got.therapist_agreed_at);
  EXPECT_EQ(want.revised_at_session, got.revised_at_session);
  ASSERT_EQ(want.goals.size(), got.goals.size());
  for (std::size_t i = 0; i < want.goals.size(); ++i) {
    EXPECT_EQ(fields(want.goals[i]), fields(got.goals[i])) << "goal " << i;
  }
}

template <class T>
std::vector<Id> ids_of(const std::vector<T>& rows) {
  std::vector<Id> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

inline core::User make_user(Id org, const std::string& email, core::Role role) {
  core::User user;
  user.org = org;
  user.email = email;
  user.display_name = "Name of " + email;
  user.role = role;
  user.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
  user.created_at = kT0;
  return user;
}

// A small practice: an organisation with an admin, a therapist, a trainee, a supervisor,
// a client with their own account, an episode and its first session.
struct World {
  Id org = 0;
  Id admin = 0;
  Id therapist = 0;
  Id trainee = 0;
  Id supervisor = 0;
  Id client = 0;
  Id client_user = 0;
  Id episode = 0;
  Id session = 0;
};

inline World seed_world(core::Transaction& tx, const std::string& tag) {
  World w;
  w.org = must(tx.create_organisation({0, "Practice " + tag, "Crisis line for " + tag, kT0}));
  w.client = must(tx.create_client(
      {0, w.org, "Client " + tag, date("1990-04-02"), core::Consent{true, false}, kT0}));
  w.admin =
      must(tx.create_user(make_user(w.org, "admin-" + tag + "@example.org", core::Role::kAdmin)));
  w.therapist = must(tx.create_user(
      make_user(w.org, "therapist-" + tag + "@example.org", core::Role::kTherapist)));
  core::User trainee = make_user(w.org, "trainee-" + tag + "@example.org", core::Role::kTherapist);
  trainee.trainee = true;
  w.trainee = must(tx.create_user(trainee));
  w.supervisor = must(tx.create_user(
      make_user(w.org, "supervisor-" + tag + "@example.org", core::Role::kSupervisor)));
  core::User client_user = make_user(w.org, "client-" + tag + "@example.org", core::Role::kClient);
  client_user.client_id = w.client;
  w.client_user = must(tx.create_user(client_user));
  w.episode = must(tx.create_episode({0, w.org, w.client, w.therapist, "phq9", date("2026-01-05"),
                                      std::nullopt, std::nullopt, kT0}));
  w.session = must(
      tx.create_session({0, w.org, w.episode, 1, date("2026-01-05"), core::Attendance::kAttended,
                         false, false, "First meeting " + tag, kT0}));
  return w;
}

// A client's invitation, valid for a week from kT0.
inline core::Invitation make_invitation(Id org, Id client, Id by, char hash) {
  core::Invitation i;
  i.org = org;
  i.client = client;
  i.created_by = by;
  i.token_hash = std::string(64, hash);
  i.created_at = kT0;
  i.expires_at = kT0 + 7 * 24 * 60 * kMinute;
  return i;
}
// A member of staff's invitation: no client, a role and the name the account will carry.
inline core::Invitation make_staff_invitation(Id org, Id by, char hash, core::Role role,
                                              const std::string& name, bool trainee = false) {
  core::Invitation i = make_invitation(org, 0, by, hash);
  i.client = std::nullopt;
  i.role = role;
  i.display_name = name;
  i.trainee = trainee;
  return i;
}

inline core::ProgressDefinition make_definition(const World& w, const std::string& words) {
  core::ProgressDefinition d;
  d.org = w.org;
  d.episode = w.episode;
  d.hopes = "To sleep through the night " + words;
  d.better_looks_like = "Walking the dog in the morning again " + words;
  d.small_shifts = "Answering one message a day " + words;
  core::GoalDefinition sleep;
  sleep.key = "sleep";
  sleep.text = "Sleep more than five hours " + words;
  sleep.scale = core::GoalScale::kGbo;
  core::GoalDefinition friends;
  friends.key = "friends";
  friends.text = "See a friend each week " + words;
  friends.scale = core::GoalScale::kGas;
  friends.gas_levels = {"No contact at all", "A text now and then", "One visit a fortnight",
                        "One visit a week", "Two visits a week"};
  friends.weight = 2.5;
  d.goals = {sleep, friends};
  d.change_note = "First agreed together " + words;
  d.changed_by = w.therapist;
  d.changed_at = kT0 + kMinute;
  return d;
}

}  // namespace tandem::contract

// The fixture lives in the global namespace so INSTANTIATE_STORE_CONTRACT works anywhere.
class StoreContract : public ::testing::TestWithParam<tandem::contract::Backend> {
 protected:
  using Id = tandem::core::Id;
  using Tx = tandem::core::Transaction;

  void SetUp() override {
    cipher_ = std::make_shared<tandem::testing_support::FakeCipher>("fake1");
    store_ = GetParam().make(cipher_);
    ASSERT_NE(store_, nullptr) << "the store factory returned no store";
  }

  std::unique_ptr<Tx> begin() { return tandem::contract::must(store_->begin()); }

  // Runs `body` in a transaction of its own and commits.
  template <class F>
  auto committed(F body) {
    auto tx = begin();
    if constexpr (std::is_void_v<decltype(body(*tx))>) {
      body(*tx);
      tandem::contract::must(tx->commit());
    } else {
      auto out = body(*tx);
      tandem::contract::must(tx->commit());
      return out;
    }
  }

  // The status code of `call` run in a transaction of its own, which is then dropped.
  template <class F>
  std::string code_alone(F call) {
    auto tx = begin();
    return tandem::contract::code(call(*tx));
  }

  tandem::contract::World world(const std::string& tag) {
    return committed([&](Tx& tx) { return tandem::contract::seed_world(tx, tag); });
  }

  std::shared_ptr<tandem::testing_support::FakeCipher> cipher_;
  std::unique_ptr<tandem::core::Store> store_;
};

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreContract);

// Instantiates the contract for one backend: Name is a test-name prefix, factory a
// tandem::contract::StoreFactory (or any callable convertible to one).
#define INSTANTIATE_STORE_CONTRACT(Name, ...)                                                      \
  INSTANTIATE_TEST_SUITE_P(Name, StoreContract,                                                    \
                           ::testing::Values(::tandem::contract::Backend{                          \
                               #Name, ::tandem::contract::StoreFactory(__VA_ARGS__)}),             \
                           [](const ::testing::TestParamInfo<::tandem::contract::Backend>& info) { \
                             return info.param.name;                                               \
                           })

// ---------------------------------------------------------------------------------------
// Store and transaction lifecycle

TEST_P(StoreContract, NewStoreIsMigratedAndHealthy) {
  using namespace tandem::contract;
  EXPECT_GE(store_->latest_schema_version(), 1);
  EXPECT_EQ(must(store_->schema_version()), store_->latest_schema_version());
  EXPECT_EQ(code(store_->ping()), "Ok");
}

TEST_P(StoreContract, CommittedWritesAreVisibleToTheNextTransaction) {
  using namespace tandem::contract;
  auto tx = begin();
  const World w = seed_world(*tx, "a");
  must(tx->append_audit({0, w.org, w.admin, "client.create", "client", w.client,
                         tandem::core::AuditOutcome::kOk, kT0}));
  must(tx->commit());
  tx.reset();

  auto reader = begin();
  EXPECT_EQ(must(reader->get_organisation(w.org)).name, "Practice a");
  EXPECT_EQ(must(reader->get_client(w.org, w.client)).display_name, "Client a");
  EXPECT_EQ(must(reader->find_user_by_email("therapist-a@example.org")).id, w.therapist);
  EXPECT_EQ(must(reader->sessions_of(w.org, w.episode)).size(), 1U);
  EXPECT_EQ(must(reader->search_audit(w.org, {})).size(), 1U);
}

TEST_P(StoreContract, DroppingATransactionWithoutCommitKeepsNothing) {
  using namespace tandem::contract;
  const World kept = world("kept");
  Id org = 0;
  Id client = 0;
  {
    auto tx = begin();
    const World w = seed_world(*tx, "dropped");
    org = w.org;
    client = w.client;
    must(tx->create_client({0, kept.org, "Unsaved client", std::nullopt, {}, kT0}));
    must(tx->close_episode(kept.org, kept.episode, date("2026-03-01"),
                           tandem::core::CloseReason::kCompleted));
    must(tx->append_audit({0, kept.org, std::nullopt, "client.create", "client", std::nullopt,
                           tandem::core::AuditOutcome::kOk, kT0}));
  }  // destroyed without commit
  auto tx = begin();
  EXPECT_EQ(code(tx->get_organisation(org)), "NotFound");
  EXPECT_EQ(code(tx->get_client(org, client)), "NotFound");
  EXPECT_EQ(code(tx->find_user_by_email("therapist-dropped@example.org")), "NotFound");
  EXPECT_EQ(must(tx->list_clients(kept.org, {})).size(), 1U);
  EXPECT_FALSE(must(tx->get_episode(kept.org, kept.episode)).closed.has_value());
  EXPECT_TRUE(must(tx->search_audit(kept.org, {})).empty());
}

TEST_P(StoreContract, CommitEndsTheTransaction) {
  using namespace tandem::contract;
  auto tx = begin();
  const Id org = must(tx->create_organisation({0, "Practice", "", kT0}));
  must(tx->commit());
  EXPECT_NE(code(tx->commit()), "Ok");
  EXPECT_NE(code(tx->create_organisation({0, "Late", "", kT0})), "Ok");
  tx.reset();
  EXPECT_EQ(must(begin()->get_organisation(org)).name, "Practice");
}

// ---------------------------------------------------------------------------------------
// Organisations and users

TEST_P(StoreContract, OrganisationRoundTripsAndUpdates) {
  using namespace tandem::contract;
  const Id org = committed([](Tx& tx) {
    return must(tx.create_organisation(
        {0, "Riverside Talking Therapies", "If you are in danger now, call 999.", kT0}));
  });
  EXPECT_GT(org, 0);
  EXPECT_EQ(fields(must(begin()->get_organisation(org))),
            fields(tandem::core::Organisation{org, "Riverside Talking Therapies",
                                              "If you are in danger now, call 999.", kT0}));
  committed([&](Tx& tx) {
    must(tx.update_organisation({org, "Riverside", "Call 111, option 2.", kT0 + kMinute}));
  });
  const auto updated = must(begin()->get_organisation(org));
  EXPECT_EQ(updated.name, "Riverside");
  EXPECT_EQ(updated.crisis_text, "Call 111, option 2.");
  EXPECT_EQ(updated.created_at, kT0);
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.update_organisation({org + 1000, "X", "", 0});
            }),
            "NotFound");
}

TEST_P(StoreContract, UserRoundTripKeepsEveryField) {
  using namespace tandem::contract;
  const World w = world("a");
  tandem::core::User inactive =
      make_user(w.org, "old-admin@example.org", tandem::core::Role::kAdmin);
  inactive.active = false;
  inactive.display_name = "Ms Élodie O'Brien — retired";
  inactive.created_at = kT0 + 5 * kMinute;
  inactive.id = committed([&](Tx& tx) { return must(tx.create_user(inactive)); });

  auto tx = begin();
  EXPECT_EQ(fields(must(tx->get_user(w.org, inactive.id))), fields(inactive));
  tandem::core::User trainee =
      make_user(w.org, "trainee-a@example.org", tandem::core::Role::kTherapist);
  trainee.id = w.trainee;
  trainee.trainee = true;
  EXPECT_EQ(fields(must(tx->get_user(w.org, w.trainee))), fields(trainee));
  tandem::core::User client = make_user(w.org, "client-a@example.org", tandem::core::Role::kClient);
  client.id = w.client_user;
  client.client_id = w.client;
  EXPECT_EQ(fields(must(tx->get_user(w.org, w.client_user))), fields(client));
}

TEST_P(StoreContract, EmailIsUniqueAcrossOrganisations) {
  using namespace tandem::contract;
  const World a = world("a");
  const World b = world("b");
  auto tx = begin();
  auto taken =
      tx->create_user(make_user(b.org, "therapist-a@example.org", tandem::core::Role::kTherapist));
  ASSERT_EQ(code(taken), "AlreadyExists");
  EXPECT_EQ(taken.error().field(), "email");
  tx.reset();
  EXPECT_EQ(must(begin()->find_user_by_email("therapist-a@example.org")).org, a.org);
}

TEST_P(StoreContract, FindUserByEmailSearchesEveryOrganisation) {
  using namespace tandem::contract;
  const World a = world("a");
  const World b = world("b");
  auto tx = begin();
  const auto found = must(tx->find_user_by_email("supervisor-b@example.org"));
  EXPECT_EQ(found.id, b.supervisor);
  EXPECT_EQ(found.org, b.org);
  EXPECT_EQ(found.role, tandem::core::Role::kSupervisor);
  EXPECT_EQ(must(tx->find_user_by_email("admin-a@example.org")).id, a.admin);
  EXPECT_EQ(code(tx->find_user_by_email("nobody@example.org")), "NotFound");
}

TEST_P(StoreContract, UpdateUserChangesNameRoleFlagsHashAndActive) {
  using namespace tandem::contract;
  const World w = world("a");
  tandem::core::User user = must(begin()->get_user(w.org, w.trainee));
  user.display_name = "Dr Sam Okafor";
  user.trainee = false;
  user.role = tandem::core::Role::kSupervisor;
  user.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA";
  user.active = false;
  committed([&](Tx& tx) { must(tx.update_user(user)); });
  EXPECT_EQ(fields(must(begin()->get_user(w.org, w.trainee))), fields(user));

  tandem::core::User ghost = user;
  ghost.id = user.id + 1000;
  EXPECT_EQ(code_alone([&](Tx& tx) { return tx.update_user(ghost); }), "NotFound");
}

TEST_P(StoreContract, ListUsersPagesByIdAndCountUsersCounts) {
  using namespace tandem::contract;
  const World w = world("a");
  world("b");  // another organisation's users never appear
  committed([&](Tx& tx) {
    for (int i = 0; i < 4; ++i) {
      must(tx.create_user(make_user(w.org, "extra" + std::to_string(i) + "@example.org",
                                    tandem::core::Role::kTherapist)));
    }
  });
  auto tx = begin();
  EXPECT_EQ(must(tx->count_users(w.org)), 9);
  const auto everyone = ids_of(must(tx->list_users(w.org, {0, 100})));
  ASSERT_EQ(everyone.size(), 9U);
  EXPECT_TRUE(std::is_sorted(everyone.begin(), everyone.end()));
  std::vector<Id> paged;
  Id after = 0;
  for (int page = 0; page < 10; ++page) {
    const auto rows = must(tx->list_users(w.org, {after, 4}));
    EXPECT_LE(rows.size(), 4U);
    if (rows.empty()) break;
    for (const auto& row : rows) paged.push_back(row.id);
    after = rows.back().id;
  }
  EXPECT_EQ(paged, everyone);
  EXPECT_EQ(ids_of(must(tx->list_users(w.org, {everyone[2], 3}))),
            (std::vector<Id>{everyone[3], everyone[4], everyone[5]}));
}

// ---------------------------------------------------------------------------------------
// Clients, assignments and supervision

TEST_P(StoreContract, ClientRoundTripsWithAndWithoutBirthDateAndUpdates) {
  using namespace tandem::contract;
  const World w = world("a");
  tandem::core::Client plain{
      0, w.org, "Jo (they/them)", std::nullopt, tandem::core::Consent{false, true}, kT0 + kMinute};
  plain.id = committed([&](Tx& tx) { return must(tx.create_client(plain)); });
  auto tx = begin();
  EXPECT_EQ(fields(must(tx->get_client(w.org, plain.id))), fields(plain));
  EXPECT_EQ(fields(must(tx->get_client(w.org, w.client))),
            fields(tandem::core::Client{w.client, w.org, "Client a", date("1990-04-02"),
                                        tandem::core::Consent{true, false}, kT0}));
  tx.reset();

  plain.display_name = "Jo Marsh";
  plain.birth_date = date("2001-12-31");
  plain.consent = {true, true};
  committed([&](Tx& tx2) { must(tx2.update_client(plain)); });
  EXPECT_EQ(fields(must(begin()->get_client(w.org, plain.id))), fields(plain));
}

TEST_P(StoreContract, ListClientsPagesById) {
  using namespace tandem::contract;
  const World w = world("a");
  world("b");
  committed([&](Tx& tx) {
    for (int i = 0; i < 4; ++i) {
      must(tx.create_client({0, w.org, "Client " + std::to_string(i), std::nullopt, {}, kT0}));
    }
  });
  auto tx = begin();
  const auto all = ids_of(must(tx->list_clients(w.org, {0, 100})));
  ASSERT_EQ(all.size(), 5U);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(ids_of(must(tx->list_clients(w.org, {0, 2}))), (std::vector<Id>{all[0], all[1]}));
  EXPECT_EQ(ids_of(must(tx->list_clients(w.org, {all[1], 2}))), (std::vector<Id>{all[2], all[3]}));
  EXPECT_EQ(ids_of(must(tx->list_clients(w.org, {all[3], 2}))), (std::vector<Id>{all[4]}));
  EXPECT_TRUE(must(tx->list_clients(w.org, {all[4], 2})).empty());
}

TEST_P(StoreContract, AssignIsIdempotentAndListsBothWays) {
  using namespace tandem::contract;
  const World w = world("a");
  std::vector<Id> clients;
  committed([&](Tx& tx) {
    for (int i = 0; i < 3; ++i) {
      clients.push_back(must(tx.create_client({0, w.org, "C" + std::to_string(i), {}, {}, kT0})));
    }
    for (Id client : clients) must(tx.assign({w.org, client, w.therapist, kT0}));
    must(tx.assign({w.org, clients[0], w.trainee, kT0}));
  });
  committed([&](Tx& tx) {
    must(tx.assign({w.org, clients[0], w.therapist, kT0 + kMinute}));  // again: no change
    must(tx.assign({w.org, clients[0], w.therapist, kT0 + kMinute}));
  });
  auto tx = begin();
  const auto therapists = must(tx->therapists_of(w.org, clients[0]));
  std::vector<Id> want{w.therapist, w.trainee};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(therapists, want);
  EXPECT_TRUE(must(tx->therapists_of(w.org, w.client)).empty());
  EXPECT_EQ(ids_of(must(tx->clients_of(w.org, w.therapist, {0, 100}))), clients);
  EXPECT_EQ(ids_of(must(tx->clients_of(w.org, w.therapist, {0, 2}))),
            (std::vector<Id>{clients[0], clients[1]}));
  EXPECT_EQ(ids_of(must(tx->clients_of(w.org, w.therapist, {clients[1], 2}))),
            (std::vector<Id>{clients[2]}));
  const auto first = must(tx->clients_of(w.org, w.therapist, {0, 1}));
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(first[0].display_name, "C0");
  EXPECT_TRUE(must(tx->clients_of(w.org, w.supervisor, {})).empty());
}

TEST_P(StoreContract, UnassignRemovesOnlyThatAssignment) {
  using namespace tandem::contract;
  const World w = world("a");
  committed([&](Tx& tx) {
    must(tx.assign({w.org, w.client, w.therapist, kT0}));
    must(tx.assign({w.org, w.client, w.trainee, kT0}));
  });
  committed([&](Tx& tx) { must(tx.unassign(w.org, w.client, w.therapist)); });
  EXPECT_EQ(must(begin()->therapists_of(w.org, w.client)), (std::vector<Id>{w.trainee}));
  EXPECT_EQ(code_alone([&](Tx& tx) { return tx.unassign(w.org, w.client, w.therapist); }),
            "NotFound");
}

TEST_P(StoreContract, SupervisionLinksAreIdempotentAndListBothWays) {
  using namespace tandem::contract;
  const World w = world("a");
  committed([&](Tx& tx) {
    must(tx.link_supervision({w.org, w.supervisor, w.trainee, kT0}));
    must(tx.link_supervision({w.org, w.supervisor, w.therapist, kT0}));
  });
  committed([&](Tx& tx) { must(tx.link_supervision({w.org, w.supervisor, w.trainee, kT0 + 1})); });
  auto tx = begin();
  std::vector<Id> want{w.trainee, w.therapist};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(must(tx->supervisees_of(w.org, w.supervisor)), want);
  EXPECT_EQ(must(tx->supervisors_of(w.org, w.trainee)), (std::vector<Id>{w.supervisor}));
  EXPECT_TRUE(must(tx->supervisors_of(w.org, w.supervisor)).empty());
  EXPECT_TRUE(must(tx->supervisees_of(w.org, w.therapist)).empty());
}

// ---------------------------------------------------------------------------------------
// Episodes and sessions

TEST_P(StoreContract, EpisodeRoundTripsAndCloses) {
  using namespace tandem::contract;
  const World w = world("a");
  tandem::core::EpisodeRecord second{0,
                                     w.org,
                                     w.client,
                                     w.trainee,
                                     "gad7",
                                     date("2026-02-01"),
                                     date("2026-02-20"),
                                     tandem::core::CloseReason::kTransferred,
                                     kT0 + kMinute};
  second.id = committed([&](Tx& tx) { return must(tx.create_episode(second)); });
  committed([&](Tx& tx) {
    must(tx.close_episode(w.org, w.episode, date("2026-04-30"),
                          tandem::core::CloseReason::kDroppedOut));
  });
  auto tx = begin();
  EXPECT_EQ(fields(must(tx->get_episode(w.org, second.id))), fields(second));
  const auto closed = must(tx->get_episode(w.org, w.episode));
  EXPECT_EQ(closed.closed, date("2026-04-30"));
  EXPECT_EQ(closed.close_reason, tandem::core::CloseReason::kDroppedOut);
  EXPECT_EQ(closed.opened, date("2026-01-05"));
  EXPECT_EQ(closed.instrument, "phq9");
  EXPECT_EQ(ids_of(must(tx->episodes_of_client(w.org, w.client))),
            (std::vector<Id>{w.episode, second.id}));
  const Id lonely = must(tx->create_client({0, w.org, "No episodes", {}, {}, kT0}));
  EXPECT_TRUE(must(tx->episodes_of_client(w.org, lonely)).empty());
}

TEST_P(StoreContract, SessionRoundTripKeepsEveryField) {
  using namespace tandem::contract;
  const World w = world("a");
  tandem::core::SessionRecord missed{0,
                                     w.org,
                                     w.episode,
                                     2,
                                     date("2026-01-12"),
                                     tandem::core::Attendance::kDidNotAttend,
                                     true,
                                     false,
                                     "",
                                     kT0 + kMinute};
  tandem::core::SessionRecord hard{0,
                                   w.org,
                                   w.episode,
                                   3,
                                   date("2026-01-19"),
                                   tandem::core::Attendance::kAttended,
                                   false,
                                   true,
                                   "Talked about her father; long silence, then tears.",
                                   kT0 + 2 * kMinute};
  committed([&](Tx& tx) {
    missed.id = must(tx.create_session(missed));
    hard.id = must(tx.create_session(hard));
  });
  auto tx = begin();
  EXPECT_EQ(fields(must(tx->get_session(w.org, missed.id))), fields(missed));
  EXPECT_EQ(fields(must(tx->get_session(w.org, hard.id))), fields(hard));
}

TEST_P(StoreContract, SessionsAreListedByNumber) {
  using namespace tandem::contract;
  const World w = world("a");
  committed([&](Tx& tx) {
    for (int number : {4, 2, 3}) {
      must(tx.create_session({0, w.org, w.episode, number, date("2026-01-05") + number,
                              tandem::core::Attendance::kCancelled, false, false, "", kT0}));
    }
  });
  std::vector<int> numbers;
  for (const auto& s : must(begin()->sessions_of(w.org, w.episode))) numbers.push_back(s.number);
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 3, 4}));
}

TEST_P(StoreContract, SessionNumberIsUniquePerEpisode) {
  using namespace tandem::contract;
  const World w = world("a");
  auto tx = begin();
  auto again = tx->create_session({0, w.org, w.episode, 1, date("2026-01-06"),
                                   tandem::core::Attendance::kAttended, false, false, "", kT0});
  ASSERT_EQ(code(again), "AlreadyExists");
  EXPECT_EQ(again.error().field(), "number");
  tx.reset();
  committed([&](Tx& tx2) {
    const Id other = must(tx2.create_episode(
        {0, w.org, w.client, w.therapist, "phq9", date("2026-06-01"), {}, {}, kT0}));
    must(tx2.create_session({0, w.org, other, 1, date("2026-06-01"),
                             tandem::core::Attendance::kAttended, false, false, "", kT0}));
  });
  EXPECT_EQ(must(begin()->sessions_of(w.org, w.episode)).size(), 1U);
}

TEST_P(StoreContract, UpdateSessionChangesAttendanceFlagsAndNotes) {
  using namespace tandem::contract;
  const World w = world("a");
  auto session = must(begin()->get_session(w.org, w.session));
  session.attendance = tandem::core::Attendance::kCancelled;
  session.felt_hard_client = true;
  session.felt_hard_therapist = true;
  session.therapist_notes = "Rescheduled: client unwell.";
  session.date = date("2026-01-07");
  committed([&](Tx& tx) { must(tx.update_session(session)); });
  EXPECT_EQ(fields(must(begin()->get_session(w.org, w.session))), fields(session));
  session.id += 1000;
  EXPECT_EQ(code_alone([&](Tx& tx) { return tx.update_session(session); }), "NotFound");
}

// ---------------------------------------------------------------------------------------
// Instruments and administrations

TEST_P(StoreContract, PutInstrumentInsertsOrReplaces) {
  using namespace tandem::contract;
  const World a = world("a");
  const World b = world("b");
  committed([&](Tx& tx) {
    must(tx.put_instrument({a.org, "core10", R"({"id":"core10","v":1})", kT0}));
    must(tx.put_instrument({a.org, "brief", R"({"id":"brief"})", kT0}));
    must(tx.put_instrument({b.org, "core10", R"({"id":"core10","b":true})", kT0}));
  });
  committed([&](Tx& tx) {
    must(tx.put_instrument({a.org, "core10", R"({"id":"core10","v":2})", kT0 + kMinute}));
  });
  const auto listed = must(begin()->list_instruments(a.org));
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(fields(listed[0]),
            fields(tandem::core::InstrumentRecord{a.org, "brief", R"({"id":"brief"})", kT0}));
  EXPECT_EQ(fields(listed[1]), fields(tandem::core::InstrumentRecord{
                                   a.org, "core10", R"({"id":"core10","v":2})", kT0 + kMinute}));
  EXPECT_EQ(must(begin()->list_instruments(b.org)).size(), 1U);
}

TEST_P(StoreContract, AdministrationKeepsMissingAnswersAndUnscorableTotals) {
  using namespace tandem::contract;
  const World w = world("a");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  tandem::core::Administration scored{0,
                                      w.org,
                                      w.episode,
                                      w.session,
                                      "phq9",
                                      {0, 1, 2, 3, 0, 1, 2, 3, 0.5},
                                      12.5,
                                      tandem::core::Rater::kClient,
                                      w.client_user,
                                      kT0};
  tandem::core::Administration gappy{0,           w.org,
                                     w.episode,   std::nullopt,
                                     "gad7",      {1, nan, 2, nan, nan, nan, 0},
                                     nan,         tandem::core::Rater::kTherapist,
                                     w.therapist, kT0 + 1};
  tandem::core::Administration empty{0,
                                     w.org,
                                     w.episode,
                                     std::nullopt,
                                     "custom",
                                     {},
                                     0.0,
                                     tandem::core::Rater::kClient,
                                     w.client_user,
                                     kT0 + 2};
  committed([&](Tx& tx) {
    scored.id = must(tx.add_administration(scored));
    gappy.id = must(tx.add_administration(gappy));
    empty.id = must(tx.add_administration(empty));
  });
  const auto got = must(begin()->administrations_of(w.org, w.episode));
  ASSERT_EQ(got.size(), 3U);
  const tandem::core::Administration* want[] = {&scored, &gappy, &empty};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& g = got[i];
    const auto& e = *want[i];
    EXPECT_EQ(std::make_tuple(g.id, g.org, g.episode, g.session, g.instrument,
                              static_cast<int>(g.answered_by), g.recorded_by, g.at),
              std::make_tuple(e.id, e.org, e.episode, e.session, e.instrument,
                              static_cast<int>(e.answered_by), e.recorded_by, e.at));
    ASSERT_EQ(g.responses.size(), e.responses.size()) << i;
    for (std::size_t k = 0; k < e.responses.size(); ++k) {
      if (std::isnan(e.responses[k])) {
        EXPECT_TRUE(std::isnan(g.responses[k])) << i << "/" << k;
      } else {
        EXPECT_EQ(g.responses[k], e.responses[k]) << i << "/" << k;
      }
    }
    if (std::isnan(e.total)) {
      EXPECT_TRUE(std::isnan(g.total));
    } else {
      EXPECT_EQ(g.total, e.total);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Co-defined progress

TEST_P(StoreContract, DefinitionVersionsAreAppendOnlyAndKeepEveryField) {
  using namespace tandem::contract;
  const World w = world("a");
  auto first = make_definition(w, "(v1)");
  auto second = make_definition(w, "(v2)");
  second.goals.pop_back();
  second.goals[0].text = "Sleep six hours, most nights";
  second.change_note = "Friends goal met; sleep goal sharpened.";
  second.changed_by = w.trainee;
  second.changed_at = kT0 + 60 * kMinute;
  second.client_agreed_at = kT0 + 61 * kMinute;
  second.revised_at_session = 3;
  second.version = 42;  // ignored: the store numbers versions
  committed([&](Tx& tx) { EXPECT_EQ(must(tx.add_definition_version(first)), 1); });
  committed([&](Tx& tx) { EXPECT_EQ(must(tx.add_definition_version(second)), 2); });
  first.version = 1;
  second.version = 2;
  const auto versions = must(begin()->definition_versions(w.org, w.episode));
  ASSERT_EQ(versions.size(), 2U);
  expect_same(first, versions[0]);
  expect_same(second, versions[1]);

  const Id other = committed([&](Tx& tx) {
    return must(tx.create_episode(
        {0, w.org, w.client, w.therapist, "phq9", date("2026-09-01"), {}, {}, kT0}));
  });
  EXPECT_TRUE(must(begin()->definition_versions(w.org, other)).empty());
}

TEST_P(StoreContract, AgreementsAreRecordedPerVersionAndSide) {
  using namespace tandem::contract;
  const World w = world("a");
  committed([&](Tx& tx) {
    must(tx.add_definition_version(make_definition(w, "one")));
    must(tx.add_definition_version(make_definition(w, "two")));
  });
  committed([&](Tx& tx) {
    must(tx.record_agreement(w.org, w.episode, 1, tandem::core::Rater::kClient, kT0 + 10));
    must(tx.record_agreement(w.org, w.episode, 2, tandem::core::Rater::kTherapist, kT0 + 20));
  });
  const auto versions = must(begin()->definition_versions(w.org, w.episode));
  ASSERT_EQ(versions.size(), 2U);
  EXPECT_EQ(versions[0].client_agreed_at, kT0 + 10);
  EXPECT_FALSE(versions[0].therapist_agreed_at.has_value());
  EXPECT_FALSE(versions[1].client_agreed_at.has_value());
  EXPECT_EQ(versions[1].therapist_agreed_at, kT0 + 20);
  EXPECT_EQ(versions[1].hopes, "To sleep through the night two");
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.record_agreement(w.org, w.episode, 3, tandem::core::Rater::kClient, kT0);
            }),
            "NotFound");
}

// ---------------------------------------------------------------------------------------
// Ratings and moments

TEST_P(StoreContract, GoalRatingsAndAllianceRoundTripInOrder) {
  using namespace tandem::contract;
  const World w = world("a");
  std::vector<tandem::core::GoalRatingRecord> ratings{
      {0, w.org, w.episode, w.session, "sleep", tandem::core::Rater::kClient, 3.5, w.client_user,
       kT0},
      {0, w.org, w.episode, w.session, "sleep", tandem::core::Rater::kTherapist, 2, w.therapist,
       kT0 + 1},
      {0, w.org, w.episode, w.session, "friends", tandem::core::Rater::kClient, -2, w.client_user,
       kT0 + 2},
  };
  std::vector<tandem::core::AllianceRating> alliance{
      {0, w.org, w.episode, w.session, 7.25, w.client_user, kT0},
      {0, w.org, w.episode, w.session, 0, w.client_user, kT0 + 1},
  };
  committed([&](Tx& tx) {
    for (auto& r : ratings) r.id = must(tx.add_goal_rating(r));
    for (auto& r : alliance) r.id = must(tx.add_alliance(r));
  });
  auto tx = begin();
  const auto got = must(tx->goal_ratings_of(w.org, w.episode));
  ASSERT_EQ(got.size(), ratings.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(fields(got[i]), fields(ratings[i]));
  const auto got_alliance = must(tx->alliance_of(w.org, w.episode));
  ASSERT_EQ(got_alliance.size(), alliance.size());
  for (std::size_t i = 0; i < alliance.size(); ++i) {
    EXPECT_EQ(fields(got_alliance[i]), fields(alliance[i]));
  }
}

TEST_P(StoreContract, MomentsRoundTripWithAndWithoutSession) {
  using namespace tandem::contract;
  const World w = world("a");
  std::vector<tandem::core::MomentRecord> moments{
      {0, w.org, w.episode, w.session, "laughed", "Laughed about the cat, first time in weeks",
       tandem::core::Rater::kTherapist, w.therapist, kT0},
      {0, w.org, w.episode, std::nullopt, "my-own-tag", "Went to the shop alone",
       tandem::core::Rater::kClient, w.client_user, kT0 + 1},
      {0, w.org, w.episode, w.session, "honest", "", tandem::core::Rater::kClient, w.client_user,
       kT0 + 2},
  };
  committed([&](Tx& tx) {
    for (auto& m : moments) m.id = must(tx.add_moment(m));
  });
  const auto got = must(begin()->moments_of(w.org, w.episode));
  ASSERT_EQ(got.size(), moments.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(fields(got[i]), fields(moments[i]));
}

TEST_P(StoreContract, EpisodeRecordsAreTheListsAndLeaveSealedTextUnopened) {
  using namespace tandem::contract;
  using tandem::core::SealedText;
  const World w = world("a");
  const World other = world("b");
  committed([&](Tx& tx) {
    must(tx.add_definition_version(make_definition(w, "v1")));
    must(tx.add_definition_version(make_definition(w, "v2")));
    must(tx.add_administration({0,
                                w.org,
                                w.episode,
                                w.session,
                                "phq9",
                                {1, 2, 3, 0, 1, 2, 3, 0, 1},
                                13.0,
                                tandem::core::Rater::kClient,
                                w.client_user,
                                kT0}));
    must(tx.add_goal_rating({0, w.org, w.episode, w.session, "sleep", tandem::core::Rater::kClient,
                             4, w.client_user, kT0}));
    must(tx.add_alliance({0, w.org, w.episode, w.session, 7.5, w.client_user, kT0}));
    must(tx.add_moment({0, w.org, w.episode, w.session, "laughed", "About the cat",
                        tandem::core::Rater::kTherapist, w.therapist, kT0}));
  });
  auto tx = begin();
  const auto opened = must(tx->episode_records(w.org, w.episode, SealedText::kOpen));
  EXPECT_EQ(fields(opened.episode), fields(must(tx->get_episode(w.org, w.episode))));
  const auto sessions = must(tx->sessions_of(w.org, w.episode));
  ASSERT_EQ(opened.sessions.size(), sessions.size());
  EXPECT_EQ(fields(opened.sessions[0]), fields(sessions[0]));
  EXPECT_EQ(opened.sessions[0].therapist_notes, "First meeting a");
  EXPECT_EQ(opened.administrations.size(), 1U);
  ASSERT_EQ(opened.definitions.size(), 2U);
  EXPECT_EQ(opened.definitions[1].hopes, "To sleep through the night v2");
  EXPECT_EQ(opened.definitions[1].goals.at(1).gas_levels[0], "No contact at all");
  ASSERT_EQ(opened.goal_ratings.size(), 1U);
  EXPECT_EQ(fields(opened.goal_ratings[0]), fields(must(tx->goal_ratings_of(w.org, w.episode))[0]));
  ASSERT_EQ(opened.alliance.size(), 1U);
  EXPECT_EQ(fields(opened.alliance[0]), fields(must(tx->alliance_of(w.org, w.episode))[0]));
  ASSERT_EQ(opened.moments.size(), 1U);
  EXPECT_EQ(opened.moments[0].text, "About the cat");

  const long opens_before = cipher_->opens();
  const auto sealed = must(tx->episode_records(w.org, w.episode, SealedText::kLeaveSealed));
  EXPECT_EQ(cipher_->opens(), opens_before) << "leaving text sealed opened some of it";
  tandem::core::EpisodeRecords expected = opened;
  tandem::core::clear_sealed_text(expected);
  EXPECT_EQ(fields(sealed.episode), fields(expected.episode));
  ASSERT_EQ(sealed.sessions.size(), 1U);
  EXPECT_EQ(fields(sealed.sessions[0]), fields(expected.sessions[0]));
  EXPECT_EQ(sealed.sessions[0].therapist_notes, "");
  ASSERT_EQ(sealed.definitions.size(), 2U);
  EXPECT_EQ(sealed.definitions[1].hopes, "");
  EXPECT_EQ(sealed.definitions[1].version, 2);
  ASSERT_EQ(sealed.definitions[1].goals.size(), 2U);
  for (std::size_t g = 0; g < 2; ++g) {
    EXPECT_EQ(fields(sealed.definitions[1].goals[g]), fields(expected.definitions[1].goals[g]));
  }
  EXPECT_EQ(sealed.definitions[1].goals[1].key, "friends");
  EXPECT_EQ(sealed.definitions[1].goals[1].scale, tandem::core::GoalScale::kGas);
  EXPECT_EQ(sealed.administrations.at(0).total, 13.0);
  EXPECT_EQ(fields(sealed.goal_ratings.at(0)), fields(opened.goal_ratings[0]));
  EXPECT_EQ(fields(sealed.alliance.at(0)), fields(opened.alliance[0]));
  EXPECT_EQ(fields(sealed.moments.at(0)), fields(expected.moments[0]));
  EXPECT_EQ(sealed.moments[0].tag, "laughed");
  tx.reset();

  EXPECT_EQ(code_alone([&](Tx& t) {
              return t.episode_records(w.org, other.episode, SealedText::kLeaveSealed);
            }),
            "NotFound");
  EXPECT_EQ(code_alone([&](Tx& t) { return t.episode_records(w.org, 999999, SealedText::kOpen); }),
            "NotFound");
}

TEST_P(StoreContract, RatingASessionOfAnotherEpisodeIsNotFound) {
  using namespace tandem::contract;
  const World w = world("a");
  const Id other = committed([&](Tx& tx) {
    return must(tx.create_episode(
        {0, w.org, w.client, w.therapist, "phq9", date("2026-09-01"), {}, {}, kT0}));
  });
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.add_goal_rating({0, w.org, other, w.session, "sleep",
                                         tandem::core::Rater::kClient, 5, w.client_user, kT0});
            }),
            "NotFound");
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.add_alliance({0, w.org, other, w.session, 5, w.client_user, kT0});
            }),
            "NotFound");
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.add_moment({0, w.org, other, w.session, "laughed", "x",
                                    tandem::core::Rater::kClient, w.client_user, kT0});
            }),
            "NotFound");
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.add_administration({0,
                                            w.org,
                                            other,
                                            w.session,
                                            "phq9",
                                            {1},
                                            1,
                                            tandem::core::Rater::kClient,
                                            w.client_user,
                                            kT0});
            }),
            "NotFound");
}

// ---------------------------------------------------------------------------------------
// Reflections

TEST_P(StoreContract, ReflectionsAndCommentsRoundTrip) {
  using namespace tandem::contract;
  const World w = world("a");
  std::vector<tandem::core::Reflection> reflections;
  for (int i = 0; i < 3; ++i) {
    reflections.push_back({0, w.org, w.trainee,
                           i == 0 ? std::optional<Id>(w.episode) : std::nullopt,
                           "I tried to fix her sleep straight away #" + std::to_string(i),
                           "I sat with not knowing what to say #" + std::to_string(i), kT0 + i});
  }
  std::vector<tandem::core::ReflectionComment> comments;
  committed([&](Tx& tx) {
    for (auto& r : reflections) r.id = must(tx.add_reflection(r));
    comments.push_back({0, w.org, reflections[0].id, w.supervisor,
                        "What did staying with it feel like?", kT0 + 10});
    comments.push_back(
        {0, w.org, reflections[0].id, w.trainee, "Uncomfortable, then calmer.", kT0 + 11});
    for (auto& c : comments) c.id = must(tx.add_comment(c));
  });
  auto tx = begin();
  EXPECT_EQ(fields(must(tx->get_reflection(w.org, reflections[1].id))), fields(reflections[1]));
  const auto all = must(tx->reflections_of(w.org, w.trainee, {0, 10}));
  ASSERT_EQ(all.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(fields(all[i]), fields(reflections[i]));
  EXPECT_EQ(ids_of(must(tx->reflections_of(w.org, w.trainee, {reflections[0].id, 1}))),
            (std::vector<Id>{reflections[1].id}));
  EXPECT_TRUE(must(tx->reflections_of(w.org, w.therapist, {})).empty());
  const auto got = must(tx->comments_of(w.org, reflections[0].id));
  ASSERT_EQ(got.size(), 2U);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(fields(got[i]), fields(comments[i]));
  EXPECT_TRUE(must(tx->comments_of(w.org, reflections[2].id)).empty());
}

// ---------------------------------------------------------------------------------------
// Audit

namespace tandem::contract {
// Audit rows for the search tests: (actor, action, record type, record id, at).
inline std::vector<core::AuditEntry> audit_rows(const World& w) {
  using core::AuditOutcome;
  return {
      {0, w.org, w.therapist, "episode.read", "episode", w.episode, AuditOutcome::kOk, kT0},
      {0, w.org, w.therapist, "episode.create", "episode", w.episode, AuditOutcome::kOk, kT0 + 10},
      {0, w.org, w.admin, "user_role.grant", "user", w.trainee, AuditOutcome::kOk, kT0 + 20},
      {0, w.org, w.admin, "userXrole.grant", "user", w.trainee, AuditOutcome::kDenied, kT0 + 30},
      {0, w.org, std::nullopt, "episodes.export", "organisation", std::nullopt,
       AuditOutcome::kError, kT0 + 40},
      {0, w.org, w.client_user, "session.create", "session", w.session, AuditOutcome::kInvalid,
       kT0 + 50},
      {0, w.org, w.therapist, "episode", "episode", w.episode, AuditOutcome::kNotFound, kT0 + 60},
  };
}
}  // namespace tandem::contract

TEST_P(StoreContract, AuditEntriesRoundTripInIdOrder) {
  using namespace tandem::contract;
  const World w = world("a");
  auto rows = audit_rows(w);
  committed([&](Tx& tx) {
    for (auto& row : rows) row.id = must(tx.append_audit(row));
  });
  const auto got = must(begin()->search_audit(w.org, {}));
  ASSERT_EQ(got.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(fields(got[i]), fields(rows[i]));
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end(),
                             [](const auto& x, const auto& y) { return x.id < y.id; }));
}

TEST_P(StoreContract, AuditSearchFiltersByActorActionRecordAndTime) {
  using namespace tandem::contract;
  const World w = world("a");
  const World other = world("b");
  auto rows = audit_rows(w);
  committed([&](Tx& tx) {
    for (auto& row : rows) row.id = must(tx.append_audit(row));
    for (const auto& row : audit_rows(other)) must(tx.append_audit(row));
  });
  auto search = [&](const tandem::core::AuditQuery& q) {
    return ids_of(must(begin()->search_audit(w.org, q)));
  };
  auto pick = [&](std::initializer_list<int> indexes) {
    std::vector<Id> ids;
    for (int i : indexes) ids.push_back(rows[static_cast<std::size_t>(i)].id);
    return ids;
  };
  tandem::core::AuditQuery q;
  q.actor = w.admin;
  EXPECT_EQ(search(q), pick({2, 3}));
  q = {};
  q.action = "episode.read";
  EXPECT_EQ(search(q), pick({0}));
  q.action = "episode.";  // a prefix: not "episode" itself, not "episodes.export"
  EXPECT_EQ(search(q), pick({0, 1}));
  q.action = "user_role.";  // '_' is a literal character, not a wildcard
  EXPECT_EQ(search(q), pick({2}));
  q.action = "episode";
  EXPECT_EQ(search(q), pick({6}));
  q = {};
  q.record_type = "episode";
  EXPECT_EQ(search(q), pick({0, 1, 6}));
  q.record_id = w.episode;
  EXPECT_EQ(search(q), pick({0, 1, 6}));
  q = {};
  q.record_id = w.trainee;
  q.record_type = "user";
  EXPECT_EQ(search(q), pick({2, 3}));
  q = {};
  q.from = kT0 + 10;
  q.to = kT0 + 40;  // from <= at < to
  EXPECT_EQ(search(q), pick({1, 2, 3}));
  q.actor = w.therapist;
  q.action = "episode.";
  EXPECT_EQ(search(q), pick({1}));
  q = {};
  q.actor = other.admin;  // another organisation's actor: nothing here
  EXPECT_TRUE(search(q).empty());
}

TEST_P(StoreContract, AuditSearchPages) {
  using namespace tandem::contract;
  const World w = world("a");
  auto rows = audit_rows(w);
  committed([&](Tx& tx) {
    for (auto& row : rows) row.id = must(tx.append_audit(row));
  });
  tandem::core::AuditQuery q;
  q.page = {0, 3};
  EXPECT_EQ(ids_of(must(begin()->search_audit(w.org, q))),
            (std::vector<Id>{rows[0].id, rows[1].id, rows[2].id}));
  q.page = {rows[2].id, 3};
  EXPECT_EQ(ids_of(must(begin()->search_audit(w.org, q))),
            (std::vector<Id>{rows[3].id, rows[4].id, rows[5].id}));
  q.page = {rows[5].id, 3};
  EXPECT_EQ(ids_of(must(begin()->search_audit(w.org, q))), (std::vector<Id>{rows[6].id}));
  q.actor = w.therapist;
  q.page = {rows[0].id, 1};
  EXPECT_EQ(ids_of(must(begin()->search_audit(w.org, q))), (std::vector<Id>{rows[1].id}));
}

// ---------------------------------------------------------------------------------------
// Organisations are walled off from each other

namespace tandem::contract {
// Adds a reflection with a comment and a definition version to the world.
struct Extras {
  Id reflection = 0;
};
inline Extras seed_extras(core::Transaction& tx, const World& w) {
  Extras e;
  e.reflection = must(tx.add_reflection({0, w.org, w.trainee, w.episode, "fix", "sat", kT0}));
  must(tx.add_comment({0, w.org, e.reflection, w.supervisor, "comment", kT0}));
  must(tx.add_definition_version(make_definition(w, "x")));
  must(tx.add_goal_rating(
      {0, w.org, w.episode, w.session, "sleep", core::Rater::kClient, 4, w.client_user, kT0}));
  must(tx.add_alliance({0, w.org, w.episode, w.session, 8, w.client_user, kT0}));
  must(tx.add_moment(
      {0, w.org, w.episode, w.session, "laughed", "t", core::Rater::kClient, w.client_user, kT0}));
  must(tx.add_administration({0,
                              w.org,
                              w.episode,
                              w.session,
                              "phq9",
                              {1, 2},
                              3,
                              core::Rater::kClient,
                              w.client_user,
                              kT0}));
  must(tx.assign({w.org, w.client, w.therapist, kT0}));
  must(tx.link_supervision({w.org, w.supervisor, w.trainee, kT0}));
  return e;
}
}  // namespace tandem::contract

TEST_P(StoreContract, RowsOfAnotherOrganisationAreNotFound) {
  using namespace tandem::contract;
  using tandem::core::Rater;
  const World a = world("a");
  const World b = world("b");
  const Extras ax = committed([&](Tx& tx) { return seed_extras(tx, a); });
  const Id o = b.org;  // every call below asks organisation B for a row of A
  const auto nf = [&](auto call) { return code_alone(call); };
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_user(o, a.therapist); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_client(o, a.client); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.therapists_of(o, a.client); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.clients_of(o, a.therapist, {}); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.supervisees_of(o, a.supervisor); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.supervisors_of(o, a.trainee); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_episode(o, a.episode); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.episodes_of_client(o, a.client); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_session(o, a.session); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.sessions_of(o, a.episode); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.administrations_of(o, a.episode); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.definition_versions(o, a.episode); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.goal_ratings_of(o, a.episode); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.alliance_of(o, a.episode); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.moments_of(o, a.episode); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_reflection(o, ax.reflection); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.reflections_of(o, a.trainee, {}); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.comments_of(o, ax.reflection); }), "NotFound");

  // Writes aimed at A's rows from B change nothing.
  auto user = must(begin()->get_user(a.org, a.therapist));
  user.org = o;
  user.display_name = "Hijacked";
  EXPECT_EQ(nf([&](Tx& tx) { return tx.update_user(user); }), "NotFound");
  auto client = must(begin()->get_client(a.org, a.client));
  client.org = o;
  client.display_name = "Hijacked";
  EXPECT_EQ(nf([&](Tx& tx) { return tx.update_client(client); }), "NotFound");
  auto session = must(begin()->get_session(a.org, a.session));
  session.org = o;
  session.therapist_notes = "Hijacked";
  EXPECT_EQ(nf([&](Tx& tx) { return tx.update_session(session); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.close_episode(o, a.episode, date("2026-02-02"),
                                      tandem::core::CloseReason::kCompleted);
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.record_agreement(o, a.episode, 1, Rater::kClient, kT0); }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.unassign(o, a.client, a.therapist); }), "NotFound");

  auto tx = begin();
  EXPECT_EQ(must(tx->get_user(a.org, a.therapist)).display_name, "Name of therapist-a@example.org");
  EXPECT_EQ(must(tx->get_client(a.org, a.client)).display_name, "Client a");
  EXPECT_EQ(must(tx->get_session(a.org, a.session)).therapist_notes, "First meeting a");
  EXPECT_FALSE(must(tx->get_episode(a.org, a.episode)).closed.has_value());
  EXPECT_FALSE(must(tx->definition_versions(a.org, a.episode))[0].client_agreed_at.has_value());
  EXPECT_EQ(must(tx->therapists_of(a.org, a.client)), (std::vector<Id>{a.therapist}));
}

TEST_P(StoreContract, OrganisationWideListsShowOnlyTheirOwnRows) {
  using namespace tandem::contract;
  const World a = world("a");
  const World b = world("b");
  committed([&](Tx& tx) {
    must(tx.create_client({0, b.org, "Second client of b", {}, {}, kT0}));
    must(tx.put_instrument({a.org, "core10", "{}", kT0}));
    must(tx.append_audit({0, a.org, a.admin, "client.read", "client", a.client,
                          tandem::core::AuditOutcome::kOk, kT0}));
  });
  auto tx = begin();
  for (const auto& user : must(tx->list_users(b.org, {0, 100}))) EXPECT_EQ(user.org, b.org);
  EXPECT_EQ(must(tx->list_users(b.org, {0, 100})).size(), 5U);
  EXPECT_EQ(must(tx->count_users(b.org)), 5);
  const auto clients = must(tx->list_clients(b.org, {0, 100}));
  EXPECT_EQ(clients.size(), 2U);
  for (const auto& client : clients) EXPECT_EQ(client.org, b.org);
  EXPECT_TRUE(must(tx->list_instruments(b.org)).empty());
  EXPECT_TRUE(must(tx->search_audit(b.org, {})).empty());
  tandem::core::AuditQuery by_record;
  by_record.record_id = a.client;
  EXPECT_TRUE(must(tx->search_audit(b.org, by_record)).empty());
}

TEST_P(StoreContract, ReferencesIntoAnotherOrganisationAreRefused) {
  using namespace tandem::contract;
  using tandem::core::Rater;
  const World a = world("a");
  const World b = world("b");
  const Extras ax = committed([&](Tx& tx) { return seed_extras(tx, a); });
  const Id o = b.org;
  const auto nf = [&](auto call) { return code_alone(call); };
  auto client_user = make_user(o, "new-client@example.org", tandem::core::Role::kClient);
  client_user.client_id = a.client;
  EXPECT_EQ(nf([&](Tx& tx) { return tx.create_user(client_user); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.create_episode({0, o, a.client, b.therapist, "phq9", 0, {}, {}, kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.create_episode({0, o, b.client, a.therapist, "phq9", 0, {}, {}, kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.create_session({0, o, a.episode, 7, 0, tandem::core::Attendance::kAttended,
                                        false, false, "", kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.assign({o, a.client, b.therapist, kT0}); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.assign({o, b.client, a.therapist, kT0}); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.link_supervision({o, a.supervisor, b.trainee, kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.link_supervision({o, b.supervisor, a.trainee, kT0});
            }),
            "NotFound");
  auto definition = make_definition(a, "stolen");
  definition.org = o;
  definition.changed_by = b.therapist;
  EXPECT_EQ(nf([&](Tx& tx) { return tx.add_definition_version(definition); }), "NotFound");
  EXPECT_EQ(
      nf([&](Tx& tx) {
        return tx.add_administration(
            {0, o, a.episode, std::nullopt, "phq9", {1}, 1, Rater::kClient, b.client_user, kT0});
      }),
      "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.add_goal_rating(
                  {0, o, b.episode, a.session, "sleep", Rater::kClient, 1, b.client_user, kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.add_alliance({0, o, a.episode, a.session, 1, b.client_user, kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.add_moment({0, o, a.episode, std::nullopt, "laughed", "x", Rater::kClient,
                                    b.client_user, kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.add_reflection({0, o, a.trainee, std::nullopt, "x", "y", kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.add_reflection({0, o, b.trainee, a.episode, "x", "y", kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.add_comment({0, o, ax.reflection, b.supervisor, "x", kT0});
            }),
            "NotFound");
  EXPECT_EQ(must(begin()->sessions_of(a.org, a.episode)).size(), 1U);
}

TEST_P(StoreContract, MissingRowsAreNotFound) {
  using namespace tandem::contract;
  using tandem::core::Rater;
  const World w = world("a");
  const Id o = w.org;
  const Id none = 987654321;
  const auto nf = [&](auto call) { return code_alone(call); };
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_organisation(none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_user(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_client(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.therapists_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.clients_of(o, none, {}); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.supervisees_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.supervisors_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_episode(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.episodes_of_client(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.close_episode(o, none, 0, tandem::core::CloseReason::kCompleted);
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_session(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.sessions_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.administrations_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.definition_versions(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.record_agreement(o, none, 1, Rater::kClient, kT0); }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.goal_ratings_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.alliance_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.moments_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.get_reflection(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.reflections_of(o, none, {}); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.comments_of(o, none); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.create_session(
                  {0, o, none, 1, 0, tandem::core::Attendance::kAttended, false, false, "", kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.add_goal_rating(
                  {0, o, w.episode, none, "sleep", Rater::kClient, 1, w.client_user, kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.add_comment({0, o, none, w.supervisor, "x", kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) { return tx.assign({o, none, w.therapist, kT0}); }), "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.create_client({0, none, "Nobody's", {}, {}, kT0});
            }),
            "NotFound");
  EXPECT_EQ(nf([&](Tx& tx) {
              return tx.append_audit({0, none, std::nullopt, "x.y", "x", std::nullopt,
                                      tandem::core::AuditOutcome::kOk, kT0});
            }),
            "NotFound");
}

// ---------------------------------------------------------------------------------------
// Key rotation

TEST_P(StoreContract, ResealAllKeepsEveryEncryptedFieldReadableUnderTheNewKey) {
  using namespace tandem::contract;
  const World w = world("a");
  committed([&](Tx& tx) {
    seed_extras(tx, w);
    must(tx.add_moment({0, w.org, w.episode, std::nullopt, "honest", "Said it out loud",
                        tandem::core::Rater::kClient, w.client_user, kT0}));
    must(tx.create_invitation(
        make_staff_invitation(w.org, w.admin, 's', tandem::core::Role::kTherapist, "Ada Reed")));
    must(tx.create_invitation(make_invitation(w.org, w.client, w.therapist, 'c')));
  });
  cipher_->rotate_to("fake2");
  const std::int64_t rewritten = must(store_->reseal_all());
  EXPECT_GE(rewritten, 0);
  cipher_->forget("fake1");  // the old key is gone: everything must open under fake2

  auto tx = begin();
  EXPECT_EQ(must(tx->get_client(w.org, w.client)).display_name, "Client a");
  EXPECT_EQ(must(tx->get_user(w.org, w.therapist)).display_name, "Name of therapist-a@example.org");
  EXPECT_EQ(must(tx->get_session(w.org, w.session)).therapist_notes, "First meeting a");
  EXPECT_EQ(must(tx->find_invitation_by_hash(std::string(64, 's'))).display_name, "Ada Reed");
  EXPECT_EQ(must(tx->find_invitation_by_hash(std::string(64, 'c'))).display_name, "");
  const auto versions = must(tx->definition_versions(w.org, w.episode));
  ASSERT_EQ(versions.size(), 1U);
  auto want = make_definition(w, "x");
  want.version = 1;
  expect_same(want, versions[0]);
  const auto moments = must(tx->moments_of(w.org, w.episode));
  ASSERT_EQ(moments.size(), 2U);
  EXPECT_EQ(moments[1].text, "Said it out loud");
  const auto reflections = must(tx->reflections_of(w.org, w.trainee, {}));
  ASSERT_EQ(reflections.size(), 1U);
  EXPECT_EQ(reflections[0].tried_to_fix, "fix");
  EXPECT_EQ(reflections[0].sat_with, "sat");
  const auto comments = must(tx->comments_of(w.org, reflections[0].id));
  ASSERT_EQ(comments.size(), 1U);
  EXPECT_EQ(comments[0].text, "comment");
}

// ---------------------------------------------------------------------------------------
// Login sessions, invitations and failed-login counters

namespace tandem::contract {
inline auto fields(const core::LoginSession& s) {
  return std::make_tuple(s.id, s.org, s.user, s.token_hash, s.created_at, s.last_seen_at,
                         s.expires_at, s.revoked);
}
inline auto fields(const core::Invitation& i) {
  return std::make_tuple(i.id, i.org, i.client, i.created_by, i.token_hash, i.created_at,
                         i.expires_at, i.used_at, i.role, i.display_name, i.trainee);
}
inline core::LoginSession make_login_session(Id org, Id user, const std::string& hash) {
  return {0, org, user, hash, kT0, kT0, kT0 + 720 * kMinute, false};
}
}  // namespace tandem::contract

TEST_P(StoreContract, LoginSessionsAreFoundByHashTouchedAndRevoked) {
  using namespace tandem::contract;
  const World w = world("a");
  auto session = make_login_session(w.org, w.therapist, std::string(64, 'a'));
  session.id = committed([&](Tx& tx) { return must(tx.create_login_session(session)); });
  EXPECT_GT(session.id, 0);
  EXPECT_EQ(fields(must(begin()->find_login_session_by_hash(session.token_hash))), fields(session));

  committed([&](Tx& tx) { must(tx.touch_login_session(w.org, session.id, kT0 + kMinute)); });
  session.last_seen_at = kT0 + kMinute;
  EXPECT_EQ(fields(must(begin()->find_login_session_by_hash(session.token_hash))), fields(session));

  committed([&](Tx& tx) { must(tx.revoke_login_session(w.org, session.id)); });
  committed([&](Tx& tx) { must(tx.revoke_login_session(w.org, session.id)); });  // idempotent
  session.revoked = true;
  EXPECT_EQ(fields(must(begin()->find_login_session_by_hash(session.token_hash))), fields(session));
  EXPECT_EQ(code_alone([&](Tx& tx) { return tx.find_login_session_by_hash(std::string(64, 'b')); }),
            "NotFound");
}

TEST_P(StoreContract, RevokeOtherSessionsKeepsOneAndSparesOtherUsers) {
  using namespace tandem::contract;
  const World w = world("a");
  const auto ids = committed([&](Tx& tx) {
    std::vector<Id> out;
    for (char c : {'a', 'b', 'c'}) {
      out.push_back(must(
          tx.create_login_session(make_login_session(w.org, w.therapist, std::string(64, c)))));
    }
    out.push_back(
        must(tx.create_login_session(make_login_session(w.org, w.trainee, std::string(64, 'd')))));
    return out;
  });
  EXPECT_EQ(
      committed([&](Tx& tx) { return must(tx.revoke_other_sessions(w.org, w.therapist, ids[1])); }),
      2);
  auto tx = begin();
  EXPECT_TRUE(must(tx->find_login_session_by_hash(std::string(64, 'a'))).revoked);
  EXPECT_FALSE(must(tx->find_login_session_by_hash(std::string(64, 'b'))).revoked);
  EXPECT_TRUE(must(tx->find_login_session_by_hash(std::string(64, 'c'))).revoked);
  EXPECT_FALSE(must(tx->find_login_session_by_hash(std::string(64, 'd'))).revoked);
}

TEST_P(StoreContract, LoginSessionsRefuseForeignUsersAndTakenHashes) {
  using namespace tandem::contract;
  const World a = world("a");
  const World b = world("b");
  const std::string hash(64, 'a');
  const Id id = committed([&](Tx& tx) {
    return must(tx.create_login_session(make_login_session(a.org, a.therapist, hash)));
  });
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.create_login_session(
                  make_login_session(b.org, a.therapist, std::string(64, 'b')));
            }),
            "NotFound");
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.create_login_session(make_login_session(a.org, a.admin, hash));
            }),
            "AlreadyExists");
  EXPECT_EQ(code_alone([&](Tx& tx) { return tx.touch_login_session(b.org, id, kT0); }), "NotFound");
  EXPECT_EQ(code_alone([&](Tx& tx) { return tx.revoke_login_session(b.org, id); }), "NotFound");
}

TEST_P(StoreContract, InvitationsRoundTripAndAreSingleUse) {
  using namespace tandem::contract;
  const World w = world("a");
  auto invitation = make_invitation(w.org, w.client, w.therapist, 'e');
  invitation.id = committed([&](Tx& tx) { return must(tx.create_invitation(invitation)); });
  EXPECT_GT(invitation.id, 0);
  EXPECT_EQ(fields(must(begin()->find_invitation_by_hash(invitation.token_hash))),
            fields(invitation));

  committed([&](Tx& tx) { must(tx.mark_invitation_used(w.org, invitation.id, kT0 + kMinute)); });
  invitation.used_at = kT0 + kMinute;
  EXPECT_EQ(fields(must(begin()->find_invitation_by_hash(invitation.token_hash))),
            fields(invitation));
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.mark_invitation_used(w.org, invitation.id, kT0 + 2 * kMinute);
            }),
            "FailedPrecondition");
  EXPECT_EQ(must(begin()->find_invitation_by_hash(invitation.token_hash)).used_at, kT0 + kMinute);
  EXPECT_EQ(code_alone([&](Tx& tx) { return tx.find_invitation_by_hash(std::string(64, 'f')); }),
            "NotFound");
}

TEST_P(StoreContract, InvitationsRefuseRowsOfAnotherOrganisation) {
  using namespace tandem::contract;
  const World a = world("a");
  const World b = world("b");
  const auto make = make_invitation;
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.create_invitation(make(a.org, b.client, a.therapist, 'a'));
            }),
            "NotFound");
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.create_invitation(make(a.org, a.client, b.therapist, 'a'));
            }),
            "NotFound");
  const Id id = committed(
      [&](Tx& tx) { return must(tx.create_invitation(make(a.org, a.client, a.therapist, 'a'))); });
  EXPECT_EQ(code_alone([&](Tx& tx) {
              return tx.create_invitation(make(a.org, a.client, a.therapist, 'a'));
            }),
            "AlreadyExists");
  EXPECT_EQ(code_alone([&](Tx& tx) { return tx.mark_invitation_used(b.org, id, kT0); }),
            "NotFound");
}

TEST_P(StoreContract, StaffInvitationsRoundTripWithRoleNameAndTrainee) {
  using namespace tandem::contract;
  const World w = world("a");
  auto staff = make_staff_invitation(w.org, w.admin, 'e', tandem::core::Role::kTherapist,
                                     "Ada Reed (demo)", true);
  staff.id = committed([&](Tx& tx) { return must(tx.create_invitation(staff)); });
  EXPECT_EQ(fields(must(begin()->find_invitation_by_hash(staff.token_hash))), fields(staff));
  auto admin = make_staff_invitation(w.org, w.admin, 'f', tandem::core::Role::kAdmin, "Bo");
  admin.id = committed([&](Tx& tx) { return must(tx.create_invitation(admin)); });
  EXPECT_EQ(fields(must(begin()->find_invitation_by_hash(admin.token_hash))), fields(admin));
}

TEST_P(StoreContract, InvitationsNameEitherAClientOrAStaffRole) {
  using namespace tandem::contract;
  const World w = world("a");
  using tandem::core::Role;
  auto client_as_staff = make_invitation(w.org, w.client, w.admin, 'a');
  client_as_staff.role = Role::kTherapist;
  client_as_staff.display_name = "T";
  auto staff_without_name = make_staff_invitation(w.org, w.admin, 'b', Role::kTherapist, " ");
  auto client_without_record = make_staff_invitation(w.org, w.admin, 'c', Role::kClient, "");
  auto trainee_admin = make_staff_invitation(w.org, w.admin, 'd', Role::kAdmin, "A", true);
  for (const auto& bad :
       {client_as_staff, staff_without_name, client_without_record, trainee_admin}) {
    EXPECT_EQ(code_alone([&](Tx& tx) { return tx.create_invitation(bad); }), "InvalidArgument")
        << bad.token_hash;
  }
}

TEST_P(StoreContract, InvitationsAreListedByOrganisationAndCreatorAPageAtATime) {
  using namespace tandem::contract;
  const World a = world("a");
  const World b = world("b");
  using tandem::core::Role;
  const auto ids = committed([&](Tx& tx) {
    std::vector<Id> out;
    out.push_back(must(tx.create_invitation(make_invitation(a.org, a.client, a.therapist, 'a'))));
    out.push_back(must(tx.create_invitation(
        make_staff_invitation(a.org, a.admin, 'b', Role::kSupervisor, "Sup"))));
    out.push_back(must(tx.create_invitation(make_invitation(a.org, a.client, a.therapist, 'c'))));
    must(tx.create_invitation(make_invitation(b.org, b.client, b.therapist, 'd')));
    return out;
  });
  auto tx = begin();
  auto ids_of = [](const std::vector<tandem::core::Invitation>& rows) {
    std::vector<Id> out;
    for (const auto& r : rows) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(ids_of(must(tx->list_invitations(a.org, std::nullopt, {0, 50}))), ids);
  EXPECT_EQ(ids_of(must(tx->list_invitations(a.org, a.therapist, {0, 50}))),
            (std::vector<Id>{ids[0], ids[2]}));
  EXPECT_EQ(ids_of(must(tx->list_invitations(a.org, std::nullopt, {ids[0], 1}))),
            (std::vector<Id>{ids[1]}));
  const auto staff = must(tx->list_invitations(a.org, a.admin, {0, 50}));
  ASSERT_EQ(staff.size(), 1U);
  EXPECT_EQ(staff[0].display_name, "Sup");
  EXPECT_EQ(staff[0].role, Role::kSupervisor);
  EXPECT_FALSE(staff[0].client.has_value());
  EXPECT_TRUE(must(tx->list_invitations(a.org, b.therapist, {0, 50})).empty());
  tx.reset();
  EXPECT_EQ(code_alone([&](Tx& t) {
              return t.list_invitations(a.org, std::nullopt, {0, 0});
            }),
            "InvalidArgument");
}

TEST_P(StoreContract, LoginFailuresBeforeATimeArePrunedForEveryKey) {
  using namespace tandem::contract;
  committed([&](Tx& tx) {
    for (int i = 0; i < 4; ++i)
      must(tx.record_login_failure("account:a@example.org", kT0 + i * kMinute));
    must(tx.record_login_failure("address:192.0.2.1", kT0));
  });
  EXPECT_EQ(committed([&](Tx& tx) { return must(tx.prune_login_failures(kT0 + 2 * kMinute)); }), 3);
  auto tx = begin();
  EXPECT_EQ(must(tx->count_login_failures("account:a@example.org", 0)), 2);
  EXPECT_EQ(must(tx->count_login_failures("address:192.0.2.1", 0)), 0);
}

TEST_P(StoreContract, AReadingTransactionSeesCommittedRowsAndItsAuditLandsOnCommit) {
  using namespace tandem::contract;
  const World w = world("a");
  auto reader = must(store_->begin_read());
  EXPECT_EQ(must(reader->get_client(w.org, w.client)).display_name, "Client a");
  must(reader->append_audit({0, w.org, w.therapist, "profile.read", "episode", w.episode,
                             tandem::core::AuditOutcome::kOk, kT0}));
  must(reader->commit());
  tandem::core::AuditQuery query;
  query.action = "profile.read";
  const auto entries = must(begin()->search_audit(w.org, query));
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].record_id, w.episode);
  EXPECT_GT(entries[0].id, 0);
}

TEST_P(StoreContract, AReadingTransactionDoesNotHoldUpAWriter) {
  using namespace tandem::contract;
  const World w = world("a");
  auto reader = must(store_->begin_read());
  EXPECT_EQ(must(reader->get_user(w.org, w.therapist)).id, w.therapist);
  // A writer begins, writes and commits while the reader is still open.
  committed([&](Tx& tx) { must(tx.record_login_failure("address:192.0.2.8", kT0)); });
  EXPECT_EQ(must(begin()->count_login_failures("address:192.0.2.8", 0)), 1);
  // An uncommitted reader's audit entries are dropped with it.
  must(reader->append_audit(
      {0, w.org, w.therapist, "x.read", "x", std::nullopt, tandem::core::AuditOutcome::kOk, kT0}));
  reader.reset();
  tandem::core::AuditQuery query;
  query.action = "x.read";
  EXPECT_TRUE(must(begin()->search_audit(w.org, query)).empty());
}

TEST_P(StoreContract, PoolStatsCountAConnectionInUseWhileATransactionWrites) {
  using namespace tandem::contract;
  const auto idle = store_->pool_stats();
  ASSERT_TRUE(idle.has_value());
  EXPECT_GE(idle->size, 1);
  EXPECT_EQ(idle->in_use, 0);
  EXPECT_LE(idle->idle, idle->size);
  auto tx = begin();
  must(tx->record_login_failure("address:192.0.2.9", kT0));
  const auto busy = store_->pool_stats();
  ASSERT_TRUE(busy.has_value());
  EXPECT_GE(busy->in_use, 1);
  EXPECT_LE(busy->in_use + busy->idle, busy->size);
}

TEST_P(StoreContract, LoginFailuresAreCountedPerKeySinceATime) {
  using namespace tandem::contract;
  committed([&](Tx& tx) {
    for (int i = 0; i < 3; ++i)
      must(tx.record_login_failure("account:a@example.org", kT0 + i * kMinute));
    must(tx.record_login_failure("address:192.0.2.1", kT0));
  });
  auto tx = begin();
  EXPECT_EQ(must(tx->count_login_failures("account:a@example.org", kT0)), 3);
  EXPECT_EQ(must(tx->count_login_failures("account:a@example.org", kT0 + kMinute)), 2);
  EXPECT_EQ(must(tx->count_login_failures("account:a@example.org", kT0 + 3 * kMinute)), 0);
  EXPECT_EQ(must(tx->count_login_failures("address:192.0.2.1", kT0)), 1);
  EXPECT_EQ(must(tx->count_login_failures("account:b@example.org", kT0)), 0);
}
