#include "service/demo.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "service/accounts.hpp"
#include "service/care_record.hpp"
#include "service/context.hpp"
#include "service/progress.hpp"
#include "service/reflections.hpp"

namespace tandem::service {
namespace {

using core::Attendance;
using core::Date;
using core::Id;
using core::Rater;
using core::Result;
using core::Status;

constexpr core::Timestamp kDayMs = 86400000;
constexpr core::Timestamp kMinuteMs = 60000;

// ---- deterministic randomness ----------------------------------------------------------------

// SplitMix64 (Steele, Lea & Flood 2014): tiny, and the same on every platform and standard
// library, unlike the std distributions.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in lo..hi (inclusive).
  int between(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
    return lo + static_cast<int>(next() % span);
  }
  bool chance(int in, int of) { return between(1, of) <= in; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1))];
  }

 private:
  std::uint64_t state_;
};

// ---- the demo's own ports -------------------------------------------------------------------

// The demo's timeline: each step is stamped on the day it happens, a second apart.
class DemoClock final : public core::Clock {
 public:
  void set(Date day, int minute_of_day) {
    const core::Timestamp base =
        static_cast<core::Timestamp>(day) * kDayMs + minute_of_day * kMinuteMs;
    if (base != base_) ticks_ = 0;  // steps at the same minute keep counting on
    day_ = day;
    base_ = base;
  }
  core::Timestamp now() const override { return base_ + 1000 * ticks_++; }
  Date today() const override { return day_; }

 private:
  Date day_ = 0;
  core::Timestamp base_ = 0;
  mutable core::Timestamp ticks_ = 0;
};

// Hashes the one demo password once (argon2id is slow on purpose) and hands out that hash.
class OnceHasher final : public core::PasswordHasher {
 public:
  explicit OnceHasher(const core::PasswordHasher& real) : real_(real) {}
  Result<std::string> hash(std::string_view password) const override {
    if (password != kDemoPassword) return real_.hash(password);
    if (!cached_) {
      auto hashed = real_.hash(password);
      if (!hashed) return hashed;
      cached_ = std::move(*hashed);
    }
    return *cached_;
  }
  bool verify(std::string_view encoded_hash, std::string_view password) const override {
    return real_.verify(encoded_hash, password);
  }

 private:
  const core::PasswordHasher& real_;
  mutable std::optional<std::string> cached_;
};

// Every "transaction" the use cases open is the one demo transaction; their commits are
// no-ops and the demo commits once at the end.
class Borrowed final : public core::Transaction {
 public:
  explicit Borrowed(core::Transaction& tx) : tx_(tx) {}
  Status commit() override { return Status::ok(); }

  Result<Id> create_organisation(const core::Organisation& o) override {
    return tx_.create_organisation(o);
  }
  Result<core::Organisation> get_organisation(Id org) override { return tx_.get_organisation(org); }
  Status update_organisation(const core::Organisation& o) override {
    return tx_.update_organisation(o);
  }
  Result<Id> create_user(const core::User& u) override { return tx_.create_user(u); }
  Result<core::User> get_user(Id org, Id user) override { return tx_.get_user(org, user); }
  Result<core::User> find_user_by_email(std::string_view email) override {
    return tx_.find_user_by_email(email);
  }
  Result<std::vector<core::User>> list_users(Id org, const core::Page& page) override {
    return tx_.list_users(org, page);
  }
  Status update_user(const core::User& u) override { return tx_.update_user(u); }
  Result<std::int64_t> count_users(Id org) override { return tx_.count_users(org); }
  Result<Id> create_login_session(const core::LoginSession& s) override {
    return tx_.create_login_session(s);
  }
  Result<core::LoginSession> find_login_session_by_hash(std::string_view hash) override {
    return tx_.find_login_session_by_hash(hash);
  }
  Status touch_login_session(Id org, Id session, core::Timestamp at) override {
    return tx_.touch_login_session(org, session, at);
  }
  Status revoke_login_session(Id org, Id session) override {
    return tx_.revoke_login_session(org, session);
  }
  Result<std::int64_t> revoke_other_sessions(Id org, Id user, Id keep) override {
    return tx_.revoke_other_sessions(org, user, keep);
  }
  Result<Id> create_invitation(const core::Invitation& i) override {
    return tx_.create_invitation(i);
  }
  Result<core::Invitation> find_invitation_by_hash(std::string_view hash) override {
    return tx_.find_invitation_by_hash(hash);
  }
  Result<std::vector<core::Invitation>> list_invitations(Id org, std::optional<Id> created_by,
                                                         const core::Page& page) override {
    return tx_.list_invitations(org, created_by, page);
  }
  Status mark_invitation_used(Id org, Id invitation, core::Timestamp at) override {
    return tx_.mark_invitation_used(org, invitation, at);
  }
  Status record_login_failure(std::string_view key, core::Timestamp at) override {
    return tx_.record_login_failure(key, at);
  }
  Result<std::int64_t> count_login_failures(std::string_view key, core::Timestamp since) override {
    return tx_.count_login_failures(key, since);
  }
  Result<std::int64_t> prune_login_failures(core::Timestamp before) override {
    return tx_.prune_login_failures(before);
  }
  Result<Id> create_client(const core::Client& c) override { return tx_.create_client(c); }
  Result<core::Client> get_client(Id org, Id client) override {
    return tx_.get_client(org, client);
  }
  Status update_client(const core::Client& c) override { return tx_.update_client(c); }
  Result<std::vector<core::Client>> list_clients(Id org, const core::Page& page) override {
    return tx_.list_clients(org, page);
  }
  Status assign(const core::Assignment& a) override { return tx_.assign(a); }
  Status unassign(Id org, Id client, Id therapist) override {
    return tx_.unassign(org, client, therapist);
  }
  Result<std::vector<Id>> therapists_of(Id org, Id client) override {
    return tx_.therapists_of(org, client);
  }
  Result<std::vector<core::Client>> clients_of(Id org, Id therapist,
                                               const core::Page& page) override {
    return tx_.clients_of(org, therapist, page);
  }
  Status link_supervision(const core::SupervisionLink& l) override {
    return tx_.link_supervision(l);
  }
  Result<std::vector<Id>> supervisees_of(Id org, Id supervisor) override {
    return tx_.supervisees_of(org, supervisor);
  }
  Result<std::vector<Id>> supervisors_of(Id org, Id therapist) override {
    return tx_.supervisors_of(org, therapist);
  }
  Result<Id> create_episode(const core::EpisodeRecord& e) override { return tx_.create_episode(e); }
  Result<core::EpisodeRecord> get_episode(Id org, Id episode) override {
    return tx_.get_episode(org, episode);
  }
  Result<std::vector<core::EpisodeRecord>> episodes_of_client(Id org, Id client) override {
    return tx_.episodes_of_client(org, client);
  }
  Status close_episode(Id org, Id episode, Date closed, core::CloseReason reason) override {
    return tx_.close_episode(org, episode, closed, reason);
  }
  Result<Id> create_session(const core::SessionRecord& s) override { return tx_.create_session(s); }
  Result<core::SessionRecord> get_session(Id org, Id session) override {
    return tx_.get_session(org, session);
  }
  Status update_session(const core::SessionRecord& s) override { return tx_.update_session(s); }
  Result<std::vector<core::SessionRecord>> sessions_of(Id org, Id episode) override {
    return tx_.sessions_of(org, episode);
  }
  Status put_instrument(const core::InstrumentRecord& i) override { return tx_.put_instrument(i); }
  Result<std::vector<core::InstrumentRecord>> list_instruments(Id org) override {
    return tx_.list_instruments(org);
  }
  Result<Id> add_administration(const core::Administration& a) override {
    return tx_.add_administration(a);
  }
  Result<std::vector<core::Administration>> administrations_of(Id org, Id episode) override {
    return tx_.administrations_of(org, episode);
  }
  Result<int> add_definition_version(const core::ProgressDefinition& d) override {
    return tx_.add_definition_version(d);
  }
  Result<std::vector<core::ProgressDefinition>> definition_versions(Id org, Id episode) override {
    return tx_.definition_versions(org, episode);
  }
  Status record_agreement(Id org, Id episode, int version, Rater rater,
                          core::Timestamp at) override {
    return tx_.record_agreement(org, episode, version, rater, at);
  }
  Result<Id> add_goal_rating(const core::GoalRatingRecord& r) override {
    return tx_.add_goal_rating(r);
  }
  Result<std::vector<core::GoalRatingRecord>> goal_ratings_of(Id org, Id episode) override {
    return tx_.goal_ratings_of(org, episode);
  }
  Result<Id> add_alliance(const core::AllianceRating& r) override { return tx_.add_alliance(r); }
  Result<std::vector<core::AllianceRating>> alliance_of(Id org, Id episode) override {
    return tx_.alliance_of(org, episode);
  }
  Result<Id> add_moment(const core::MomentRecord& m) override { return tx_.add_moment(m); }
  Result<std::vector<core::MomentRecord>> moments_of(Id org, Id episode) override {
    return tx_.moments_of(org, episode);
  }
  Result<Id> add_reflection(const core::Reflection& r) override { return tx_.add_reflection(r); }
  Result<core::Reflection> get_reflection(Id org, Id reflection) override {
    return tx_.get_reflection(org, reflection);
  }
  Result<std::vector<core::Reflection>> reflections_of(Id org, Id author,
                                                       const core::Page& page) override {
    return tx_.reflections_of(org, author, page);
  }
  Result<Id> add_comment(const core::ReflectionComment& c) override { return tx_.add_comment(c); }
  Result<std::vector<core::ReflectionComment>> comments_of(Id org, Id reflection) override {
    return tx_.comments_of(org, reflection);
  }
  Result<Id> append_audit(const core::AuditEntry& e) override { return tx_.append_audit(e); }
  Result<std::vector<core::AuditEntry>> search_audit(Id org, const core::AuditQuery& q) override {
    return tx_.search_audit(org, q);
  }

