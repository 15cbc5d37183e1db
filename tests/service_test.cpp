// The use cases (src/service) on the in-memory store with a fake clock and a trivial fake
// password hasher (the real argon2id hasher is tested in crypto_test): each use case's happy
// path and its denials (a client reading another client, a therapist reading an unassigned
// client, a supervisor writing, an admin reading client free text, crossing organisations),
// the audit entry each writes (denials too), questionnaires rejected with nothing stored,
// definition history and diff, the progress profile, caseload ordering, supervision view,
// anonymised service outcomes, instruments and the audit search.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "core/progress_profile.hpp"
#include "core/trajectory.hpp"
#include "io/instrument_loader.hpp"
#include "service/access.hpp"
#include "service/accounts.hpp"
#include "service/audit_log.hpp"
#include "service/care_record.hpp"
#include "service/episode_assembly.hpp"
#include "service/insight.hpp"
#include "service/instruments.hpp"
#include "service/progress.hpp"
#include "service/reflections.hpp"
#include "service/timeline.hpp"
#include "storage/memory/memory_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/fake_cipher.hpp"

namespace tandem::service {
namespace {

using core::Attendance;
using core::Id;
using core::Rater;
using core::Role;
using core::StatusCode;

class FakeClock final : public core::Clock {
 public:
  core::Timestamp now() const override {
    return static_cast<core::Timestamp>(today_) * 86400000 + 1000 * ticks_++;
  }
  core::Date today() const override { return today_; }
  void advance(int days) { today_ += days; }

 private:
  core::Date today_ = *core::parse_date("2026-01-05");
  mutable core::Timestamp ticks_ = 0;
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

template <class T>
T must(core::Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message());
  return std::move(*result);
}
void must(const core::Status& status) {
  if (!status.is_ok()) throw std::runtime_error(status.message());
}

template <class T>
StatusCode code(const core::Result<T>& result) {
  return result ? StatusCode::kOk : result.error().code();
}
StatusCode code(const core::Status& status) { return status.code(); }

// PHQ-9 answers that add up to `total` (items 1-8 filled in turn), item 9 as given.
std::vector<double> phq9_answers(int total, int item9 = 0) {
  std::vector<double> answers(9, 0.0);
  answers[8] = item9;
  int left = total - item9;
  for (std::size_t i = 0; i < 8 && left > 0; ++i) {
    answers[i] = std::min(3, left);
    left -= static_cast<int>(answers[i]);
  }
  return answers;
}
std::vector<double> gad7_answers(int total) {
  std::vector<double> answers(7, 0.0);
  int left = total;
  for (std::size_t i = 0; i < 7 && left > 0; ++i) {
    answers[i] = std::min(3, left);
    left -= static_cast<int>(answers[i]);
  }
  return answers;
}

NewSession session_in(Id episode, Attendance attendance = Attendance::kAttended) {
  NewSession session;
  session.episode = episode;
  session.attendance = attendance;
  return session;
}

NewQuestionnaire answers_to(Id episode, std::optional<Id> session, const std::string& instrument,
                            std::vector<double> responses) {
  NewQuestionnaire q;
  q.episode = episode;
  q.session = session;
  q.instrument = instrument;
  q.responses = std::move(responses);
  return q;
}

// The stores the use cases run on: the in-memory one and the embedded default (SQLite, in a
// temporary file, with the fake field cipher).
enum class Backend { kMemory, kSqlite };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kMemory ? "Memory" : "Sqlite";
}

std::filesystem::path temporary_database() {
  static std::atomic<int> counter{0};
  return std::filesystem::temp_directory_path() /
         ("tandem-service-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
          ".db");
}

std::unique_ptr<core::Store> make_store(Backend backend, const std::filesystem::path& file) {
  if (backend == Backend::kMemory) return std::make_unique<store::MemoryStore>();
  auto cipher = std::make_shared<testing_support::FakeCipher>("fake1");
  return must(store::SqliteStore::open(file.string(), cipher));
}

// A practice: organisation A with an admin, a therapist, a trainee supervised by a
// supervisor, a second therapist, two clients (one each, with their own logins); and
// organisation B with an admin, a therapist and a client.
class ServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  ~ServiceTest() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ignored;
      std::filesystem::remove(file_.string() + suffix, ignored);
    }
  }

  void SetUp() override {
    const auto a = must(bootstrap_organisation(ctx_, organisation("A", "admin@a.example")));
    admin_ = login("admin@a.example");
    therapist_ = staff(admin_, "therapist@a.example", Role::kTherapist, false);
    trainee_ = staff(admin_, "trainee@a.example", Role::kTherapist, true);
    other_therapist_ = staff(admin_, "other@a.example", Role::kTherapist, false);
    supervisor_ = staff(admin_, "supervisor@a.example", Role::kSupervisor, false);
    must(link_supervision(ctx_, admin_, supervisor_.user, trainee_.user));
    client1_ = new_client(therapist_, "Ada Lark (test)", "ada@a.example");
    client2_ = new_client(trainee_, "Ben Finch (test)", "ben@a.example");
    ada_ = login("ada@a.example");
    ben_ = login("ben@a.example");
    org_a_ = a.org;

    must(bootstrap_organisation(ctx_, organisation("B", "admin@b.example")));
    admin_b_ = login("admin@b.example");
    therapist_b_ = staff(admin_b_, "therapist@b.example", Role::kTherapist, false);
    client_b_ = must(create_client(ctx_, therapist_b_, {"Cleo Marsh (test)", {}, {}, {}}));
  }

  static NewOrganisation organisation(const std::string& tag, const std::string& email) {
    NewOrganisation o;
    o.name = "Practice " + tag;
    o.crisis_text = "Crisis line for " + tag;
    o.admin_email = email;
    o.admin_name = "Admin " + tag;
    o.admin_password = "password-" + tag;
    return o;
  }

  Actor login(const std::string& email) {
    const std::string password = email.find("@b.") != std::string::npos ? "password-B"
                                 : email.starts_with("admin@a")         ? "password-A"
                                                                        : "password";
    return must(authenticate(ctx_, email, password));
  }

  Actor staff(const Actor& admin, const std::string& email, Role role, bool trainee) {
    NewUser user;
    user.email = email;
    user.display_name = "Staff " + email;
    user.role = role;
    user.trainee = trainee;
    user.password = email.find("@b.") != std::string::npos ? "password-B" : "password";
    must(create_user(ctx_, admin, user));
    return login(email);
  }

  Id new_client(const Actor& therapist, const std::string& name, const std::string& email) {
    const Id client = must(create_client(ctx_, therapist, {name, {}, {}, {}}));
    NewUser user;
    user.email = email;
    user.display_name = name;
    user.role = Role::kClient;
    user.password = "password";
    user.client_id = client;
    must(create_user(ctx_, admin_, user));
    return client;
  }

  // An open episode of `client` with `n` weekly attended sessions, one PHQ-9 each.
  Id episode_with_scores(const Actor& therapist, Id client, const std::vector<int>& scores,
                         std::vector<Id>* sessions = nullptr) {
    const Id episode = must(open_episode(ctx_, therapist, {client, "phq9", clock_.today()}));
    for (int score : scores) {
      NewSession session;
      session.episode = episode;
      session.date = clock_.today();
      const Id id = must(record_session(ctx_, therapist, session));
      if (sessions) sessions->push_back(id);
      must(record_questionnaire(ctx_, therapist,
                                answers_to(episode, id, "phq9", phq9_answers(score))));
      clock_.advance(7);
    }
    return episode;
  }

  DefinitionDraft draft() {
    DefinitionDraft d;
    d.hopes = "To sleep through the night";
    d.better_looks_like = "Walking the dog in the morning";
    d.small_shifts = "Opening the curtains";
    core::GoalDefinition sleep;
    sleep.key = "sleep";
    sleep.text = "Sleep more than five hours";
    core::GoalDefinition friends;
    friends.key = "friends";
    friends.text = "See a friend each week";
    friends.scale = core::GoalScale::kGas;
    friends.gas_levels = {"No contact", "A text now and then", "One visit a fortnight",
                          "One visit a week", "Two visits a week"};
    d.goals = {sleep, friends};
    d.change_note = "Agreed at the first session";
    return d;
  }

  // The audit entries of an organisation, by action (exact) and outcome.
  std::vector<core::AuditEntry> audit(Id org, const std::string& action) {
    auto tx = must(store_->begin());
    core::AuditQuery q;
    q.action = action;
    q.page.limit = 10000;
    return must(tx->search_audit(org, q));
  }
  bool audited(Id org, const std::string& action, core::AuditOutcome outcome,
               std::optional<Id> actor = std::nullopt) {
    for (const auto& e : audit(org, action)) {
      if (e.outcome == outcome && (!actor || e.actor == actor)) return true;
    }
    return false;
  }

  std::filesystem::path file_ = temporary_database();
  std::unique_ptr<core::Store> store_ = make_store(GetParam(), file_);
  FakeClock clock_;
  FakeHasher hasher_;
  InstrumentCatalogue instruments_ = shipped_instruments();
  Context ctx_{*store_, clock_, hasher_, instruments_};
  Id org_a_ = 0;
  Actor admin_, therapist_, trainee_, other_therapist_, supervisor_, ada_, ben_;
  Actor admin_b_, therapist_b_;
  Id client1_ = 0, client2_ = 0, client_b_ = 0;
};