 private:
  core::Transaction& tx_;
};

class BatchStore final : public core::Store {
 public:
  BatchStore(core::Store& real, core::Transaction& tx) : real_(real), tx_(tx) {}
  Result<std::unique_ptr<core::Transaction>> begin() override {
    return std::unique_ptr<core::Transaction>(std::make_unique<Borrowed>(tx_));
  }
  Result<int> schema_version() override { return real_.schema_version(); }
  int latest_schema_version() const override { return real_.latest_schema_version(); }
  Status ping() override { return real_.ping(); }
  Result<std::int64_t> reseal_all() override {
    return core::fail(Status::failed_precondition("not while seeding the demo"));
  }

 private:
  core::Store& real_;
  core::Transaction& tx_;
};

// ---- the people -------------------------------------------------------------------------------

struct Staff {
  const char* email;
  const char* name;
  core::Role role;
  bool trainee;
};

constexpr Staff kSupervisor = {"supervisor@example.org", "Dr Rhea Ashdown (demo)",
                               core::Role::kSupervisor, false};
constexpr std::array<Staff, 3> kTherapists = {{
    {"therapist1@example.org", "Sam Holloway (demo)", core::Role::kTherapist, false},
    {"therapist2@example.org", "Priya Lindqvist (demo)", core::Role::kTherapist, false},
    {"therapist3@example.org", "Theo Marlow (demo, trainee)", core::Role::kTherapist, true},
}};

// How a client's episode goes: one per pattern or signal the demo must show.
enum class Arc {
  kImproving,
  kStirring,
  kSuddenGain,
  kSetbackRecovery,
  kSteady,
  kWorsening,
  kDropout,
  kReturned,
  kPerceptionGap,
  kRupture,
  kCrisis,
  kAchieved,
};

enum class Ending { kOpen, kCompleted, kDroppedOut, kTransferred };

struct ClientSpec {
  const char* first;
  const char* last;
  Arc arc;
  int therapist;  // 0..2
  Ending ending;
};

// Forty made-up people: first names and birds or wild plants, all marked (demo).
constexpr std::array<ClientSpec, kDemoClients> kClients = {{
    {"Ada", "Lark", Arc::kImproving, 0, Ending::kOpen},
    {"Ben", "Finch", Arc::kStirring, 0, Ending::kOpen},
    {"Cleo", "Marsh", Arc::kSuddenGain, 0, Ending::kOpen},
    {"Dev", "Rook", Arc::kSetbackRecovery, 0, Ending::kOpen},
    {"Edie", "Fern", Arc::kSteady, 0, Ending::kOpen},
    {"Femi", "Heron", Arc::kWorsening, 0, Ending::kOpen},
    {"Gus", "Tansy", Arc::kDropout, 0, Ending::kOpen},
    {"Hana", "Wren", Arc::kReturned, 0, Ending::kOpen},
    {"Ivo", "Sorrel", Arc::kPerceptionGap, 0, Ending::kOpen},
    {"Jo", "Linnet", Arc::kRupture, 0, Ending::kOpen},
    {"Kit", "Bramble", Arc::kCrisis, 0, Ending::kOpen},
    {"Lena", "Plover", Arc::kAchieved, 0, Ending::kCompleted},
    {"Milo", "Sedge", Arc::kImproving, 0, Ending::kCompleted},
    {"Nia", "Thistle", Arc::kSteady, 0, Ending::kOpen},
    {"Oren", "Kestrel", Arc::kAchieved, 0, Ending::kCompleted},
    {"Pia", "Alder", Arc::kImproving, 1, Ending::kOpen},
    {"Quinn", "Starling", Arc::kStirring, 1, Ending::kOpen},
    {"Rosa", "Teasel", Arc::kSuddenGain, 1, Ending::kCompleted},
    {"Sol", "Merlin", Arc::kSetbackRecovery, 1, Ending::kOpen},
    {"Tess", "Hazel", Arc::kSteady, 1, Ending::kOpen},
    {"Uma", "Dunlin", Arc::kWorsening, 1, Ending::kTransferred},
    {"Vik", "Rowan", Arc::kDropout, 1, Ending::kDroppedOut},
    {"Willa", "Curlew", Arc::kReturned, 1, Ending::kOpen},
    {"Xan", "Bracken", Arc::kPerceptionGap, 1, Ending::kOpen},
    {"Yara", "Pipit", Arc::kRupture, 1, Ending::kOpen},
    {"Zeb", "Nettle", Arc::kImproving, 1, Ending::kCompleted},
    {"Amal", "Siskin", Arc::kAchieved, 1, Ending::kCompleted},
    {"Bo", "Yarrow", Arc::kSuddenGain, 1, Ending::kOpen},
    {"Cass", "Godwit", Arc::kSetbackRecovery, 1, Ending::kOpen},
    {"Dara", "Clover", Arc::kImproving, 1, Ending::kOpen},
    {"Eli", "Twite", Arc::kImproving, 2, Ending::kOpen},
    {"Fay", "Mallow", Arc::kStirring, 2, Ending::kOpen},
    {"Gil", "Avocet", Arc::kSteady, 2, Ending::kOpen},
    {"Halle", "Burdock", Arc::kWorsening, 2, Ending::kOpen},
    {"Ike", "Tern", Arc::kDropout, 2, Ending::kOpen},
    {"Jude", "Campion", Arc::kReturned, 2, Ending::kOpen},
    {"Kai", "Redpoll", Arc::kPerceptionGap, 2, Ending::kOpen},
    {"Lou", "Vetch", Arc::kRupture, 2, Ending::kOpen},
    {"Mae", "Stonechat", Arc::kCrisis, 2, Ending::kOpen},
    {"Ned", "Whimbrel", Arc::kAchieved, 2, Ending::kCompleted},
}};

std::string full_name(const ClientSpec& c) {
  return std::string(c.first) + " " + c.last + " (demo)";
}

// Puts a client's first name where a text says {name}.
std::string with_name(std::string text, std::string_view name) {
  for (auto at = text.find("{name}"); at != std::string::npos; at = text.find("{name}")) {
    text.replace(at, 6, name);
  }
  return text;
}

// ---- words ------------------------------------------------------------------------------------

struct GboTheme {
  const char* key;
  const char* text;
  const char* reworded;
};

struct GasTheme {
  const char* key;
  const char* text;
  std::array<const char*, 5> levels;  // -2 .. +2
};

const std::vector<GboTheme>& gbo_themes() {
  static const std::vector<GboTheme> themes = {
      {"sleep", "Sleep well enough to get up for work without dreading the day",
       "Sleep six hours most nights, and get up without dreading the day"},
      {"speak-up", "Speak up in team meetings when I have something to say",
       "Say what I think in meetings at least once a week, even if my voice shakes"},
      {"evenings", "Feel less on edge at home in the evenings",
       "Have evenings where I can watch something without my mind racing"},
      {"kinder", "Be kinder to myself when things go wrong",
       "Notice when I'm being hard on myself and talk to myself like I would to a friend"},
      {"partner", "Talk to my partner about how I'm really doing",
       "Tell my partner one true thing about my week, most weeks"},
      {"kids", "Spend time with my kids without snapping at them",
       "Have a calm bedtime with the kids most nights"},
  };
  return themes;
}

const std::vector<GasTheme>& gas_themes() {
  static const std::vector<GasTheme> themes = {
      {"friends",
       "See friends again instead of cancelling",
       {"I cancel every plan and don't reply to messages",
        "I reply to messages but still cancel plans", "I keep one plan with a friend a fortnight",
        "I keep a plan with a friend most weeks", "I suggest plans myself and enjoy them"}},
      {"shop",
       "Go to the shops on my own",
       {"I don't go at all; someone else does the shopping",
        "I go with someone, or leave before I've finished",
        "I go on my own to the small shop at a quiet time", "I go on my own to the supermarket",
        "I go whenever I need to, without planning around it"}},
      {"running",
       "Get back to running",
       {"I haven't been out at all", "I've been out once or twice for a short walk",
        "I run or walk briskly once a week", "I get out twice a week",
        "Three times a week, and I look forward to it"}},
      {"post",
       "Deal with the post and the bills",
       {"The letters stay unopened in a pile", "I open them but put them aside",
        "I open and sort the post each week", "I deal with bills when they arrive",
        "I've cleared the backlog and feel on top of it"}},
      {"choir",
       "Go back to choir on Thursdays",
       {"I haven't been since the spring", "I've been in touch with the choir leader",
        "I go once a month and stay for the break", "I go most weeks",
        "I go every week and stay for a drink afterwards"}},
  };
  return themes;
}

const std::vector<std::string>& hopes() {
  static const std::vector<std::string> texts = {
      "To feel like myself again, not just get through the days.",
      "I want to stop lying awake going over everything.",
      "To go out without planning an escape route first.",
      "I'd like to enjoy things again: music, cooking, seeing people.",
      "To not feel so on edge all the time.",
      "To be a calmer parent, and a bit kinder to myself.",
  };
  return texts;
}

const std::vector<std::string>& better_looks() {
  static const std::vector<std::string> texts = {
      "Getting up on a Saturday and actually wanting to do something.",
      "Cooking a proper meal and sitting down to eat it.",
      "Answering the phone when my sister rings.",
      "Walking to the shop without my heart pounding.",
      "Laughing at the kids' jokes instead of snapping.",
      "Going back to the allotment and staying a whole afternoon.",
  };
  return texts;
}

const std::vector<std::string>& small_shifts() {
  static const std::vector<std::string> texts = {
      "Opening the curtains in the morning.",
      "Replying to one message a day.",
      "A walk round the block after work.",
      "Noticing when I'm being hard on myself, and stopping for a second.",
      "Going to bed at the same time three nights a week.",
      "Telling someone one true thing about my week.",
  };
  return texts;
}

struct MomentText {
  const char* tag;
  Rater by;
  const char* text;
};