// ---- the access policy ---------------------------------------------------------------------

TEST(AccessPolicy, AnotherOrganisationIsNeverAcknowledged) {
  for (Role role : all_roles()) {
    for (Resource resource : all_resources()) {
      for (Action action : all_actions()) {
        EXPECT_EQ(decide(role, true, resource, action, Relation::kOtherOrganisation),
                  Decision::kNotFound);
      }
    }
  }
}

TEST(AccessPolicy, AdminsSeeNoClientFreeText) {
  for (Resource resource :
       {Resource::kClient, Resource::kEpisode, Resource::kSession, Resource::kTherapistNotes,
        Resource::kQuestionnaire, Resource::kProgressDefinition, Resource::kGoalRating,
        Resource::kAlliance, Resource::kMoment, Resource::kProgressProfile, Resource::kCaseload,
        Resource::kReflection, Resource::kReflectionComment}) {
    for (Relation relation : all_relations()) {
      EXPECT_NE(decide(Role::kAdmin, false, resource, Action::kRead, relation), Decision::kAllow)
          << to_string(resource) << " " << to_string(relation);
    }
  }
}

TEST(AccessPolicy, SupervisorsWriteNothingButCommentsOnReflections) {
  for (const AccessRule& rule : access_rules()) {
    if (rule.role != Role::kSupervisor || rule.action == Action::kRead) continue;
    EXPECT_EQ(rule.resource, Resource::kReflectionComment);
  }
}

TEST(AccessPolicy, ClientsNeverReadTherapistNotesAndOnlyTheirOwnRecord) {
  for (Relation relation : all_relations()) {
    EXPECT_NE(decide(Role::kClient, false, Resource::kTherapistNotes, Action::kRead, relation),
              Decision::kAllow);
  }
  for (const AccessRule& rule : access_rules()) {
    if (rule.role != Role::kClient) continue;
    EXPECT_TRUE(rule.relation == Relation::kOwn || rule.resource == Resource::kOrganisation ||
                rule.resource == Resource::kInstrument)
        << to_string(rule.resource);
  }
}

TEST(AccessPolicy, RulesAreUniqueAndOnlyTraineesKeepAReflectionLog) {
  const auto rules = access_rules();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    for (std::size_t j = i + 1; j < rules.size(); ++j) {
      EXPECT_FALSE(rules[i].role == rules[j].role && rules[i].resource == rules[j].resource &&
                   rules[i].action == rules[j].action && rules[i].relation == rules[j].relation)
          << i << " and " << j;
    }
  }
  EXPECT_EQ(decide(Role::kTherapist, true, Resource::kReflection, Action::kCreate, Relation::kOwn),
            Decision::kAllow);
  EXPECT_EQ(decide(Role::kTherapist, false, Resource::kReflection, Action::kCreate, Relation::kOwn),
            Decision::kDeny);
  EXPECT_EQ(to_string(Resource::kProgressDefinition), "progress-definition");
  EXPECT_EQ(to_string(Relation::kOtherOrganisation), "other-organisation");
}