const std::vector<MomentText>& progress_moments() {
  static const std::vector<MomentText> texts = {
      {"laughed", Rater::kClient,
       "Laughed at something on the radio on the way here. Felt strange and good."},
      {"laughed", Rater::kTherapist,
       "{name} laughed about the cat knocking the tea over. First proper laugh I've heard."},
      {"responded-not-reacted", Rater::kClient,
       "My brother said the usual thing and I waited before I answered. It went differently."},
      {"responded-not-reacted", Rater::kTherapist,
       "{name} described pausing before replying to a sharp email instead of firing one back."},
      {"more-breathing-space", Rater::kClient,
       "Had a whole evening this week where my head wasn't racing."},
      {"more-breathing-space", Rater::kTherapist,
       "{name} noticed a bit more room between the worry and what they did next."},
      {"walked-the-dog", Rater::kClient, "Walked the dog round the park on Sunday, the long way."},
      {"slept-through", Rater::kClient, "Slept through the night twice this week."},
  };
  return texts;
}

const std::vector<MomentText>& honest_moments() {
  static const std::vector<MomentText> texts = {
      {"honest", Rater::kClient, "Told my partner I wasn't fine. Said it out loud."},
      {"honest", Rater::kTherapist,
       "{name} said how angry they still are about the redundancy. We stayed with it."},
      {"honest", Rater::kClient, "Admitted I'd been pretending the homework was going well."},
  };
  return texts;
}

// ---- one client's plan ---------------------------------------------------------------------

struct MomentPlan {
  std::string tag;
  Rater by = Rater::kClient;
  std::string text;
};

struct SessionPlan {
  Attendance attendance = Attendance::kAttended;
  double phq = core::kMissing;
  int item9 = 0;
  bool hard_client = false;
  bool hard_therapist = false;
  double alliance = core::kMissing;
  // Client and therapist ratings of each goal of the definition in force (NaN: not rated).
  std::vector<std::pair<double, double>> goals;
  std::vector<MomentPlan> moments;
  std::string notes;
  bool revise = false;  // the definition is revised (version 2) at this session
};

struct ClientPlan {
  std::vector<SessionPlan> sessions;
  DefinitionDraft first;
  std::optional<DefinitionDraft> revised;
  Ending ending = Ending::kOpen;
  Date first_day = 0;
  bool gad7 = false;  // also answers GAD-7 each session
};

// A whole number on the straight line from `from` (i = 0) to `to` (i = m - 1); never -0 (a
// store may not keep the sign of zero).
double lerp(double from, double to, int i, int m) {
  if (m <= 1) return to;
  const double v =
      std::round(from + (to - from) * static_cast<double>(i) / static_cast<double>(m - 1));
  return v == 0.0 ? 0.0 : v;
}

// The shape of the episode over its attended sessions: PHQ-9 totals, the client's GBO and
// GAS ratings and the alliance, per attended session.
struct Shape {
  std::vector<double> phq;
  std::vector<double> gbo;
  std::vector<double> gas;
  std::vector<double> alliance;
};

// A gentle alliance of 8s and 9s (no drop of two points: no rupture by accident).
std::vector<double> easy_alliance(int m, Rng& rng) {
  std::vector<double> out;
  double value = rng.between(8, 9);
  for (int i = 0; i < m; ++i) {
    if (i > 0 && rng.chance(1, 3)) value = value == 8 ? 9 : 8;
    out.push_back(value);
  }
  return out;
}

Shape shape_for(Arc arc, int m, Rng& rng) {
  Shape s;
  s.alliance = easy_alliance(m, rng);
  switch (arc) {
    case Arc::kImproving: {
      const double start = rng.between(16, 19);
      const double end = start - rng.between(9, 11);
      for (int i = 0; i < m; ++i) {
        double v = lerp(start, end, i, m);
        if (i > 0 && i < m - 1) v += rng.between(-1, 1);
        s.phq.push_back(v);
        s.gbo.push_back(lerp(2, 7, i, m));
        s.gas.push_back(lerp(-2, 0, i, m));
      }
      break;
    }
    case Arc::kStirring: {
      const double base = rng.between(9, 11);
      for (int i = 0; i < m - 4; ++i) {
        s.phq.push_back(base + rng.between(-1, 0));
        s.gbo.push_back(3);
        s.gas.push_back(-1);
      }
      for (double rise : {0.0, 2.0, 4.0, 7.0}) s.phq.push_back(base + rise);
      for (double g : {3.0, 4.0, 5.0, 7.0}) s.gbo.push_back(g);
      for (double g : {-1.0, -1.0, 0.0, 0.0}) s.gas.push_back(g);
      break;
    }
    case Arc::kSuddenGain: {
      const double high = rng.between(19, 20);
      for (int i = 0; i < 4; ++i) {
        s.phq.push_back(high - (i % 2 == 0 ? 1 : 0));
        s.gbo.push_back(2);
        s.gas.push_back(-2);
      }
      const double after = high - 8;
      for (int i = 4; i < m; ++i) {
        const int eased = (i - 4) / 2;  // a point every two sessions
        s.phq.push_back(std::max(5.0, after - eased));
        s.gbo.push_back(std::min(8.0, 5.0 + eased));
        s.gas.push_back(i - 4 < 3 ? 0.0 : 1.0);
      }
      break;
    }
    case Arc::kSetbackRecovery: {
      const double start = rng.between(15, 17);
      const std::vector<double> head = {start,     start - 2, start - 3, start + 3,
                                        start + 2, start - 1, start - 4, start - 6};
      for (int i = 0; i < m; ++i) {
        const auto k = static_cast<std::size_t>(i);
        s.phq.push_back(k < head.size() ? head[k] : start - 6 - (rng.chance(1, 2) ? 1 : 0));
        s.gbo.push_back(k < 3 ? 3.0 : (k < 5 ? 2.0 : std::min(7.0, 3.0 + (i - 5))));
        s.gas.push_back(k < 5 ? -1.0 : 0.0);
      }
      break;
    }
    case Arc::kSteady: {
      const double base = rng.between(12, 15);
      const std::array<double, 6> wobble = {0, 1, -1, 0, 1, 0};
      for (int i = 0; i < m; ++i) {
        s.phq.push_back(base + wobble[static_cast<std::size_t>(i) % wobble.size()]);
        s.gbo.push_back(i < m / 2 ? 4 : 5);
        s.gas.push_back(-1);
      }
      break;
    }
    case Arc::kWorsening: {
      double v = rng.between(8, 10);
      for (int i = 0; i < m; ++i) {
        s.phq.push_back(std::min(v, 21.0));
        v += (i % 3 == 2) ? 2 : 1;
        s.gbo.push_back(i < m / 2 ? 5 : 4);
        s.gas.push_back(-1);
      }
      break;
    }
    case Arc::kDropout:
    case Arc::kPerceptionGap:
    case Arc::kCrisis: {
      const double start = rng.between(15, 17);
      for (int i = 0; i < m; ++i) {
        double v = start - std::floor(i / 3.0);
        if (arc == Arc::kCrisis && i == 1) v += 1;
        s.phq.push_back(v);
        s.gbo.push_back(arc == Arc::kPerceptionGap ? (i == 0 ? 7 : 8) : lerp(3, 5, i, m));
        s.gas.push_back(i < m / 2 ? -1 : 0);
      }
      break;
    }
    case Arc::kReturned:
    case Arc::kRupture: {
      const double start = rng.between(15, 17);
      for (int i = 0; i < m; ++i) {
        s.phq.push_back(lerp(start, start - 5, i, m));
        s.gbo.push_back(lerp(3, 6, i, m));
        s.gas.push_back(i < m / 2 ? -1 : 0);
      }
      break;
    }
    case Arc::kAchieved: {
      const double start = rng.between(14, 16);
      const int reach = std::max(4, m / 2);  // the attended session where the goals arrive
      for (int i = 0; i < m; ++i) {
        s.phq.push_back(i < reach ? lerp(start, 8, i, reach) : (rng.chance(1, 2) ? 6 : 5));
        s.gbo.push_back(i < reach ? lerp(3, 8, i, reach) : (i % 2 == 0 ? 9 : 8));
        s.gas.push_back(i < reach - 1 ? lerp(-1, 0, i, reach - 1) : 1);
      }
      break;
    }
  }
  return s;
}

// Sessions offered (attended, cancelled, missed) for each kind of episode.
std::pair<int, int> session_range(Arc arc) {
  switch (arc) {
    case Arc::kImproving:
      return {8, 16};
    case Arc::kStirring:
      return {6, 10};
    case Arc::kSuddenGain:
      return {8, 14};
    case Arc::kSetbackRecovery:
      return {9, 14};
    case Arc::kSteady:
      return {8, 14};
    case Arc::kWorsening:
      return {7, 11};
    case Arc::kDropout:
      return {7, 10};
    case Arc::kReturned:
      return {8, 13};
    case Arc::kPerceptionGap:
      return {6, 12};
    case Arc::kRupture:
      return {8, 13};
    case Arc::kCrisis:
      return {6, 12};
    case Arc::kAchieved:
      return {10, 20};
  }
  return {6, 20};
}

core::GoalDefinition gbo_goal(const GboTheme& theme, bool reworded = false) {
  core::GoalDefinition goal;
  goal.key = theme.key;
  goal.text = reworded ? theme.reworded : theme.text;
  goal.scale = core::GoalScale::kGbo;
  return goal;
}

core::GoalDefinition gas_goal(const GasTheme& theme) {
  core::GoalDefinition goal;
  goal.key = theme.key;
  goal.text = theme.text;
  goal.scale = core::GoalScale::kGas;
  for (std::size_t i = 0; i < 5; ++i) goal.gas_levels[i] = theme.levels[i];
  goal.weight = 1.0;
  return goal;
}