TEST(AccessPolicy, DocsServiceMdShowsTheTableTheCodeEnforces) {
  std::ifstream file(TANDEM_SOURCE_DIR "/docs/service.md");
  ASSERT_TRUE(file) << "docs/service.md";
  const std::string doc((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::string begin = "<!-- policy:begin -->\n";
  const auto from = doc.find(begin);
  const auto to = doc.find("<!-- policy:end -->");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(doc.substr(from + begin.size(), to - from - begin.size()), policy_table_markdown())
      << "regenerate the table in docs/service.md from policy_table_markdown()";
}

// ---- organisations and accounts ----------------------------------------------------------

TEST_P(ServiceTest, BootstrapCreatesTheOrganisationAndItsFirstAdminAndAuditsIt) {
  const auto entries = audit(org_a_, "organisation.create");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_FALSE(entries[0].actor.has_value()) << "no one was logged in yet";
  EXPECT_EQ(entries[0].record_id, org_a_);
  EXPECT_EQ(admin_.role, Role::kAdmin);
  EXPECT_EQ(must(get_organisation(ctx_, ada_)).crisis_text, "Crisis line for A");
  EXPECT_EQ(code(bootstrap_organisation(ctx_, organisation("C", "ADMIN@a.example "))),
            StatusCode::kAlreadyExists);
}

TEST_P(ServiceTest, AuthenticateChecksThePasswordAndAuditsBothOutcomes) {
  const Actor again = must(authenticate(ctx_, "  Ada@A.example ", "password"));
  EXPECT_EQ(again.user, ada_.user);
  EXPECT_EQ(again.client_id, client1_);
  EXPECT_TRUE(audited(org_a_, "auth.login", core::AuditOutcome::kOk, ada_.user));

  auto wrong = authenticate(ctx_, "ada@a.example", "not-it");
  ASSERT_EQ(code(wrong), StatusCode::kUnauthenticated);
  EXPECT_TRUE(audited(org_a_, "auth.login", core::AuditOutcome::kDenied, ada_.user));
  auto unknown = authenticate(ctx_, "nobody@a.example", "password");
  ASSERT_EQ(code(unknown), StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.error().message(), wrong.error().message()) << "no hint which part was wrong";

  {
    auto tx = must(store_->begin());
    auto user = must(tx->find_user_by_email("ada@a.example"));
    user.active = false;
    must(tx->update_user(user));
    must(tx->commit());
  }
  EXPECT_EQ(code(authenticate(ctx_, "ada@a.example", "password")), StatusCode::kUnauthenticated);
}

TEST_P(ServiceTest, OnlyAdminsCreateUsersAndEmailsAreUnique) {
  NewUser user{"new@a.example", "New Therapist", Role::kTherapist, false, "password", {}};
  EXPECT_EQ(code(create_user(ctx_, therapist_, user)), StatusCode::kPermissionDenied);
  EXPECT_TRUE(audited(org_a_, "user.create", core::AuditOutcome::kDenied, therapist_.user));
  EXPECT_EQ(code(create_user(ctx_, admin_, user)), StatusCode::kOk);
  user.email = "NEW@a.example";
  EXPECT_EQ(code(create_user(ctx_, admin_, user)), StatusCode::kAlreadyExists);
  user.email = "short@a.example";
  user.password = "short";
  auto refused = create_user(ctx_, admin_, user);
  ASSERT_EQ(code(refused), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.error().field(), "password");
  user = {"c@a.example", "A client", Role::kClient, false, "password", client_b_};
  EXPECT_EQ(code(create_user(ctx_, admin_, user)), StatusCode::kNotFound)
      << "a client record of another organisation";
}

TEST_P(ServiceTest, UsersAreReadWithoutTheirHashOwnOrByTheAdmin) {
  const UserView me = must(get_user(ctx_, therapist_, therapist_.user));
  EXPECT_EQ(me.email, "therapist@a.example");
  EXPECT_EQ(code(get_user(ctx_, therapist_, ada_.user)), StatusCode::kPermissionDenied);
  EXPECT_EQ(must(list_users(ctx_, admin_, {0, 100})).size(), 7U);
  EXPECT_EQ(code(list_users(ctx_, therapist_, {})), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(get_user(ctx_, admin_b_, ada_.user)), StatusCode::kNotFound);
  EXPECT_EQ(code(set_crisis_text(ctx_, therapist_, "x")), StatusCode::kPermissionDenied);
  must(set_crisis_text(ctx_, admin_, "Call 111, option 2"));
  EXPECT_EQ(must(get_organisation(ctx_, ben_)).crisis_text, "Call 111, option 2");
}

// ---- clients, assignment, supervision ----------------------------------------------------

TEST_P(ServiceTest, ATherapistsNewClientIsAssignedToThem) {
  const Id client = must(create_client(ctx_, therapist_, {"Dev Rook (test)", {}, {}, {}}));
  EXPECT_EQ(must(must(store_->begin())->therapists_of(org_a_, client)),
            std::vector<Id>{therapist_.user});
  EXPECT_TRUE(audited(org_a_, "client.create", core::AuditOutcome::kOk, therapist_.user));
  EXPECT_EQ(code(create_client(ctx_, therapist_, {"X", {}, {}, other_therapist_.user})),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(code(create_client(ctx_, ada_, {"X", {}, {}, {}})), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(create_client(ctx_, admin_, {" ", {}, {}, {}})), StatusCode::kInvalidArgument);
  const Id by_admin =
      must(create_client(ctx_, admin_, {"Edie Fern (test)", {}, {}, other_therapist_.user}));
  EXPECT_EQ(must(get_client(ctx_, other_therapist_, by_admin)).display_name, "Edie Fern (test)");
}

TEST_P(ServiceTest, ClientRecordsAreSeenOnlyByThoseWhoMay) {
  EXPECT_EQ(must(get_client(ctx_, ada_, client1_)).display_name, "Ada Lark (test)");
  EXPECT_EQ(must(get_client(ctx_, therapist_, client1_)).display_name, "Ada Lark (test)");
  EXPECT_EQ(must(get_client(ctx_, supervisor_, client2_)).display_name, "Ben Finch (test)");
  // A client reading another client; a therapist an unassigned client; a supervisor a client
  // of someone they do not supervise; the admin (no client free text).
  EXPECT_EQ(code(get_client(ctx_, ada_, client2_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(get_client(ctx_, therapist_, client2_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(get_client(ctx_, supervisor_, client1_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(get_client(ctx_, admin_, client1_)), StatusCode::kPermissionDenied);
  // Another organisation's client does not exist for them.
  EXPECT_EQ(code(get_client(ctx_, therapist_b_, client1_)), StatusCode::kNotFound);
  EXPECT_EQ(code(get_client(ctx_, admin_b_, client1_)), StatusCode::kNotFound);

  EXPECT_TRUE(audited(org_a_, "client.read", core::AuditOutcome::kOk, ada_.user));
  EXPECT_TRUE(audited(org_a_, "client.read", core::AuditOutcome::kDenied, ada_.user));
  EXPECT_TRUE(audited(org_a_, "client.read", core::AuditOutcome::kDenied, admin_.user));
  const Id org_b = therapist_b_.org;
  EXPECT_TRUE(audited(org_b, "client.read", core::AuditOutcome::kNotFound, therapist_b_.user));
  for (const auto& e : audit(org_a_, "client.read")) {
    EXPECT_NE(e.actor, therapist_b_.user) << "org A's log holds only org A's actors";
  }
}

TEST_P(ServiceTest, ListClientsShowsWhatTheCallerMaySee) {
  const auto ids = [](const std::vector<core::Client>& clients) {
    std::vector<Id> out;
    out.reserve(clients.size());
    for (const auto& c : clients) out.push_back(c.id);
    return out;
  };
  EXPECT_EQ(ids(must(list_clients(ctx_, ada_, {}))), std::vector<Id>{client1_});
  EXPECT_EQ(ids(must(list_clients(ctx_, therapist_, {}))), std::vector<Id>{client1_});
  EXPECT_EQ(ids(must(list_clients(ctx_, trainee_, {}))), std::vector<Id>{client2_});
  EXPECT_EQ(ids(must(list_clients(ctx_, supervisor_, {}))), std::vector<Id>{client2_});
  EXPECT_TRUE(must(list_clients(ctx_, other_therapist_, {})).empty());
  EXPECT_EQ(code(list_clients(ctx_, admin_, {})), StatusCode::kPermissionDenied);
}

TEST_P(ServiceTest, AssignmentAndSupervisionAreTheAdminsToMake) {
  EXPECT_EQ(code(assign_client(ctx_, therapist_, client2_, therapist_.user)),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(audited(org_a_, "assignment.create", core::AuditOutcome::kDenied));
  EXPECT_EQ(code(assign_client(ctx_, admin_, client2_, supervisor_.user)),
            StatusCode::kInvalidArgument)
      << "only therapists are assigned clients";
  must(assign_client(ctx_, admin_, client2_, other_therapist_.user));
  must(assign_client(ctx_, admin_, client2_, other_therapist_.user));  // idempotent
  EXPECT_EQ(code(get_client(ctx_, other_therapist_, client2_)), StatusCode::kOk);
  EXPECT_EQ(code(assign_client(ctx_, admin_b_, client2_, therapist_b_.user)),
            StatusCode::kNotFound);

  EXPECT_EQ(code(link_supervision(ctx_, supervisor_, supervisor_.user, therapist_.user)),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(code(link_supervision(ctx_, admin_, therapist_.user, trainee_.user)),
            StatusCode::kInvalidArgument);
  must(link_supervision(ctx_, admin_, supervisor_.user, therapist_.user));
  EXPECT_EQ(code(get_client(ctx_, supervisor_, client1_)), StatusCode::kOk);
}

// ---- episodes and sessions ---------------------------------------------------------------

TEST_P(ServiceTest, EpisodesOpenAndCloseForTheAssignedTherapistOnly) {
  EXPECT_EQ(code(open_episode(ctx_, other_therapist_, {client1_, "phq9", {}})),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(code(open_episode(ctx_, supervisor_, {client2_, "phq9", {}})),
            StatusCode::kPermissionDenied)
      << "supervisors read; they do not write";
  EXPECT_TRUE(audited(org_a_, "episode.create", core::AuditOutcome::kDenied, supervisor_.user));
  auto unknown = open_episode(ctx_, therapist_, {client1_, "wemwbs", {}});
  ASSERT_EQ(code(unknown), StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().field(), "instrument");

  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  EXPECT_EQ(code(open_episode(ctx_, therapist_, {client1_, "gad7", {}})),
            StatusCode::kFailedPrecondition)
      << "one open episode at a time";
  EXPECT_EQ(must(get_episode(ctx_, ada_, episode)).instrument, "phq9");
  EXPECT_EQ(code(get_episode(ctx_, ben_, episode)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(get_episode(ctx_, therapist_b_, episode)), StatusCode::kNotFound);
  EXPECT_EQ(must(list_episodes(ctx_, therapist_, client1_)).size(), 1U);

  EXPECT_EQ(code(close_episode(ctx_, ada_, episode, core::CloseReason::kCompleted)),
            StatusCode::kPermissionDenied);
  must(close_episode(ctx_, therapist_, episode, core::CloseReason::kCompleted));
  EXPECT_EQ(code(close_episode(ctx_, therapist_, episode, core::CloseReason::kCompleted)),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(code(record_session(ctx_, therapist_, session_in(episode, Attendance::kAttended))),
            StatusCode::kFailedPrecondition)
      << "a closed episode is kept as it was";
  EXPECT_TRUE(audited(org_a_, "episode.close", core::AuditOutcome::kOk, therapist_.user));
}

TEST_P(ServiceTest, SessionsAreNumberedInDateOrderAndNotesStayPrivate) {
  const Id episode = must(open_episode(ctx_, trainee_, {client2_, "phq9", {}}));
  NewSession first = session_in(episode);
  first.felt_hard_therapist = true;
  first.therapist_notes = "Private: talked about dad";
  const Id s1 = must(record_session(ctx_, trainee_, first));
  clock_.advance(7);
  const Id s2 = must(record_session(ctx_, trainee_, session_in(episode, Attendance::kCancelled)));
  auto sessions = must(list_sessions(ctx_, trainee_, episode));
  ASSERT_EQ(sessions.size(), 2U);
  EXPECT_EQ(sessions[0].number, 1);
  EXPECT_EQ(sessions[1].number, 2);
  EXPECT_EQ(sessions[0].therapist_notes, "Private: talked about dad");
  EXPECT_EQ(must(list_sessions(ctx_, supervisor_, episode))[0].therapist_notes,
            "Private: talked about dad");
  EXPECT_EQ(must(list_sessions(ctx_, ben_, episode))[0].therapist_notes, "")
      << "the client never sees the therapist's private notes";

  NewSession taken = session_in(episode);
  taken.number = 2;
  EXPECT_EQ(code(record_session(ctx_, trainee_, taken)), StatusCode::kAlreadyExists);
  NewSession earlier = session_in(episode);
  earlier.date = clock_.today() - 30;
  auto refused = record_session(ctx_, trainee_, earlier);
  ASSERT_EQ(code(refused), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.error().field(), "date");
  EXPECT_EQ(code(record_session(ctx_, ben_, session_in(episode, Attendance::kAttended))),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(code(record_session(ctx_, supervisor_, session_in(episode, Attendance::kAttended))),
            StatusCode::kPermissionDenied);

  must(mark_felt_hard(ctx_, ben_, s1, true));
  EXPECT_EQ(code(mark_felt_hard(ctx_, ada_, s2, true)), StatusCode::kPermissionDenied);
  sessions = must(list_sessions(ctx_, trainee_, episode));
  EXPECT_TRUE(sessions[0].felt_hard_client);
  EXPECT_TRUE(sessions[0].felt_hard_therapist);
  EXPECT_TRUE(audited(org_a_, "session.update", core::AuditOutcome::kOk, ben_.user));
  EXPECT_TRUE(audited(org_a_, "session.update", core::AuditOutcome::kDenied, ada_.user));
}

// ---- questionnaires ----------------------------------------------------------------------

TEST_P(ServiceTest, AQuestionnaireIsScoredByTheCore) {
  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  const Id session = must(record_session(ctx_, therapist_, session_in(episode)));
  const auto result = must(
      record_questionnaire(ctx_, ada_, answers_to(episode, session, "phq9", phq9_answers(14))));
  EXPECT_EQ(result.score.total, 14);
  EXPECT_EQ(result.score.band, "moderate");
  EXPECT_FALSE(result.crisis_text.has_value());
  const auto stored = must(list_questionnaires(ctx_, therapist_, episode));
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].total, 14);
  EXPECT_EQ(stored[0].answered_by, Rater::kClient);
  EXPECT_EQ(stored[0].recorded_by, ada_.user);
  EXPECT_TRUE(audited(org_a_, "questionnaire.create", core::AuditOutcome::kOk, ada_.user));
}

TEST_P(ServiceTest, OutOfRangeAnswersAreRejectedWithTheCoresErrorAndNothingStored) {
  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  const Id session = must(record_session(ctx_, therapist_, session_in(episode)));
  auto answers = phq9_answers(10);
  answers[3] = 4;
  auto refused = record_questionnaire(ctx_, ada_, answers_to(episode, session, "phq9", answers));
  ASSERT_EQ(code(refused), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.error().field(), "phq9_4");
  EXPECT_NE(refused.error().message().find("not one of its answer values"), std::string::npos)
      << refused.error().message();
  answers.pop_back();
  EXPECT_EQ(code(record_questionnaire(ctx_, ada_, answers_to(episode, session, "phq9", answers))),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(must(list_questionnaires(ctx_, therapist_, episode)).empty());
  EXPECT_TRUE(audited(org_a_, "questionnaire.create", core::AuditOutcome::kInvalid, ada_.user));
}

TEST_P(ServiceTest, ACrisisAnswerBringsTheOrganisationsCrisisText) {
  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  const auto result = must(record_questionnaire(
      ctx_, ada_, answers_to(episode, std::nullopt, "phq9", phq9_answers(16, /*item9=*/1))));
  EXPECT_EQ(result.score.crisis, core::Flag::kYes);
  EXPECT_EQ(result.crisis_text, "Crisis line for A");
}

TEST_P(ServiceTest, QuestionnairesAreForTheClientAndTheirTherapistOnly) {
  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  const NewQuestionnaire q = answers_to(episode, std::nullopt, "phq9", phq9_answers(5));
  EXPECT_EQ(code(record_questionnaire(ctx_, ben_, q)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(record_questionnaire(ctx_, admin_, q)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(record_questionnaire(ctx_, therapist_b_, q)), StatusCode::kNotFound);
  EXPECT_EQ(code(list_questionnaires(ctx_, admin_, episode)), StatusCode::kPermissionDenied);
  EXPECT_TRUE(audited(org_a_, "questionnaire.list", core::AuditOutcome::kDenied, admin_.user));
}

// ---- co-defined progress -----------------------------------------------------------------

TEST_P(ServiceTest, ProgressIsDefinedRevisedAgreedAndItsHistoryShowsWhatChanged) {
  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  must(record_session(ctx_, therapist_, session_in(episode)));
  EXPECT_EQ(code(define_progress(ctx_, ada_, episode, draft())), StatusCode::kPermissionDenied);
  EXPECT_EQ(must(define_progress(ctx_, therapist_, episode, draft())), 1);
  must(agree_progress(ctx_, ada_, episode, 1));
  must(agree_progress(ctx_, therapist_, episode, 1));

  clock_.advance(7);
  must(record_session(ctx_, therapist_, session_in(episode)));
  DefinitionDraft revised = draft();
  revised.hopes = "To sleep, and to enjoy mornings again";
  revised.goals[0].text = "Sleep six hours most nights";
  revised.goals.pop_back();  // friends: done for now
  core::GoalDefinition work;
  work.key = "work";
  work.text = "Speak up once in each team meeting";
  revised.goals.push_back(work);
  revised.change_note = "Friends goal met; sleep goal sharpened; work added";
  EXPECT_EQ(must(define_progress(ctx_, therapist_, episode, revised)), 2);
  EXPECT_EQ(code(agree_progress(ctx_, ada_, episode, 1)), StatusCode::kFailedPrecondition)
      << "agree to what is current";
  must(agree_progress(ctx_, ada_, episode, 2));

  const auto history = must(progress_history(ctx_, ada_, episode));
  ASSERT_EQ(history.size(), 2U);
  EXPECT_TRUE(history[0].changes.empty());
  EXPECT_TRUE(history[0].definition.client_agreed_at && history[0].definition.therapist_agreed_at);
  EXPECT_EQ(history[0].definition.revised_at_session, 1);
  const auto& v2 = history[1];
  EXPECT_EQ(v2.definition.revised_at_session, 2);
  EXPECT_TRUE(v2.definition.client_agreed_at.has_value());
  EXPECT_FALSE(v2.definition.therapist_agreed_at.has_value());
  EXPECT_EQ(v2.definition.changed_by, therapist_.user);
  EXPECT_EQ(v2.changes.fields, (std::vector<std::string>{"hopes", "goals"}));
  EXPECT_EQ(v2.changes.goals_added, std::vector<std::string>{"work"});
  EXPECT_EQ(v2.changes.goals_removed, std::vector<std::string>{"friends"});
  ASSERT_EQ(v2.changes.goals_reworded.size(), 1U);
  EXPECT_EQ(v2.changes.goals_reworded[0].key, "sleep");
  EXPECT_EQ(v2.changes.goals_reworded[0].before, "Sleep more than five hours");
  EXPECT_EQ(v2.changes.goals_reworded[0].after, "Sleep six hours most nights");

  EXPECT_EQ(code(progress_history(ctx_, ben_, episode)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(progress_history(ctx_, admin_, episode)), StatusCode::kPermissionDenied);
  EXPECT_TRUE(audited(org_a_, "definition.agree", core::AuditOutcome::kOk, ada_.user));
  EXPECT_TRUE(audited(org_a_, "definition.create", core::AuditOutcome::kDenied, ada_.user));
}

TEST(DefinitionDiff, NamesRetunedGoalsAndIgnoresTheChangeNote) {
  core::ProgressDefinition before;
  core::GoalDefinition goal;
  goal.key = "run";
  goal.text = "Run again";
  goal.scale = core::GoalScale::kGas;
  goal.gas_levels = {"a", "b", "c", "d", "e"};
  before.goals = {goal};
  before.change_note = "first";
  core::ProgressDefinition after = before;
  after.change_note = "second";
  EXPECT_TRUE(diff_definitions(before, after).empty());
  after.goals[0].gas_levels[2] = "c, twice a week";
  const auto changes = diff_definitions(before, after);
  EXPECT_EQ(changes.fields, std::vector<std::string>{"goals"});
  EXPECT_EQ(changes.goals_retuned, std::vector<std::string>{"run"});
  EXPECT_TRUE(changes.goals_reworded.empty());
}

TEST_P(ServiceTest, GoalsAreRatedOnTheirOwnScaleByEachSide) {
  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  const Id session = must(record_session(ctx_, therapist_, session_in(episode)));
  EXPECT_EQ(code(rate_goal(ctx_, ada_, {episode, session, "sleep", 4})),
            StatusCode::kFailedPrecondition)
      << "no goals before progress is defined";
  must(define_progress(ctx_, therapist_, episode, draft()));
  must(rate_goal(ctx_, ada_, {episode, session, "sleep", 4}));
  must(rate_goal(ctx_, therapist_, {episode, session, "sleep", 3}));
  must(rate_goal(ctx_, ada_, {episode, session, "friends", -1}));
  auto too_high = rate_goal(ctx_, ada_, {episode, session, "sleep", 11});
  ASSERT_EQ(code(too_high), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_high.error().field(), "value");
  EXPECT_EQ(code(rate_goal(ctx_, ada_, {episode, session, "friends", 1.5})),
            StatusCode::kInvalidArgument)
      << "a GAS level is a whole level";
  EXPECT_EQ(code(rate_goal(ctx_, ada_, {episode, session, "nope", 1})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(rate_goal(ctx_, supervisor_, {episode, session, "sleep", 1})),
            StatusCode::kPermissionDenied);
  const auto ratings = must(list_goal_ratings(ctx_, ada_, episode));
  ASSERT_EQ(ratings.size(), 3U);
  EXPECT_EQ(ratings[0].rater, Rater::kClient);
  EXPECT_EQ(ratings[1].rater, Rater::kTherapist);
  EXPECT_TRUE(audited(org_a_, "goal-rating.create", core::AuditOutcome::kInvalid, ada_.user));
}

TEST_P(ServiceTest, AllianceAndMomentsAreNotedByEitherSide) {
  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  const Id session = must(record_session(ctx_, therapist_, session_in(episode)));
  must(record_alliance(ctx_, ada_, {episode, session, 8}));
  EXPECT_EQ(code(record_alliance(ctx_, ada_, {episode, session, 12})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(record_alliance(ctx_, ben_, {episode, session, 8})),
            StatusCode::kPermissionDenied);
  must(note_moment(ctx_, ada_, {episode, session, "laughed", "Laughed at the radio"}));
  must(note_moment(ctx_, therapist_, {episode, std::nullopt, " honest ", "Said it out loud"}));
  EXPECT_EQ(code(note_moment(ctx_, ada_, {episode, session, "  ", "x"})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(note_moment(ctx_, supervisor_, {episode, session, "laughed", "x"})),
            StatusCode::kPermissionDenied);
  const auto moments = must(list_moments(ctx_, therapist_, episode));
  ASSERT_EQ(moments.size(), 2U);
  EXPECT_EQ(moments[0].by, Rater::kClient);
  EXPECT_EQ(moments[1].by, Rater::kTherapist);
  EXPECT_EQ(moments[1].tag, "honest");
  EXPECT_EQ(must(list_alliance(ctx_, ada_, episode)).size(), 1U);
  EXPECT_EQ(code(list_moments(ctx_, admin_, episode)), StatusCode::kPermissionDenied);
}

// ---- reflections -------------------------------------------------------------------------

TEST_P(ServiceTest, TraineesReflectAndTheirSupervisorComments) {
  const Id episode = must(open_episode(ctx_, trainee_, {client2_, "phq9", {}}));
  const Id reflection = must(write_reflection(
      ctx_, trainee_, {episode, "I jumped to sleep tips", "Not knowing what to say"}));
  EXPECT_EQ(code(write_reflection(ctx_, therapist_, {{}, "x", "y"})), StatusCode::kPermissionDenied)
      << "the reflection log is for trainees";
  NewReflection about_someone_else{must(open_episode(ctx_, therapist_, {client1_, "phq9", {}})),
                                   "x", "y"};
  EXPECT_EQ(code(write_reflection(ctx_, trainee_, about_someone_else)),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(code(write_reflection(ctx_, trainee_, {{}, " ", ""})), StatusCode::kInvalidArgument);

  must(comment_on_reflection(ctx_, supervisor_, reflection, "What did staying with it feel like?"));
  EXPECT_EQ(code(comment_on_reflection(ctx_, therapist_, reflection, "x")),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(code(comment_on_reflection(ctx_, ben_, reflection, "x")),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(code(comment_on_reflection(ctx_, admin_b_, reflection, "x")), StatusCode::kNotFound);

  const auto own = must(list_reflections(ctx_, trainee_, trainee_.user, {}));
  ASSERT_EQ(own.size(), 1U);
  EXPECT_EQ(own[0].reflection.tried_to_fix, "I jumped to sleep tips");
  ASSERT_EQ(own[0].comments.size(), 1U);
  EXPECT_EQ(own[0].comments[0].author, supervisor_.user);
  EXPECT_EQ(must(list_reflections(ctx_, supervisor_, trainee_.user, {})).size(), 1U);
  EXPECT_EQ(code(list_reflections(ctx_, ben_, trainee_.user, {})), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(list_reflections(ctx_, admin_, trainee_.user, {})), StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      audited(org_a_, "reflection-comment.create", core::AuditOutcome::kDenied, therapist_.user));
}

// ---- what Tandem computes ----------------------------------------------------------------

TEST_P(ServiceTest, TheProfileOfAnEpisodeComesFromItsRecords) {
  std::vector<Id> sessions;
  const Id episode = episode_with_scores(therapist_, client1_, {20, 19, 18, 16, 13}, &sessions);
  must(define_progress(ctx_, therapist_, episode, draft()));
  must(record_alliance(ctx_, ada_, {episode, sessions[3], 9}));
  must(record_alliance(ctx_, ada_, {episode, sessions[4], 5}));
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    must(rate_goal(ctx_, ada_, {episode, sessions[i], "sleep", 2.0 + static_cast<double>(i)}));
  }
  const EpisodeProfile profile = must(episode_profile(ctx_, ada_, episode));
  EXPECT_EQ(profile.episode, episode);
  EXPECT_EQ(profile.client, client1_);
  EXPECT_EQ(profile.instrument, "phq9");
  EXPECT_TRUE(profile.profile.has(core::Pattern::kImproving));
  ASSERT_NE(profile.profile.dimension("phq9"), nullptr);
  EXPECT_EQ(profile.profile.dimension("phq9")->status, core::AchievementStatus::kImproving);
  ASSERT_NE(profile.profile.dimension("goal:sleep"), nullptr);
  EXPECT_EQ(profile.profile.dimension("goal:sleep")->status, core::AchievementStatus::kImproving);
  EXPECT_EQ(profile.profile.count(core::SignalType::kAllianceRupture), 1);
  EXPECT_FALSE(profile.trajectory_available);

  EXPECT_EQ(code(episode_profile(ctx_, ben_, episode)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(episode_profile(ctx_, admin_, episode)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(episode_profile(ctx_, therapist_b_, episode)), StatusCode::kNotFound);
  EXPECT_TRUE(audited(org_a_, "profile.read", core::AuditOutcome::kOk, ada_.user));
  EXPECT_TRUE(audited(org_a_, "profile.read", core::AuditOutcome::kDenied, admin_.user));
}

TEST_P(ServiceTest, ACrisisAnswerIsASignalOfItsOwn) {
  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  for (int item9 : {0, 1, 0}) {
    const Id session = must(record_session(ctx_, therapist_, session_in(episode)));
    must(record_questionnaire(ctx_, ada_,
                              answers_to(episode, session, "phq9", phq9_answers(12, item9))));
    clock_.advance(7);
  }
  const auto profile = must(episode_profile(ctx_, therapist_, episode)).profile;
  ASSERT_EQ(profile.count(core::SignalType::kCrisis), 1);
  EXPECT_EQ(profile.first(core::SignalType::kCrisis)->session, 2);
}

// A band table for intakes of 18 and above whose 90th percentile is 10 at every session: an
// intake of 20 that stays high is not on track from session 2; lower intakes are not judged.
ExpectedTrajectories low_band_for(const core::Instrument& phq9) {
  core::ExpectedTrajectoryTable table;
  for (int session = 1; session <= 6; ++session) {
    core::ExpectedTrajectoryRow row;
    row.intake_lower = 18;
    row.intake_upper = 27;
    row.stratum_episodes = 200;
    row.session = session;
    row.n = 200;
    row.band = {2, 4, 6, 8, 10};
    table.rows.push_back(row);
  }
  auto options = must(core::trajectory_options(phq9));
  ExpectedTrajectories out;
  out.emplace("phq9", must(core::from_table(table, options)));
  return out;
}

TEST_P(ServiceTest, AnExpectedTrajectoryAddsTheNotOnTrackVerdict) {
  const Id episode = episode_with_scores(therapist_, client1_, {20, 20, 19});
  const core::Instrument phq9 = must(instruments_.find(*must(store_->begin()), org_a_, "phq9"));
  const ExpectedTrajectories expected = low_band_for(phq9);
  InsightOptions options;
  options.expected = &expected;
  const EpisodeProfile profile = must(episode_profile(ctx_, therapist_, episode, options));
  EXPECT_TRUE(profile.trajectory_available);
  ASSERT_EQ(profile.profile.count(core::SignalType::kNotOnTrack), 1);
  EXPECT_EQ(profile.profile.first(core::SignalType::kNotOnTrack)->session, 2);
}

TEST_P(ServiceTest, TheCaseloadPutsTheMostPressingFirst) {
  auto add_client = [&](const std::string& name) {
    return must(create_client(ctx_, therapist_, {name, {}, {}, {}}));
  };
  // Steady, with no signal.
  const Id calm = add_client("A Calm (test)");
  episode_with_scores(therapist_, calm, {14, 15, 14});
  // An alliance rupture.
  const Id rupture = add_client("B Rupture (test)");
  std::vector<Id> s;
  const Id e_rupture = episode_with_scores(therapist_, rupture, {12, 12}, &s);
  NewAlliance high{e_rupture, s[0], 9};
  must(record_alliance(ctx_, therapist_, high));
  must(record_alliance(ctx_, therapist_, {e_rupture, s[1], 5}));
  // A crisis answer.
  const Id crisis = add_client("C Crisis (test)");
  const Id e_crisis = must(open_episode(ctx_, therapist_, {crisis, "phq9", {}}));
  const Id c1 = must(record_session(ctx_, therapist_, session_in(e_crisis)));
  must(record_questionnaire(ctx_, therapist_,
                            answers_to(e_crisis, c1, "phq9", phq9_answers(15, 2))));
  // Not on track under the band table.
  const Id off = add_client("D Off Track (test)");
  episode_with_scores(therapist_, off, {20, 21});
  // Closed: listed after every open episode, whatever its signals.
  const Id closed = add_client("E Closed (test)");
  const Id e_closed = must(open_episode(ctx_, therapist_, {closed, "phq9", {}}));
  const Id k1 = must(record_session(ctx_, therapist_, session_in(e_closed)));
  must(record_questionnaire(ctx_, therapist_,
                            answers_to(e_closed, k1, "phq9", phq9_answers(15, 1))));
  must(close_episode(ctx_, therapist_, e_closed, core::CloseReason::kTransferred));

  const core::Instrument phq9 = must(instruments_.find(*must(store_->begin()), org_a_, "phq9"));
  const ExpectedTrajectories expected = low_band_for(phq9);
  InsightOptions options;
  options.expected = &expected;
  const Caseload load = must(caseload(ctx_, therapist_, therapist_.user, options));
  std::vector<std::string> order;
  for (const auto& entry : load.clients) order.push_back(entry.display_name);
  EXPECT_EQ(order,
            (std::vector<std::string>{"C Crisis (test)", "D Off Track (test)", "B Rupture (test)",
                                      "A Calm (test)", "E Closed (test)", "Ada Lark (test)"}));
  EXPECT_EQ(load.clients[0].signals.front().type, core::SignalType::kCrisis);
  EXPECT_EQ(load.clients[1].signals.front().type, core::SignalType::kNotOnTrack);
  EXPECT_EQ(load.clients[2].signals.front().type, core::SignalType::kAllianceRupture);
  EXPECT_TRUE(load.clients[4].ended);
  EXPECT_FALSE(load.clients[5].episode.has_value()) << "no episode yet";
  EXPECT_EQ(load.clients[3].attended, 3);

  EXPECT_EQ(code(caseload(ctx_, other_therapist_, therapist_.user)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(caseload(ctx_, supervisor_, therapist_.user)), StatusCode::kPermissionDenied)
      << "not their supervisee";
  EXPECT_EQ(code(caseload(ctx_, admin_, therapist_.user)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(caseload(ctx_, ada_, therapist_.user)), StatusCode::kPermissionDenied);
  EXPECT_EQ(audit(org_a_, "profile.read").size(), 5U) << "each episode looked at is audited";
}

TEST_P(ServiceTest, ASupervisorSeesTheirSuperviseesCaseloadsAndReflections) {
  episode_with_scores(trainee_, client2_, {16, 15, 14});
  const Id reflection = must(write_reflection(ctx_, trainee_, {{}, "fixing", "sitting"}));
  must(write_reflection(ctx_, trainee_, {{}, "more fixing", "more sitting"}));
  must(comment_on_reflection(ctx_, supervisor_, reflection, "Let's talk on Tuesday"));
  const auto overview = must(supervision_overview(ctx_, supervisor_));
  ASSERT_EQ(overview.size(), 1U);
  EXPECT_EQ(overview[0].therapist.id, trainee_.user);
  EXPECT_TRUE(overview[0].therapist.trainee);
  ASSERT_EQ(overview[0].caseload.clients.size(), 1U);
  EXPECT_EQ(overview[0].caseload.clients[0].client, client2_);
  EXPECT_EQ(overview[0].reflections, 2);
  EXPECT_EQ(overview[0].reflections_awaiting_comment, 1);
  EXPECT_EQ(code(supervision_overview(ctx_, therapist_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(supervision_overview(ctx_, admin_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(must(caseload(ctx_, supervisor_, trainee_.user)).clients.size(), 1U);
}

TEST_P(ServiceTest, ServiceOutcomesAreAnonymisedCountsForTheAdmin) {
  // Paired PHQ-9 + GAD-7, finished and recovered.
  const Id paired = must(open_episode(ctx_, therapist_, {client1_, "phq9", {}}));
  for (auto [phq, gad] : {std::pair{18, 14}, std::pair{12, 9}, std::pair{6, 4}}) {
    const Id session = must(record_session(ctx_, therapist_, session_in(paired)));
    must(record_questionnaire(ctx_, ada_, answers_to(paired, session, "phq9", phq9_answers(phq))));
    must(record_questionnaire(ctx_, ada_, answers_to(paired, session, "gad7", gad7_answers(gad))));
    clock_.advance(7);
  }
  must(close_episode(ctx_, therapist_, paired, core::CloseReason::kCompleted));
  // PHQ-9 only: finished, reliably improved but still a case.
  const Id single = episode_with_scores(trainee_, client2_, {22, 18, 15});
  must(close_episode(ctx_, trainee_, single, core::CloseReason::kCompleted));
  // Still open.
  const Id open = episode_with_scores(trainee_, client2_, {12, 13});

  const ServiceOutcomes outcomes = must(service_outcomes(ctx_, admin_));
  EXPECT_EQ(outcomes.episodes_open, 1);
  EXPECT_EQ(outcomes.episodes_closed, 2);
  ASSERT_TRUE(outcomes.paired.has_value());
  EXPECT_EQ(outcomes.paired->finished_treatment, 1);
  EXPECT_EQ(outcomes.paired->recovery.numerator, 1);
  EXPECT_EQ(outcomes.paired->recovery.denominator, 1);
  EXPECT_EQ(outcomes.paired->reliable_improvement.numerator, 1);
  ASSERT_EQ(outcomes.single_measure.size(), 1U);
  EXPECT_EQ(outcomes.single_measure[0].instrument, "phq9");
  const core::ServiceSummary& phq9 = outcomes.single_measure[0].summary;
  EXPECT_EQ(phq9.finished_treatment, 1);
  EXPECT_EQ(phq9.reliable_improvement.numerator, 1);
  EXPECT_EQ(phq9.recovery.numerator, 0);
  EXPECT_EQ(phq9.recovery.denominator, 1);
  EXPECT_EQ(phq9.reliable_deterioration.numerator, 0);

  EXPECT_EQ(code(service_outcomes(ctx_, therapist_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(service_outcomes(ctx_, supervisor_)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(service_outcomes(ctx_, ada_)), StatusCode::kPermissionDenied);
  const auto b = must(service_outcomes(ctx_, admin_b_));
  EXPECT_EQ(b.episodes_closed + b.episodes_open, 0) << "only the admin's own organisation";
  EXPECT_TRUE(audited(org_a_, "service-outcomes.read", core::AuditOutcome::kOk, admin_.user));

  // By the month each episode closed, oldest first; every closed episode with rules in one.
  const auto total = [](const ServiceOutcomes& o) {
    int episodes = 0;
    for (std::size_t i = 0; i < o.by_month.size(); ++i) {
      episodes += o.by_month[i].summary.episodes;
      EXPECT_EQ(o.by_month[i].month.size(), 7U) << o.by_month[i].month;  // YYYY-MM
      if (i > 0) {
        EXPECT_LT(o.by_month[i - 1].month, o.by_month[i].month);
      }
    }
    return episodes;
  };
  EXPECT_EQ(total(outcomes), 2);
  clock_.advance(40);
  must(close_episode(ctx_, trainee_, open, core::CloseReason::kCompleted));
  const ServiceOutcomes later = must(service_outcomes(ctx_, admin_));
  EXPECT_EQ(total(later), 3);
  ASSERT_FALSE(later.by_month.empty());
  EXPECT_EQ(later.by_month.back().summary.episodes, 1) << "40 days on: a month of its own";
  EXPECT_GT(later.by_month.back().month, outcomes.by_month.back().month);
}

// ---- instruments and the audit log ---------------------------------------------------------

constexpr const char* kWellbeing = R"json({
  "format": "tandem-instrument/1",
  "id": "calm3",
  "name": "Three calm questions (test)",
  "licence": {"wording_redistributable": true},
  "direction": "higher_is_better",
  "range": {"min": 0, "max": 12},
  "options": [{"value": 0, "label": "never"}, {"value": 1, "label": "rarely"},
              {"value": 2, "label": "sometimes"}, {"value": 3, "label": "often"},
              {"value": 4, "label": "always"}],
  "items": [{"id": "c1"}, {"id": "c2"}, {"id": "c3"}]
})json";

TEST_P(ServiceTest, AdminsAddTheirOwnInstrumentsAndEveryoneCanUseThem) {
  EXPECT_EQ(code(put_instrument(ctx_, therapist_, kWellbeing)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(put_instrument(ctx_, admin_, R"({"format": "tandem-instrument/1"})")),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(must(put_instrument(ctx_, admin_, kWellbeing)), "calm3");
  std::set<std::string> ids;
  for (const auto& i : must(list_instruments(ctx_, ada_))) ids.insert(i.id);
  EXPECT_EQ(ids, (std::set<std::string>{"calm3", "gad7", "phq9"}));
  EXPECT_EQ(must(list_instruments(ctx_, admin_b_)).size(), 2U) << "organisation B's own list";

  const Id episode = must(open_episode(ctx_, therapist_, {client1_, "calm3", {}}));
  const auto scored =
      must(record_questionnaire(ctx_, ada_, answers_to(episode, std::nullopt, "calm3", {4, 3, 2})));
  EXPECT_EQ(scored.score.total, 9);
}

TEST_P(ServiceTest, OnlyTheAdminSearchesTheAuditLogOfTheirOrganisation) {
  (void)get_client(ctx_, ada_, client2_);  // a denial to find
  core::AuditQuery query;
  query.action = "client.";
  query.page.limit = 1000;
  const auto entries = must(search_audit(ctx_, admin_, query));
  ASSERT_FALSE(entries.empty());
  bool denial = false;
  for (const auto& e : entries) {
    EXPECT_TRUE(e.action.starts_with("client."));
    EXPECT_EQ(e.org, org_a_);
    denial = denial || (e.actor == ada_.user && e.outcome == core::AuditOutcome::kDenied &&
                        e.record_id == client2_);
  }
  EXPECT_TRUE(denial);
  EXPECT_EQ(code(search_audit(ctx_, therapist_, query)), StatusCode::kPermissionDenied);
  EXPECT_EQ(code(search_audit(ctx_, supervisor_, query)), StatusCode::kPermissionDenied);
  EXPECT_TRUE(audited(org_a_, "audit.read", core::AuditOutcome::kOk, admin_.user));
  EXPECT_TRUE(audited(org_a_, "audit.read", core::AuditOutcome::kDenied, therapist_.user));
  for (const auto& e : must(search_audit(ctx_, admin_b_, query))) {
    EXPECT_EQ(e.org, admin_b_.org) << "B's log has only B's own entries";
  }
}

TEST_P(ServiceTest, EveryUseCaseLeavesAnAuditEntryAndNoneCarriesHealthData) {
  const Id episode = episode_with_scores(therapist_, client1_, {10});
  must(episode_profile(ctx_, therapist_, episode));
  auto tx = must(store_->begin());
  core::AuditQuery everything;
  everything.page.limit = 10000;
  std::set<std::string> actions;
  for (const auto& e : must(tx->search_audit(org_a_, everything))) {
    actions.insert(e.action);
    EXPECT_FALSE(e.record_type.empty());
  }
  for (const char* action :
       {"organisation.create", "user.create", "auth.login", "supervision.create", "client.create",
        "episode.create", "session.create", "questionnaire.create", "profile.read"}) {
    EXPECT_EQ(actions.count(action), 1U) << action;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ServiceTest, ::testing::Values(Backend::kMemory, Backend::kSqlite),
                         backend_name);

// One episode's stored rows: three sessions (the second cancelled), PHQ-9 at the first and
// third (a later entry at the third wins), a definition whose goal "old" became "sleep",
// ratings of both, an alliance rating and two moments (one at no session).
EpisodeRecords sample_episode_records() {
  EpisodeRecords records;
  records.episode.id = 7;
  records.episode.instrument = "phq9";
  records.sessions = {{11, 1, 7, 1, 100, Attendance::kAttended, false, true, "", 0},
                      {12, 1, 7, 2, 107, Attendance::kCancelled, false, false, "", 0},
                      {13, 1, 7, 3, 114, Attendance::kAttended, true, false, "", 0}};
  records.administrations = {
      {1, 1, 7, 11, "phq9", phq9_answers(14, 0), 14, Rater::kClient, 1, 0},
      {2, 1, 7, 13, "phq9", phq9_answers(12, 2), 12, Rater::kClient, 1, 0},
      {3, 1, 7, 13, "phq9", phq9_answers(11, 0), 11, Rater::kClient, 1, 0},  // a later entry wins
  };
  core::ProgressDefinition v1;
  v1.version = 1;
  core::GoalDefinition old_goal;
  old_goal.key = "old";
  old_goal.text = "Old";
  v1.goals = {old_goal};
  core::ProgressDefinition v2 = v1;
  v2.version = 2;
  v2.goals[0].key = "sleep";
  v2.revised_at_session = 1;
  records.definitions = {v1, v2};
  records.goal_ratings = {{1, 1, 7, 11, "sleep", Rater::kClient, 4, 1, 0},
                          {2, 1, 7, 11, "sleep", Rater::kTherapist, 3, 1, 0},
                          {3, 1, 7, 13, "old", Rater::kClient, 9, 1, 0}};
  records.alliance = {{1, 1, 7, 13, 7, 1, 0}};
  records.moments = {{1, 1, 7, 13, "laughed", "ha", Rater::kClient, 1, 0},
                     {2, 1, 7, std::nullopt, "honest", "", Rater::kClient, 1, 0}};

  return records;
}

core::Instrument bare_phq9() {
  core::Instrument phq9;
  phq9.id = "phq9";
  phq9.crisis_item = 8;
  return phq9;
}

TEST(EpisodeAssembly, RecordsBecomeTheEpisodeTheProfileReads) {
  const EpisodeRecords records = sample_episode_records();
  const core::Instrument phq9 = bare_phq9();
  const core::Episode e = assemble_episode(records, {phq9});
  EXPECT_EQ(e.id, "7");
  ASSERT_EQ(e.goals.size(), 1U);
  EXPECT_EQ(e.goals[0].id, "sleep");
  EXPECT_EQ(e.definition_revised_session, 1);
  ASSERT_EQ(e.sessions.size(), 3U);
  EXPECT_EQ(e.sessions[0].score, 14);
  EXPECT_TRUE(e.sessions[0].felt_hard);
  EXPECT_EQ(e.sessions[0].item9, 0);
  EXPECT_EQ(e.sessions[0].goals[0].client, 4);
  EXPECT_EQ(e.sessions[0].goals[0].therapist, 3);
  EXPECT_TRUE(std::isnan(e.sessions[1].score));
  EXPECT_EQ(e.sessions[1].attendance, Attendance::kCancelled);
  EXPECT_EQ(e.sessions[2].score, 11);
  EXPECT_EQ(e.sessions[2].item9, 2) << "the highest crisis answer of the session";
  EXPECT_EQ(e.sessions[2].alliance, 7);
  ASSERT_EQ(e.sessions[2].moments.size(), 1U) << "a moment with no session is not placed";
  EXPECT_TRUE(std::isnan(e.sessions[2].goals[0].client)) << "a removed goal's rating is left out";
  EXPECT_FALSE(e.ended);
  EXPECT_TRUE(core::validate(e).is_ok());
  const auto scores = scores_by_session(e);
  ASSERT_EQ(scores.size(), 3U);
  EXPECT_EQ(scores[2], 11);
}

TEST(Timeline, ChartsTheRecordsSessionBySession) {
  EpisodeRecords records = sample_episode_records();
  records.sessions[0].therapist_notes = "private";
  core::Instrument phq9 = bare_phq9();
  phq9.reliable_change_threshold = 6;
  const Timeline t = build_timeline(records, phq9, {phq9}, InsightOptions{}, false);
  ASSERT_EQ(t.sessions.size(), 3U);
  EXPECT_EQ(t.sessions[0].therapist_notes, "");
  ASSERT_EQ(t.scores.size(), 2U) << "the cancelled session has no score";
  EXPECT_EQ(t.scores[0].session, 1);
  EXPECT_EQ(t.scores[0].date, 100);
  EXPECT_EQ(t.scores[1].session, 3);
  EXPECT_EQ(t.scores[1].total, 11) << "the later entry at a session wins";
  ASSERT_EQ(t.goals.size(), 2U);
  EXPECT_EQ(t.goals[0].definition.key, "sleep");
  ASSERT_EQ(t.goals[0].ratings.size(), 2U);
  EXPECT_EQ(t.goals[0].ratings[0].rater, Rater::kClient);
  EXPECT_EQ(t.goals[0].ratings[0].value, 4);
  EXPECT_EQ(t.goals[0].ratings[1].rater, Rater::kTherapist);
  EXPECT_EQ(t.goals[1].definition.key, "old") << "a key seen only in ratings";
  EXPECT_EQ(t.goals[1].definition.text, "Old") << "described by the version that had it";
  ASSERT_EQ(t.goals[1].ratings.size(), 1U);
  EXPECT_EQ(t.goals[1].ratings[0].session, 3);
  ASSERT_EQ(t.alliance.size(), 1U);
  EXPECT_EQ(t.alliance[0].session, 3);
  EXPECT_EQ(t.alliance[0].value, 7);
  ASSERT_EQ(t.moments.size(), 1U) << "a moment with no session is not charted";
  EXPECT_EQ(t.moments[0].tag, "laughed");
  EXPECT_FALSE(t.moments[0].text.has_value()) << "not for this caller";
  EXPECT_TRUE(t.sudden_changes.empty());
  ASSERT_TRUE(t.reliable_change_band.has_value());
  EXPECT_EQ(t.reliable_change_band->intake, 14);
  EXPECT_EQ(t.reliable_change_band->lower, 8);
  EXPECT_EQ(t.reliable_change_band->upper, 20);
  EXPECT_FALSE(t.expected.has_value()) << "no expected trajectory configured";

  const Timeline with_text = build_timeline(records, phq9, {phq9}, InsightOptions{}, true);
  EXPECT_EQ(with_text.moments[0].text, "ha");
  EXPECT_FALSE(build_timeline(records, bare_phq9(), {phq9}, InsightOptions{}, true)
                   .reliable_change_band.has_value())
      << "no threshold, no band";
}

}  // namespace
}  // namespace tandem::service