ClientPlan plan_client(const ClientSpec& spec, int index, Date today, Rng& rng) {
  ClientPlan plan;
  plan.ending = spec.ending;
  plan.gad7 = spec.therapist != 2;  // the trainee's service tracks PHQ-9 only
  const std::string name = spec.first;

  // Goals in the client's words: one 0-10 goal and one scaled goal.
  const GboTheme& gbo = gbo_themes()[static_cast<std::size_t>(index) % gbo_themes().size()];
  const GasTheme& gas = gas_themes()[static_cast<std::size_t>(index) % gas_themes().size()];
  plan.first.hopes = rng.pick(hopes());
  plan.first.better_looks_like = rng.pick(better_looks());
  plan.first.small_shifts = rng.pick(small_shifts());
  plan.first.goals = {gbo_goal(gbo), gas_goal(gas)};
  plan.first.change_note = "Agreed together at our first session.";

  const auto [lo, hi] = session_range(spec.arc);
  const int n = rng.between(lo, hi);
  std::vector<Attendance> schedule(static_cast<std::size_t>(n), Attendance::kAttended);
  int hard_at = -1;  // session index (0-based) that felt hard
  switch (spec.arc) {
    case Arc::kDropout:
      hard_at = n - 3;
      schedule[static_cast<std::size_t>(n - 2)] = Attendance::kDidNotAttend;
      schedule[static_cast<std::size_t>(n - 1)] = Attendance::kCancelled;
      break;
    case Arc::kReturned:
      hard_at = n / 2;
      schedule[static_cast<std::size_t>(hard_at) + 1] = Attendance::kCancelled;
      break;
    case Arc::kImproving:
    case Arc::kSteady:
    case Arc::kAchieved:
      if (n >= 9 && rng.chance(1, 2)) {
        schedule[static_cast<std::size_t>(rng.between(2, n - 6))] = Attendance::kCancelled;
      }
      break;
    default:
      break;
  }
  const int m =
      static_cast<int>(std::count(schedule.begin(), schedule.end(), Attendance::kAttended));
  const Shape shape = shape_for(spec.arc, m, rng);

  int attended = 0;
  for (int i = 0; i < n; ++i) {
    SessionPlan session;
    session.attendance = schedule[static_cast<std::size_t>(i)];
    if (session.attendance != Attendance::kAttended) {
      session.notes = session.attendance == Attendance::kCancelled
                          ? "Cancelled by " + name + " on the morning."
                          : "Did not attend; left a voicemail offering next week.";
      plan.sessions.push_back(std::move(session));
      continue;
    }
    const auto a = static_cast<std::size_t>(attended);
    session.phq = shape.phq[a];
    session.alliance = shape.alliance[a];
    const double gbo_rating = std::clamp(shape.gbo[a], 0.0, 10.0);
    const double gas_rating = std::clamp(shape.gas[a], -2.0, 2.0);
    double gbo_therapist = std::clamp(gbo_rating - (rng.chance(1, 2) ? 1 : 0), 0.0, 10.0);
    if (spec.arc == Arc::kPerceptionGap) {
      const int catching_up = (attended + 1) / 2;
      gbo_therapist = 3.0 + catching_up;
    }
    session.goals = {{gbo_rating, gbo_therapist}, {gas_rating, gas_rating}};
    if (attended == 0) {
      session.notes = "First session. We talked about what brought " + name +
                      " here and what they hope for, and wrote it down together.";
    }
    if (i == hard_at) {
      session.hard_client = true;
      session.hard_therapist = true;
      session.notes = "A hard session. " + name +
                      " talked about their dad for the first time; long silences. Checked how "
                      "they were getting home.";
    }
    plan.sessions.push_back(std::move(session));
    ++attended;
  }

  // What happens at particular sessions.
  auto attended_sessions = [&] {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < plan.sessions.size(); ++i) {
      if (plan.sessions[i].attendance == Attendance::kAttended) out.push_back(i);
    }
    return out;
  }();
  auto at = [&](std::size_t k) -> SessionPlan& { return plan.sessions[attended_sessions[k]]; };
  const std::size_t last = attended_sessions.size() - 1;
  auto add_moment = [&](std::size_t k, const MomentText& text) {
    at(k).moments.push_back({text.tag, text.by, with_name(text.text, name)});
  };

  switch (spec.arc) {
    case Arc::kStirring:
      add_moment(last, rng.pick(honest_moments()));
      at(last).notes = name +
                       " said things feel louder at the moment, but that they said no to "
                       "their manager for the first time.";
      break;
    case Arc::kRupture: {
      const std::size_t r = 3;
      at(r - 1).alliance = 8;
      at(r).alliance = 5;
      at(r + 1).alliance = 7;
      for (std::size_t k = r + 2; k <= last; ++k) at(k).alliance = 9;
      at(r).notes = "The homework review felt like marking. " + name +
                    " went quiet. I think I pushed too fast.";
      at(r).moments.push_back(
          {"honest", Rater::kClient, "Said the homework felt like being back at school."});
      at(r + 2).moments.push_back({"repair", Rater::kTherapist,
                                   "We talked about what went wrong a couple of weeks ago. " +
                                       name + " said it helped that I asked."});
      break;
    }
    case Arc::kReturned: {
      // The first attended session after the hard one.
      const auto hard = std::find(attended_sessions.begin(), attended_sessions.end(),
                                  static_cast<std::size_t>(hard_at));
      const auto back =
          static_cast<std::size_t>(std::distance(attended_sessions.begin(), hard)) + 1;
      at(back).moments.push_back(
          {"returned-after-hard-session", Rater::kTherapist,
           name +
               " came back after the hard session and said how nervous they'd been walking in."});
      break;
    }
    case Arc::kCrisis: {
      const std::size_t c = std::min<std::size_t>(2, last);
      at(c).item9 = 1;
      at(c).notes =
          "Item 9 answered 'several days'. We talked it through; no plans or intent. "
          "Agreed a safety plan together and a phone check-in on Thursday.";
      break;
    }
    case Arc::kPerceptionGap:
      at(last).notes = name +
                       " rates their confidence much higher than I would. Worth exploring "
                       "what they notice that I don't.";
      break;
    case Arc::kWorsening:
      at(last).notes =
          "Harder weeks: the housing letter came. Talked about what support is "
          "around; agreed to look at this together next time.";
      break;
    default:
      break;
  }
  // A few kind moments along the way (never in a worsening episode's last stretch, where a
  // moment would rightly make it "stirring").
  if (spec.arc != Arc::kWorsening && spec.arc != Arc::kSteady && last >= 3) {
    add_moment(std::min<std::size_t>(last - 1, 2 + static_cast<std::size_t>(rng.between(0, 2))),
               rng.pick(progress_moments()));
  }
  if ((spec.arc == Arc::kImproving || spec.arc == Arc::kAchieved) && last >= 6) {
    add_moment(last - 1, rng.pick(progress_moments()));
  }

  // Longer episodes revisit what progress means part-way through.
  const bool revisit = n >= 10 && spec.arc != Arc::kSteady && spec.arc != Arc::kDropout &&
                       spec.arc != Arc::kWorsening;
  if (revisit) {
    DefinitionDraft revised = plan.first;
    revised.goals[0] = gbo_goal(gbo, true);
    revised.change_note = "Six weeks in we both felt the first goal was too vague. " + name +
                          " put it in their own words again.";
    plan.revised = std::move(revised);
    at(6).revise = true;
  }

  // Dates: weekly; open episodes end in the last week, closed ones some weeks ago.
  const int end_offset =
      spec.ending == Ending::kOpen ? rng.between(1, 6) : 7 * rng.between(3, 16) + rng.between(0, 6);
  plan.first_day = today - end_offset - 7 * (n - 1);
  return plan;
}

// Spreads a questionnaire total over the items (each 0..3); the crisis item, if any, gets
// exactly crisis_value.
std::vector<double> items_for(double total, int items, int crisis_item, int crisis_value,
                              Rng& rng) {
  std::vector<double> out(static_cast<std::size_t>(items), 0.0);
  const int room =
      3 * (crisis_item >= 0 ? items - 1 : items) + (crisis_item >= 0 ? crisis_value : 0);
  int left = std::clamp(static_cast<int>(total), 0, room);
  if (crisis_item >= 0) {
    out[static_cast<std::size_t>(crisis_item)] = crisis_value;
    left -= crisis_value;
  }
  while (left > 0) {
    const int i = rng.between(0, items - 1);
    auto& value = out[static_cast<std::size_t>(i)];
    if (i == crisis_item || value >= 3) continue;
    value += 1;
    --left;
  }
  return out;
}

// ---- running the plan -------------------------------------------------------------------

struct Step {
  Date day = 0;
  int minute = 0;  // minute of the day
  int client = 0;  // -1: practice-wide
  int order = 0;
  std::function<Status()> run;
};

template <class T>
Status stash(Result<T> result, T& into) {
  if (!result) return result.error();
  into = std::move(*result);
  return Status::ok();
}

Status ok_or(Result<Id> result) { return result ? Status::ok() : result.error(); }

struct ClientRun {
  const ClientSpec* spec = nullptr;
  ClientPlan plan;
  Id client = 0;
  Id user = 0;
  Id episode = 0;
  std::vector<Id> sessions;
  Actor actor;  // the client themselves
};

}  // namespace

std::string demo_client_email(int n) { return "client" + std::to_string(n) + "@example.org"; }

Result<DemoPractice> seed_demo_practice(core::Store& store, const core::Clock& clock,
                                        const core::PasswordHasher& hasher,
                                        const InstrumentCatalogue& instruments,
                                        std::uint64_t seed) {
  auto begun = store.begin();
  if (!begun) return core::fail(begun.error());
  core::Transaction& tx = **begun;
  auto shipped = [&](std::string_view id) -> const core::Instrument* {
    for (const core::Instrument& i : instruments.shipped()) {
      if (i.id == id) return &i;
    }
    return nullptr;
  };
  const core::Instrument* phq9 = shipped("phq9");
  const core::Instrument* gad7 = shipped("gad7");
  if (!phq9 || !gad7) {
    return core::fail(Status::failed_precondition(
        "the demo needs the PHQ-9 and GAD-7 definitions (instruments/phq9.json, gad7.json)"));
  }
  const int phq9_items = static_cast<int>(phq9->items.size());
  const int gad7_items = static_cast<int>(gad7->items.size());
  const int crisis_item = phq9->crisis_item ? static_cast<int>(*phq9->crisis_item) : -1;

  BatchStore batch(store, tx);
  DemoClock demo_clock;
  OnceHasher once(hasher);
  const Context ctx{batch, demo_clock, once, instruments};
  const Date today = clock.today();

  // Plan every client first, so the whole practice can be replayed in date order.
  std::vector<ClientRun> runs(kClients.size());
  Date setup_day = today;
  for (std::size_t i = 0; i < kClients.size(); ++i) {
    Rng rng(seed ^ (0x9e3779b97f4a7c15ULL * (i + 1)));
    runs[i].spec = &kClients[i];
    runs[i].plan = plan_client(kClients[i], static_cast<int>(i), today, rng);
    setup_day = std::min(setup_day, runs[i].plan.first_day);
  }
  setup_day -= 14;

  DemoPractice practice;
  Actor admin;
  Actor supervisor;
  std::array<Actor, 3> therapists;

  demo_clock.set(setup_day, 9 * 60);
  NewOrganisation organisation;
  organisation.name = std::string(kDemoOrganisation);
  organisation.crisis_text =
      "If you feel you might act on thoughts of harming yourself, or you are not safe right now, "
      "call 999 or go to A&E. You can call Samaritans any time on 116 123, free. (Riverside "
      "Practice is a made-up demo: in real use your service writes its own words here.)";
  organisation.admin_email = "admin@example.org";
  organisation.admin_name = "Morgan Vale (demo)";
  organisation.admin_password = std::string(kDemoPassword);
  const Status refused = Status::failed_precondition(
      "this database already holds users; the demo practice is only seeded into an empty "
      "database (try a new file: tandem demo --db demo.db)");
  if (tx.find_user_by_email(organisation.admin_email)) return core::fail(refused);
  auto boot = bootstrap_organisation(ctx, organisation);
  if (!boot) return core::fail(boot.error());

  // Ids increase in creation order, so every organisation already in the store has an id
  // below the demo's: none of them may have users.
  for (Id org = 1; org < boot->org; ++org) {
    if (!tx.get_organisation(org)) continue;
    auto users = tx.count_users(org);
    if (!users) return core::fail(users.error());
    if (*users > 0) return core::fail(refused);
  }
  practice.org = boot->org;
  practice.admin = boot->admin;
  admin = Actor{boot->admin, boot->org, core::Role::kAdmin, false, std::nullopt};

  auto staff_user = [&](const Staff& staff, Actor& into) -> Status {
    NewUser user;
    user.email = staff.email;
    user.display_name = staff.name;
    user.role = staff.role;
    user.trainee = staff.trainee;
    user.password = std::string(kDemoPassword);
    auto id = create_user(ctx, admin, user);
    if (!id) return id.error();
    into = Actor{*id, practice.org, staff.role, staff.trainee, std::nullopt};
    return Status::ok();
  };
  if (auto s = staff_user(kSupervisor, supervisor); !s.is_ok()) return core::fail(s);
  practice.supervisor = supervisor.user;
  for (std::size_t t = 0; t < kTherapists.size(); ++t) {
    if (auto s = staff_user(kTherapists[t], therapists[t]); !s.is_ok()) return core::fail(s);
    practice.therapists.push_back(therapists[t].user);
  }
  if (auto s = link_supervision(ctx, admin, supervisor.user, therapists[2].user); !s.is_ok()) {
    return core::fail(s);
  }

  // Each client's story as dated steps.
  std::vector<Step> steps;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ClientRun& run = runs[i];
    const ClientSpec& spec = *run.spec;
    const Actor& therapist = therapists[static_cast<std::size_t>(spec.therapist)];
    const int c = static_cast<int>(i);
    int order = 0;
    const Date intake = run.plan.first_day;
    auto add = [&](Date day, int minute, std::function<Status()> fn) {
      steps.push_back({day, minute, c, order++, std::move(fn)});
    };

    add(intake - 7, 10 * 60, [&ctx, &run, &therapist, &spec] {
      NewClient client;
      client.display_name = full_name(spec);
      client.consent = core::Consent{true, false};
      return stash(create_client(ctx, therapist, client), run.client);
    });
    add(intake - 7, 10 * 60, [&ctx, &run, &admin, &spec, c] {
      NewUser user;
      user.email = demo_client_email(c + 1);
      user.display_name = full_name(spec);
      user.role = core::Role::kClient;
      user.password = std::string(kDemoPassword);
      user.client_id = run.client;
      if (auto s = stash(create_user(ctx, admin, user), run.user); !s.is_ok()) return s;
      run.actor = Actor{run.user, admin.org, core::Role::kClient, false, run.client};
      return Status::ok();
    });
    add(intake, 9 * 60, [&ctx, &run, &therapist, intake] {
      NewEpisode episode;
      episode.client = run.client;
      episode.instrument = "phq9";
      episode.opened = intake;
      return stash(open_episode(ctx, therapist, episode), run.episode);
    });

    Rng items_rng(seed ^ (0x2545f4914f6cdd1dULL * (i + 1)));
    int version = 0;
    for (std::size_t k = 0; k < run.plan.sessions.size(); ++k) {
      const SessionPlan& plan = run.plan.sessions[k];
      const Date day = intake + 7 * static_cast<int>(k);
      const int minute = 10 * 60 + 15 * spec.therapist;
      add(day, minute, [&ctx, &run, &therapist, &plan, day] {
        NewSession session;
        session.episode = run.episode;
        session.number = static_cast<int>(run.sessions.size()) + 1;
        session.date = day;
        session.attendance = plan.attendance;
        session.felt_hard_therapist = plan.hard_therapist;
        session.therapist_notes = plan.notes;
        Id id = 0;
        if (auto s = stash(record_session(ctx, therapist, session), id); !s.is_ok()) return s;
        run.sessions.push_back(id);
        return Status::ok();
      });
      if (plan.attendance != Attendance::kAttended) continue;

      NewQuestionnaire phq;
      phq.instrument = "phq9";
      phq.responses = items_for(plan.phq, phq9_items, crisis_item, plan.item9, items_rng);
      add(day, minute + 5, [&ctx, &run, phq]() mutable {
        phq.episode = run.episode;
        phq.session = run.sessions.back();
        QuestionnaireResult result;
        return stash(record_questionnaire(ctx, run.actor, phq), result);
      });
      if (run.plan.gad7) {
        NewQuestionnaire gad;
        gad.instrument = "gad7";
        const double total = std::clamp(std::round(plan.phq * 0.7), 0.0, 21.0);
        gad.responses = items_for(total, gad7_items, -1, 0, items_rng);
        add(day, minute + 6, [&ctx, &run, gad]() mutable {
          gad.episode = run.episode;
          gad.session = run.sessions.back();
          QuestionnaireResult result;
          return stash(record_questionnaire(ctx, run.actor, gad), result);
        });
      }
      if (k == 0 || plan.revise) {
        const DefinitionDraft* draft = k == 0 ? &run.plan.first : &*run.plan.revised;
        const int next = ++version;
        add(day, minute + 40, [&ctx, &run, &therapist, draft] {
          int v = 0;
          return stash(define_progress(ctx, therapist, run.episode, *draft), v);
        });
        add(day, minute + 41,
            [&ctx, &run, next] { return agree_progress(ctx, run.actor, run.episode, next); });
        add(day, minute + 42, [&ctx, &run, &therapist, next] {
          return agree_progress(ctx, therapist, run.episode, next);
        });
      }
      if (plan.hard_client) {
        add(day, minute + 45,
            [&ctx, &run] { return mark_felt_hard(ctx, run.actor, run.sessions.back(), true); });
      }
      const DefinitionDraft& in_force =
          (version >= 2 && run.plan.revised) ? *run.plan.revised : run.plan.first;
      for (std::size_t g = 0; g < plan.goals.size() && g < in_force.goals.size(); ++g) {
        const std::string key = in_force.goals[g].key;
        const auto [by_client, by_therapist] = plan.goals[g];
        add(day, minute + 46, [&ctx, &run, key, value = by_client] {
          NewGoalRating rating{run.episode, run.sessions.back(), key, value};
          return ok_or(rate_goal(ctx, run.actor, rating));
        });
        add(day, minute + 50, [&ctx, &run, &therapist, key, value = by_therapist] {
          NewGoalRating rating{run.episode, run.sessions.back(), key, value};
          return ok_or(rate_goal(ctx, therapist, rating));
        });
      }
      add(day, minute + 47, [&ctx, &run, value = plan.alliance] {
        NewAlliance alliance{run.episode, run.sessions.back(), value};
        return ok_or(record_alliance(ctx, run.actor, alliance));
      });
      for (const MomentPlan& moment : plan.moments) {
        add(day, minute + 55, [&ctx, &run, &therapist, &moment] {
          NewMoment note{run.episode, run.sessions.back(), moment.tag, moment.text};
          return ok_or(note_moment(ctx, moment.by == Rater::kClient ? run.actor : therapist, note));
        });
      }
    }
    if (run.plan.ending != Ending::kOpen) {
      const Date last_day = intake + 7 * (static_cast<int>(run.plan.sessions.size()) - 1);
      const core::CloseReason reason =
          run.plan.ending == Ending::kCompleted    ? core::CloseReason::kCompleted
          : run.plan.ending == Ending::kDroppedOut ? core::CloseReason::kDroppedOut
                                                   : core::CloseReason::kTransferred;
      const Date closed = run.plan.ending == Ending::kDroppedOut ? last_day + 21 : last_day;
      add(closed, 17 * 60, [&ctx, &run, &therapist, reason, closed] {
        return close_episode(ctx, therapist, run.episode, reason, closed);
      });
    }
  }

  // The trainee's reflection log, and the supervisor's replies.
  struct ReflectionPlan {
    std::size_t client;  // index into runs (one of the trainee's clients)
    int after_session;   // written the evening of this session (1-based; 0: the last one)
    const char* tried;
    const char* sat;
    const char* comment;  // nullptr: not yet commented
  };
  static const std::vector<ReflectionPlan> reflection_plans = {
      {30, 2,
       "When {name} said the week had been awful I went straight to sleep tips. I wanted to "
       "make it better before the hour was up.",
       "Afterwards I noticed I never asked what 'awful' meant to them. Next time I want to stay "
       "with it a little longer before offering anything.",
       "It's very human to want to fix it. What do you think {name} needed from you in that "
       "moment? Let's look at this on Tuesday."},
      {37, 4,
       "I tried to rescue the homework review when {name} went quiet, by explaining the "
       "exercise again.",
       "I sat with how uncomfortable the silence was for me, not only for them. I think the "
       "rupture started with me pushing.",
       "Noticing your part in it is the repair beginning. Naming it with {name} next week "
       "could be a good place to start."},
      {38, 3,
       "When {name} answered item 9 I rushed through the safety questions because I was "
       "anxious.",
       "I sat with the fear after they left. We made a good plan, and I need somewhere to put "
       "my own worry too.",
       "You followed the plan well. Bring the worry to supervision any time: that is what it "
       "is for."},
      {33, 5,
       "I kept trying to find something hopeful to say while {name} told me things were "
       "getting worse.",
       "I sat with not being able to make it better this week, and let that be true.", nullptr},
      {35, 0, "I wanted to skip past the hard session from two weeks ago and get back to the plan.",
       "{name} came back anyway. I sat with how much that took, and said so.", nullptr},
  };
  for (std::size_t r = 0; r < reflection_plans.size(); ++r) {
    const ReflectionPlan& plan = reflection_plans[r];
    ClientRun& run = runs[plan.client];
    const int held = static_cast<int>(run.plan.sessions.size());
    const int session = plan.after_session == 0 ? held : std::min(plan.after_session, held);
    const Date day = run.plan.first_day + 7 * (session - 1);
    const std::string name = run.spec->first;
    auto reflection = std::make_shared<Id>(0);
    steps.push_back({day, 19 * 60, -1, static_cast<int>(2 * r),
                     [&ctx, &run, &therapists, plan, name, reflection] {
                       NewReflection input;
                       input.episode = run.episode;
                       input.tried_to_fix = with_name(plan.tried, name);
                       input.sat_with = with_name(plan.sat, name);
                       return stash(write_reflection(ctx, therapists[2], input), *reflection);
                     }});
    if (plan.comment) {
      steps.push_back({day + 2, 12 * 60, -1, static_cast<int>(2 * r + 1),
                       [&ctx, &supervisor, plan, name, reflection] {
                         return ok_or(comment_on_reflection(ctx, supervisor, *reflection,
                                                            with_name(plan.comment, name)));
                       }});
    }
  }

  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
    return std::tie(a.day, a.minute, a.client, a.order) <
           std::tie(b.day, b.minute, b.client, b.order);
  });
  for (const Step& step : steps) {
    demo_clock.set(step.day, step.minute);
    if (auto s = step.run(); !s.is_ok()) {
      return core::fail(Status::internal("seeding the demo failed: " + s.message()));
    }
  }

  for (const ClientRun& run : runs) {
    practice.clients.push_back(run.client);
    practice.episodes.push_back(run.episode);
    practice.sessions += static_cast<int>(run.sessions.size());
  }
  if (auto s = tx.commit(); !s.is_ok()) return core::fail(s);
  return practice;
}

}  // namespace tandem::service
