// The progress profile: one small fictional episode per pattern, signal and status (golden
// cases, numbers worked by hand in the comments), property tests over random episodes, and
// the JSON Lines copy of the golden episodes (tests/golden/episodes/) kept in step with the
// builders here.
#include "core/progress_profile.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tandem::core {
namespace {

constexpr int kDay0 = 19723;  // 2024-01-01
constexpr double kTol = 1e-12;

Instrument phq9() {
  Instrument i;
  i.id = "phq9";
  i.direction = Direction::kLowerIsBetter;
  i.min_total = 0;
  i.max_total = 27;
  i.caseness_cutoff = 10;
  i.reliable_change_threshold = 6;
  i.crisis_item = 8;
  i.crisis_min_value = 1;
  return i;
}

// ---- builders ---------------------------------------------------------------------------

// Weekly attended sessions 1..k; NaN scores leave the session without a score.
Episode weekly(const std::string& id, int sessions, const std::vector<double>& scores = {}) {
  Episode e;
  e.id = id;
  for (int n = 1; n <= sessions; ++n) {
    EpisodeSession s;
    s.n = n;
    s.day = kDay0 + 7 * (n - 1);
    if (static_cast<std::size_t>(n) <= scores.size()) s.score = scores[n - 1];
    e.sessions.push_back(s);
  }
  return e;
}

Episode weekly(const std::string& id, const std::vector<double>& scores) {
  return weekly(id, static_cast<int>(scores.size()), scores);
}

EpisodeSession& at(Episode& e, int n) {
  for (EpisodeSession& s : e.sessions) {
    if (s.n == n) return s;
  }
  throw std::logic_error("no session " + std::to_string(n));
}

std::size_t add_goal(Episode& e, const std::string& id, GoalScale scale) {
  e.goals.push_back({id, scale});
  return e.goals.size() - 1;
}

void rate(Episode& e, int n, std::size_t goal, double client, double therapist = kMissing) {
  EpisodeSession& s = at(e, n);
  if (s.goals.size() <= goal) s.goals.resize(goal + 1);
  s.goals[goal] = {client, therapist};
}

void rate_series(Episode& e, std::size_t goal, const std::vector<double>& client,
                 const std::vector<double>& therapist = {}) {
  for (std::size_t k = 0; k < client.size() || k < therapist.size(); ++k) {
    rate(e, static_cast<int>(k) + 1, goal, k < client.size() ? client[k] : kMissing,
         k < therapist.size() ? therapist[k] : kMissing);
  }
}

void alliance_series(Episode& e, const std::vector<double>& ratings) {
  for (std::size_t k = 0; k < ratings.size(); ++k)
    at(e, static_cast<int>(k) + 1).alliance = ratings[k];
}

// ---- the golden episodes ------------------------------------------------------------------

struct Golden {
  Episode episode;
  std::optional<TrajectoryVerdict> verdict;
};

std::vector<Golden> golden_episodes() {
  std::vector<Golden> all;
  const auto add = [&all](Episode e) { all.push_back({std::move(e), std::nullopt}); };

  // 20 -> 13 is 7 points better (>= 6: reliable); 13 is still a case. By session 4 only 4 better.
  add(weekly("improving", {20, 19, 18, 16, 13}));
  add(weekly("worsening", {10, 11, 13, 14, 17}));
  add(weekly("steady", {14, 15, 13, 14, 15}));
  {
    Episode e = weekly("stirring-goals", {12, 13, 15, 19});
    const std::size_t voice = add_goal(e, "speak-up", GoalScale::kGbo);
    rate_series(e, voice, {3, 4, 5, 7});
    add(std::move(e));
  }
  {
    Episode e = weekly("stirring-moments", {10, 12, 14, 17});
    at(e, 3).moments.push_back({"laughed", Rater::kClient, "laughed for the first time in weeks"});
    add(std::move(e));
  }
  add(weekly("sudden-gain", {20, 21, 20, 21, 13, 12, 11}));
  add(weekly("sudden-loss", {8, 7, 8, 16, 17}));
  add(weekly("setback-recovery", {16, 12, 19, 15, 10}));
  add(weekly("early-response", {20, 16, 13, 12, 11}));
  {
    Episode e = weekly("achieved-goals", 4);
    rate_series(e, add_goal(e, "sleep", GoalScale::kGbo), {3, 5, 7, 8});
    add(std::move(e));
  }
  {
    Episode e = weekly("sustaining-goals", 5);
    rate_series(e, add_goal(e, "sleep", GoalScale::kGbo), {4, 6, 8, 9, 8});
    rate_series(e, add_goal(e, "work", GoalScale::kGas), {-1, 0, 0, 1, 1});
    add(std::move(e));
  }
  add(weekly("achieved-symptoms", {16, 15, 14, 13, 9}));
  {
    Episode e = weekly("sustaining-symptoms", {16, 15, 14, 13, 9, 8, 7});
    e.definition_revised_session = 3;
    add(std::move(e));
  }
  {
    Episode e = weekly("crisis", {12, 11, 12});
    at(e, 1).item9 = 0;
    at(e, 2).item9 = 1;
    at(e, 3).item9 = 0;
    add(std::move(e));
  }
  {
    Episode e = weekly("not-on-track", {18, 19, 20, 21});
    all.push_back({std::move(e), TrajectoryVerdict{true, 3,
                                                   "score 20 above the 90th percentile "
                                                   "band (17.5) at session 3"}});
  }
  {
    Episode e = weekly("alliance-rupture-repaired", 4);
    alliance_series(e, {9, 9, 6, 9});
    add(std::move(e));
  }
  {
    Episode e = weekly("alliance-rupture-open", 2);
    alliance_series(e, {8, 5});
    add(std::move(e));
  }
  {
    Episode e = weekly("dropout-risk", 4);
    at(e, 4).felt_hard = true;
    EpisodeSession missed;
    missed.n = 5;
    missed.day = kDay0 + 28;
    missed.attendance = Attendance::kDidNotAttend;
    e.sessions.push_back(missed);
    EpisodeSession cancelled;
    cancelled.n = 6;
    cancelled.day = kDay0 + 38;
    cancelled.attendance = Attendance::kCancelled;
    e.sessions.push_back(cancelled);
    add(std::move(e));
  }
  {
    Episode e = weekly("perception-gap-gbo", 3);
    rate_series(e, add_goal(e, "confidence", GoalScale::kGbo), {8, 8, 7}, {4, 5, 6});
    add(std::move(e));
  }
  {
    Episode e = weekly("perception-gap-gas", 4);
    rate_series(e, add_goal(e, "work", GoalScale::kGas), {0, 0, 1, 1}, {0, -1, -1, -2});
    add(std::move(e));
  }
  add(weekly("review-due", 7));
  {
    Episode e = weekly("returned-after-hard-session", 4);
    at(e, 2).felt_hard = true;
    at(e, 3).attendance = Attendance::kCancelled;
    add(std::move(e));
  }
  {
    Episode e = weekly("returned-noted", 3);
    at(e, 3).moments.push_back(
        {"returned-after-hard-session", Rater::kTherapist, "came back after last week"});
    add(std::move(e));
  }
  {
    Episode e = weekly("goal-statuses", 4);
    rate_series(e, add_goal(e, "a", GoalScale::kGbo), {6, 3});
    rate_series(e, add_goal(e, "b", GoalScale::kGbo), {5});
    rate_series(e, add_goal(e, "c", GoalScale::kGas), {-2, -1});
    add_goal(e, "d", GoalScale::kGbo);
    rate_series(e, add_goal(e, "e", GoalScale::kGbo), {5, 5, 5, 6});
    add(std::move(e));
  }
  {
    Episode e = weekly("ended", {18, 12});
    e.ended = true;
    rate_series(e, add_goal(e, "a", GoalScale::kGbo), {2, 5});
    rate_series(e, add_goal(e, "b", GoalScale::kGbo), {4, 4});
    rate_series(e, add_goal(e, "c", GoalScale::kGbo), {6, 9});
    add(std::move(e));
  }
  {
    Episode e = weekly("last-session-missed", 3);
    at(e, 3).attendance = Attendance::kDidNotAttend;
    add(std::move(e));
  }
  return all;
}

const Golden& golden(const std::string& id) {
  static const std::vector<Golden> all = golden_episodes();
  for (const Golden& g : all) {
    if (g.episode.id == id) return g;
  }
  throw std::logic_error("no golden episode " + id);
}

Profile profile_of(const std::string& id, const ProfileOptions& options = {}) {
  const Golden& g = golden(id);
  Result<Profile> p =
      profile_episode(g.episode, phq9(), options, g.verdict ? &*g.verdict : nullptr);
  if (!p) throw std::logic_error(p.error().message());
  return *p;
}

std::vector<std::string> labels(const Profile& p) {
  std::vector<std::string> out;
  for (const PatternFinding& f : p.patterns) out.emplace_back(to_string(f.pattern));
  return out;
}

std::vector<std::string> signal_list(const Profile& p) {
  std::vector<std::string> out;
  for (const Signal& s : p.signals) {
    out.push_back(std::string(to_string(s.type)) + "@" + std::to_string(s.session));
  }
  return out;
}

std::string status_of(const Profile& p, const std::string& dimension) {
  const Dimension* d = p.dimension(dimension);
  return d == nullptr ? "(none)" : std::string(to_string(d->status));
}

using Strings = std::vector<std::string>;

void expect_values(const Evidence& e, const std::map<std::string, double>& expected) {
  for (const auto& [name, value] : expected) {
    const std::optional<double> got = e.values.get(name);
    ASSERT_TRUE(got.has_value()) << e.rule << " lacks " << name;
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(*got)) << e.rule << " " << name;
    } else if (std::isinf(value)) {
      EXPECT_EQ(*got, value) << e.rule << " " << name;
    } else {
      EXPECT_NEAR(*got, value, kTol) << e.rule << " " << name;
    }
  }
}

const Evidence& pattern_evidence(const Profile& p, Pattern pattern) {
  const PatternFinding* f = p.find(pattern);
  if (f == nullptr) throw std::logic_error("no pattern " + std::string(to_string(pattern)));
  return f->evidence;
}

const Signal& signal_of(const Profile& p, SignalType type) {
  const Signal* s = p.first(type);
  if (s == nullptr) throw std::logic_error("no signal " + std::string(to_string(type)));
  return *s;
}

// ---- spellings ----------------------------------------------------------------------------

TEST(ProfileSpellings, AreExactlyTheIssuesWords) {
  EXPECT_EQ(to_string(AchievementStatus::kInProgress), "in-progress");
  EXPECT_EQ(to_string(AchievementStatus::kNoChange), "no-change");
  EXPECT_EQ(to_string(AchievementStatus::kNotAchieved), "not-achieved");
  EXPECT_EQ(to_string(AchievementStatus::kNoProgress), "no-progress");
  EXPECT_EQ(to_string(AchievementStatus::kNotAttainable), "not-attainable");
  EXPECT_EQ(to_string(Pattern::kSuddenGain), "sudden-gain");
  EXPECT_EQ(to_string(Pattern::kSuddenLoss), "sudden-loss");
  EXPECT_EQ(to_string(Pattern::kSetbackRecovery), "setback-recovery");
  EXPECT_EQ(to_string(Pattern::kEarlyResponse), "early-response");
  EXPECT_EQ(to_string(SignalType::kNotOnTrack), "not-on-track");
  EXPECT_EQ(to_string(SignalType::kAllianceRupture), "alliance-rupture");
  EXPECT_EQ(to_string(SignalType::kDropoutRisk), "dropout-risk");
  EXPECT_EQ(to_string(SignalType::kPerceptionGap), "perception-gap");
  EXPECT_EQ(to_string(SignalType::kReviewDue), "review-due");
  EXPECT_EQ(to_string(SignalType::kReturnedAfterHardSession), "returned-after-hard-session");
}

// ---- golden: patterns ---------------------------------------------------------------------

TEST(GoldenPatterns, ImprovingIsAReliableImprovementFromFirstToLastScore) {
  const Profile p = profile_of("improving");
  EXPECT_EQ(labels(p), Strings({"improving"}));
  EXPECT_EQ(signal_list(p), Strings{});
  EXPECT_EQ(status_of(p, "phq9"), "improving");
  const Evidence& e = pattern_evidence(p, Pattern::kImproving);
  EXPECT_EQ(e.rule, "pattern.improving");
  EXPECT_EQ(e.first_session, 1);
  EXPECT_EQ(e.last_session, 5);
  expect_values(e, {{"first_score", 20}, {"last_score", 13}, {"change", -7}, {"threshold", 6}});
  // 13 is still at caseness (>= 10), so not achieved.
  const Dimension& d = *p.dimension("phq9");
  EXPECT_EQ(d.evidence.rule, "symptoms.reliable-improvement");
  expect_values(d.evidence, {{"last_is_case", 1}, {"achieved_run", 0}, {"caseness_cutoff", 10}});
}

TEST(GoldenPatterns, WorseningIsAReliableRiseWithNothingMovingForward) {
  const Profile p = profile_of("worsening");
  EXPECT_EQ(labels(p), Strings({"worsening"}));
  EXPECT_EQ(status_of(p, "phq9"), "worsening");
  expect_values(pattern_evidence(p, Pattern::kWorsening),
                {{"first_score", 10}, {"last_score", 17}, {"change", 7}, {"threshold", 6}});
}

TEST(GoldenPatterns, SteadyHasNoReliableChangeAndASlopeBandAroundZero) {
  const Profile p = profile_of("steady");
  EXPECT_EQ(labels(p), Strings({"steady"}));
  EXPECT_EQ(status_of(p, "phq9"), "no-change");
  const Evidence& e = pattern_evidence(p, Pattern::kSteady);
  EXPECT_EQ(e.first_session, 2);
  EXPECT_EQ(e.last_session, 5);
  // Slopes of (1,14) (2,15) (3,13) (4,14) (5,15): -2 -.5 -.5 0 0 .25 1 1 1 1; median .125;
  // for n = 5 the 95% band runs from the smallest to the largest slope.
  expect_values(e, {{"window_first_score", 15},
                    {"window_last_score", 15},
                    {"window_change", 0},
                    {"window_range", 2},
                    {"change", 1},
                    {"slope", 0.125},
                    {"slope_lower", -2},
                    {"slope_upper", 1}});
}

TEST(GoldenPatterns, StirringIsSymptomsUpWhileAGoalMovesForward) {
  const Profile p = profile_of("stirring-goals");
  // Stirring replaces "worsening" as the pattern; the symptom status still says worsening.
  EXPECT_EQ(labels(p), Strings({"stirring"}));
  EXPECT_EQ(status_of(p, "phq9"), "worsening");
  EXPECT_EQ(status_of(p, "goal:speak-up"), "improving");
  const Evidence& e = pattern_evidence(p, Pattern::kStirring);
  EXPECT_EQ(e.rule, "pattern.stirring");
  EXPECT_EQ(e.first_session, 1);
  EXPECT_EQ(e.last_session, 4);
  // 12 -> 19 over the window is a reliable rise of 7; the goal went 3 -> 7 (>= 2.45).
  expect_values(e, {{"window_first_score", 12},
                    {"window_last_score", 19},
                    {"rise", 7},
                    {"reliable_rise", 1},
                    {"goals_forward", 1},
                    {"goal_number", 1},
                    {"goal_change", 4},
                    {"moments", 0},
                    {"returned", 0}});
}

TEST(GoldenPatterns, StirringCanRestOnANotedMoment) {
  const Profile p = profile_of("stirring-moments");
  EXPECT_EQ(labels(p), Strings({"stirring"}));
  expect_values(pattern_evidence(p, Pattern::kStirring),
                {{"rise", 7}, {"goals_forward", 0}, {"moments", 1}});
}

TEST(GoldenPatterns, SuddenGainFollowsTangAndDeRubeis) {
  const Profile p = profile_of("sudden-gain");
  EXPECT_EQ(labels(p), Strings({"improving", "sudden-gain"}));
  const Evidence& e = pattern_evidence(p, Pattern::kSuddenGain);
  EXPECT_EQ(e.first_session, 4);
  EXPECT_EQ(e.last_session, 5);
  // 21 -> 13: 8 >= 6 and >= 25% of 21; pre 21 20 21 (mean 62/3), post 13 12 11 (mean 12).
  expect_values(e, {{"pregain_session", 4},
                    {"postgain_session", 5},
                    {"pregain_score", 21},
                    {"postgain_score", 13},
                    {"magnitude", 8},
                    {"pre_mean", 62.0 / 3.0},
                    {"post_mean", 12},
                    {"reversal", 0},
                    {"count", 1},
                    {"cutoff", 6}});
  // The definition of progress is due for review after a sudden change (session 5), before the
  // sixth session since intake.
  EXPECT_EQ(signal_list(p), Strings({"review-due@5"}));
  const Signal& review = signal_of(p, SignalType::kReviewDue);
  EXPECT_EQ(review.evidence.rule, "review-due.sessions-and-sudden-change");
  expect_values(review.evidence, {{"revised_session", 0},
                                  {"attended_since", 7},
                                  {"due_by_sessions_at", 6},
                                  {"sudden_change_session", 5},
                                  {"sudden_change_kind", 1}});
}

TEST(GoldenPatterns, SuddenLossIsTheMirrorImage) {
  const Profile p = profile_of("sudden-loss");
  EXPECT_EQ(labels(p), Strings({"worsening", "sudden-loss"}));
  // 8 -> 16; post window 16 17 (one missing: df 3, critical value 3.182).
  expect_values(pattern_evidence(p, Pattern::kSuddenLoss), {{"pregain_session", 3},
                                                            {"postgain_session", 4},
                                                            {"magnitude", -8},
                                                            {"pre_mean", 23.0 / 3.0},
                                                            {"post_mean", 16.5}});
  EXPECT_EQ(signal_list(p), Strings({"review-due@4"}));
  EXPECT_EQ(signal_of(p, SignalType::kReviewDue).evidence.rule, "review-due.sudden-change");
}

TEST(GoldenPatterns, SetbackRecoveryIsAReliableRiseThenBelowThePreSetbackLevel) {
  const Profile p = profile_of("setback-recovery");
  EXPECT_EQ(labels(p), Strings({"improving", "setback-recovery"}));
  const Evidence& e = pattern_evidence(p, Pattern::kSetbackRecovery);
  EXPECT_EQ(e.first_session, 2);
  EXPECT_EQ(e.last_session, 5);
  // 12 -> 19 is a reliable rise (7); 15 is not back below 12, 10 is.
  expect_values(e, {{"pre_session", 2},
                    {"pre_score", 12},
                    {"setback_session", 3},
                    {"setback_score", 19},
                    {"rise", 7},
                    {"recovery_session", 5},
                    {"recovery_score", 10}});
}

TEST(GoldenPatterns, EarlyResponseIsReliableImprovementBySession4) {
  const Profile p = profile_of("early-response");
  EXPECT_EQ(labels(p), Strings({"improving", "early-response"}));
  expect_values(pattern_evidence(p, Pattern::kEarlyResponse), {{"baseline_session", 1},
                                                               {"baseline_score", 20},
                                                               {"response_session", 3},
                                                               {"response_score", 13},
                                                               {"improvement", 7},
                                                               {"by_session", 4}});
}

TEST(GoldenPatterns, AchievedWhenEveryGoalReachedItsLevel) {
  const Profile p = profile_of("achieved-goals");
  EXPECT_EQ(labels(p), Strings({"achieved"}));
  EXPECT_EQ(status_of(p, "goal:sleep"), "achieved");
  EXPECT_EQ(status_of(p, "phq9"), "in-progress");
  expect_values(pattern_evidence(p, Pattern::kAchieved),
                {{"dimensions", 1}, {"achieved", 1}, {"sustaining", 0}});
  const Dimension& d = *p.dimension("goal:sleep");
  EXPECT_EQ(d.evidence.rule, "goal.achieved");
  expect_values(d.evidence, {{"first_rating", 3},
                             {"last_rating", 8},
                             {"change", 5},
                             {"achieved_level", 8},
                             {"achieved_run", 1}});
}

TEST(GoldenPatterns, SustainingWhenEveryGoalHeldItForTwoMoreRatings) {
  const Profile p = profile_of("sustaining-goals");
  EXPECT_EQ(labels(p), Strings({"sustaining"}));
  EXPECT_EQ(status_of(p, "goal:sleep"), "sustaining");  // 8 9 8: three ratings >= 8
  EXPECT_EQ(status_of(p, "goal:work"), "sustaining");   // 0 0 1 1: four levels >= 0
  expect_values(p.dimension("goal:sleep")->evidence, {{"achieved_run", 3}});
  expect_values(p.dimension("goal:work")->evidence,
                {{"achieved_run", 4}, {"gas", 1}, {"achieved_level", 0}});
  EXPECT_EQ(pattern_evidence(p, Pattern::kSustaining).rule, "pattern.sustaining.goals");
}

TEST(GoldenPatterns, WithoutGoalsSymptomsDecideAchieved) {
  const Profile p = profile_of("achieved-symptoms");
  EXPECT_EQ(labels(p), Strings({"improving", "achieved"}));
  EXPECT_EQ(status_of(p, "phq9"), "achieved");
  // 16 -> 9: 7 better, and 9 is under the cut-off of 10.
  expect_values(p.dimension("phq9")->evidence,
                {{"change", -7}, {"last_is_case", 0}, {"achieved_run", 1}});
  EXPECT_EQ(pattern_evidence(p, Pattern::kAchieved).rule, "pattern.achieved.symptoms");
}

TEST(GoldenPatterns, SymptomsSustainingAfterThreeRecoveredScores) {
  const Profile p = profile_of("sustaining-symptoms");
  EXPECT_EQ(labels(p), Strings({"improving", "sustaining"}));
  EXPECT_EQ(status_of(p, "phq9"), "sustaining");
  expect_values(p.dimension("phq9")->evidence, {{"achieved_run", 3}, {"sustain_sessions", 2}});
  // The definition was revisited at session 3: four sessions since, no review due.
  EXPECT_EQ(p.count(SignalType::kReviewDue), 0);
}

// ---- golden: signals ----------------------------------------------------------------------

TEST(GoldenSignals, CrisisIsRaisedAtOnceAndNeverFoldedIntoAPattern) {
  const Profile p = profile_of("crisis");
  EXPECT_EQ(signal_list(p), Strings({"crisis@2"}));
  EXPECT_EQ(labels(p), Strings{});
  const Signal& s = signal_of(p, SignalType::kCrisis);
  EXPECT_EQ(s.evidence.rule, "crisis.item9");
  expect_values(s.evidence, {{"item9", 1}, {"min_value", 1}});
  EXPECT_EQ(s.reason, "item 9 answered 1 at session 2 (raised at 1 or more)");
  EXPECT_EQ(status_of(p, "phq9"), "in-progress");
}

TEST(GoldenSignals, NotOnTrackComesFromTheTrajectoryVerdict) {
  const Profile p = profile_of("not-on-track");
  EXPECT_EQ(signal_list(p), Strings({"not-on-track@3"}));
  const Signal& s = signal_of(p, SignalType::kNotOnTrack);
  EXPECT_EQ(s.reason, "score 20 above the 90th percentile band (17.5) at session 3");
  expect_values(s.evidence, {{"first_session_off_track", 3}});
  // Not a pattern: 18 -> 21 is no reliable change; four scores within 3 points are steady.
  EXPECT_EQ(labels(p), Strings({"steady"}));

  const Golden& g = golden("not-on-track");
  const TrajectoryVerdict unavailable{false, 3, "reference too small"};
  Result<Profile> q = profile_episode(g.episode, phq9(), {}, &unavailable);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->count(SignalType::kNotOnTrack), 0);
  const TrajectoryVerdict on_track{true, 0, ""};
  q = profile_episode(g.episode, phq9(), {}, &on_track);
  EXPECT_EQ(q->count(SignalType::kNotOnTrack), 0);
}

TEST(GoldenSignals, AllianceRuptureByADropAndItsRepair) {
  const Profile p = profile_of("alliance-rupture-repaired");
  // 9 -> 6 is a drop of 3 (6 is not under 6); 9 at session 4 repairs it; coming back after
  // the rupture session counts as a moment of progress.
  EXPECT_EQ(signal_list(p), Strings({"alliance-rupture@3", "returned-after-hard-session@4"}));
  const Signal& s = signal_of(p, SignalType::kAllianceRupture);
  EXPECT_EQ(s.evidence.rule, "alliance-rupture.drop");
  EXPECT_EQ(s.evidence.first_session, 3);
  EXPECT_EQ(s.evidence.last_session, 4);
  expect_values(s.evidence, {{"rating", 6},
                             {"previous_rating", 9},
                             {"drop", 3},
                             {"repaired", 1},
                             {"repaired_session", 4}});
  EXPECT_EQ(status_of(p, "alliance"), "improving");
  EXPECT_EQ(p.dimension("alliance")->evidence.rule, "alliance.repaired");
  const Signal& r = signal_of(p, SignalType::kReturnedAfterHardSession);
  expect_values(r.evidence, {{"hard_session", 3}, {"felt_hard", 0}, {"rupture", 1}});
}

TEST(GoldenSignals, AllianceRuptureUnderTheCutOffStaysOpen) {
  const Profile p = profile_of("alliance-rupture-open");
  EXPECT_EQ(signal_list(p), Strings({"alliance-rupture@2"}));
  const Signal& s = signal_of(p, SignalType::kAllianceRupture);
  EXPECT_EQ(s.evidence.rule, "alliance-rupture.low-and-drop");
  expect_values(s.evidence, {{"rating", 5}, {"drop", 3}, {"repaired", 0}, {"repaired_session", 0}});
  EXPECT_EQ(
      s.reason,
      "alliance 5 at session 2, 8 before (rupture: under 6 or a drop of 2); not yet repaired");
  EXPECT_EQ(status_of(p, "alliance"), "worsening");
  // The rupture raises the dropout risk (0.25), below the flag.
  EXPECT_NEAR(p.dropout_risk, 0.25, kTol);
}

TEST(GoldenSignals, DropoutRiskAddsMissedSessionsALongGapAndAHardSessionBefore) {
  const Profile p = profile_of("dropout-risk");
  EXPECT_EQ(signal_list(p), Strings({"dropout-risk@6"}));
  const Signal& s = signal_of(p, SignalType::kDropoutRisk);
  EXPECT_EQ(s.evidence.first_session, 3);
  EXPECT_EQ(s.evidence.last_session, 6);
  // Last 4 sessions: 1 dna (.25) + 1 cancelled (.10); 17 days since session 4 > 2 x 7 (.30);
  // session 4 felt hard (.25): 0.9.
  expect_values(s.evidence, {{"risk", 0.9},
                             {"dna", 1},
                             {"cancelled", 1},
                             {"missed_part", 0.35},
                             {"gap_days", 17},
                             {"usual_interval_days", 7},
                             {"long_gap", 1},
                             {"hard_before", 1},
                             {"last_attended_session", 4}});
  EXPECT_NEAR(p.dropout_risk, 0.9, kTol);
  EXPECT_EQ(status_of(p, "engagement"), "worsening");
  EXPECT_EQ(s.reason,
            "risk 0.9: 1 missed and 1 cancelled of the last 4 sessions; 17 days since the last "
            "attended session, over 2 x the usual 7; session 4 (the last attended) felt hard or "
            "had an alliance rupture");
}

TEST(GoldenSignals, PerceptionGapOnGboForTwoSessionsRunningAndConverging) {
  const Profile p = profile_of("perception-gap-gbo");
  EXPECT_EQ(signal_list(p), Strings({"perception-gap@2"}));
  const Signal& s = signal_of(p, SignalType::kPerceptionGap);
  EXPECT_EQ(s.subject, "goal:confidence");
  EXPECT_EQ(s.evidence.first_session, 1);
  EXPECT_EQ(s.evidence.last_session, 2);
  // Gaps 4, 3, 1: >= 3 at sessions 1 and 2. Halves: |4| then |1|: converging by 3.
  expect_values(s.evidence, {{"client", 8},
                             {"therapist", 5},
                             {"gap", 3},
                             {"previous_gap", 4},
                             {"threshold", 3},
                             {"first_half_mean_abs", 4},
                             {"second_half_mean_abs", 1},
                             {"trend", -1}});
  ASSERT_EQ(p.perception_gaps.size(), 1U);
  EXPECT_EQ(p.perception_gaps[0].trend, GapTrend::kConverging);
  EXPECT_TRUE(p.perception_gaps[0].flagged);
  EXPECT_EQ(p.perception_gaps[0].last_gap, 1);
  // 8 8 7: reached 8 before, not now; no reliable change yet.
  EXPECT_EQ(status_of(p, "goal:confidence"), "in-progress");
}

TEST(GoldenSignals, PerceptionGapOnGasInLevelsAndDiverging) {
  const Profile p = profile_of("perception-gap-gas");
  // Gaps 0, 1, 2, 3 levels: >= 2 at sessions 3 and 4.
  EXPECT_EQ(signal_list(p), Strings({"perception-gap@4"}));
  const Signal& s = signal_of(p, SignalType::kPerceptionGap);
  expect_values(s.evidence, {{"gap", 3},
                             {"threshold", 2},
                             {"first_half_mean_abs", 0.5},
                             {"second_half_mean_abs", 2.5},
                             {"trend", 1}});
  EXPECT_EQ(p.perception_gaps[0].trend, GapTrend::kDiverging);
}

TEST(GoldenSignals, ReviewDueAfterSixSessionsWithoutRevisitingTheDefinition) {
  const Profile p = profile_of("review-due");
  EXPECT_EQ(signal_list(p), Strings({"review-due@6"}));
  const Signal& s = signal_of(p, SignalType::kReviewDue);
  EXPECT_EQ(s.evidence.rule, "review-due.sessions");
  expect_values(s.evidence, {{"revised_session", 0},
                             {"attended_since", 7},
                             {"review_after", 6},
                             {"due_by_sessions_at", 6},
                             {"sudden_change_session", 0}});
  EXPECT_EQ(
      s.reason,
      "progress definition last agreed at intake; 7 sessions attended since (review after 6)");
}

TEST(GoldenSignals, ReturnedAfterAHardSessionEvenAfterACancellation) {
  const Profile p = profile_of("returned-after-hard-session");
  EXPECT_EQ(signal_list(p), Strings({"returned-after-hard-session@4"}));
  const Signal& s = signal_of(p, SignalType::kReturnedAfterHardSession);
  EXPECT_EQ(s.evidence.rule, "returned-after-hard-session.attended");
  expect_values(s.evidence,
                {{"hard_session", 2}, {"felt_hard", 1}, {"rupture", 0}, {"sessions_between", 1}});
  EXPECT_EQ(status_of(p, "engagement"), "improving");
  EXPECT_EQ(p.dimension("engagement")->evidence.rule, "engagement.came-back");
  EXPECT_NEAR(p.dropout_risk, 0.1, kTol);
}

TEST(GoldenSignals, ReturnedAfterAHardSessionNotedAsAMoment) {
  const Profile p = profile_of("returned-noted");
  EXPECT_EQ(signal_list(p), Strings({"returned-after-hard-session@3"}));
  const Signal& s = signal_of(p, SignalType::kReturnedAfterHardSession);
  EXPECT_EQ(s.evidence.rule, "returned-after-hard-session.noted");
  expect_values(s.evidence, {{"noted_by_client", 0}});
}

// ---- golden: statuses ---------------------------------------------------------------------

TEST(GoldenStatuses, EachGoalGetsItsOwnStatus) {
  const Profile p = profile_of("goal-statuses");
  EXPECT_EQ(status_of(p, "goal:a"), "worsening");    // 6 -> 3: -3 <= -2.45
  EXPECT_EQ(status_of(p, "goal:b"), "in-progress");  // one rating
  EXPECT_EQ(status_of(p, "goal:c"), "improving");    // GAS -2 -> -1: one level
  EXPECT_EQ(status_of(p, "goal:d"), "in-progress");  // never rated
  EXPECT_EQ(status_of(p, "goal:e"), "no-change");    // 5 5 5 6 over a full window
  EXPECT_EQ(p.dimension("goal:b")->evidence.rule, "goal.single-rating");
  EXPECT_EQ(p.dimension("goal:d")->evidence.rule, "goal.no-ratings");
  expect_values(p.dimension("goal:c")->evidence, {{"change", 1}, {"reliable_change", 1}});
  expect_values(p.dimension("goal:a")->evidence, {{"change", -3}, {"reliable_change", 2.45}});
  EXPECT_EQ(labels(p), Strings{});
}

TEST(GoldenStatuses, AnEndedEpisodeGetsFinalStatuses) {
  const Profile p = profile_of("ended");
  EXPECT_EQ(status_of(p, "phq9"), "not-achieved");    // improved 6, still a case
  EXPECT_EQ(status_of(p, "goal:a"), "not-achieved");  // 2 -> 5
  EXPECT_EQ(status_of(p, "goal:b"), "no-progress");   // 4 -> 4
  EXPECT_EQ(status_of(p, "goal:c"), "achieved");      // 9
  EXPECT_EQ(p.dimension("goal:b")->evidence.rule, "goal.ended-no-progress");
  EXPECT_EQ(p.dimension("phq9")->evidence.rule, "symptoms.ended-not-achieved");
}

TEST(GoldenStatuses, AnEndedEpisodeRaisesNoForwardLookingSignals) {
  Episode e = golden("dropout-risk").episode;
  e.ended = true;
  Result<Profile> p = profile_episode(e, phq9());
  EXPECT_EQ(p->count(SignalType::kDropoutRisk), 0);
  EXPECT_NE(status_of(*p, "engagement"), "worsening");
  EXPECT_NEAR(p->dropout_risk, 0.9, kTol);  // still reported, for analysis
  e = golden("review-due").episode;
  e.ended = true;
  EXPECT_EQ(profile_episode(e, phq9())->count(SignalType::kReviewDue), 0);
  // A revision at 0 is the same as at intake.
  e = golden("review-due").episode;
  e.definition_revised_session = 0;
  EXPECT_EQ(signal_list(*profile_episode(e, phq9())), Strings({"review-due@6"}));
}

TEST(GoldenStatuses, EngagementAndAllianceAcrossAnEpisode) {
  Profile p = profile_of("last-session-missed");
  EXPECT_EQ(status_of(p, "engagement"), "in-progress");
  EXPECT_EQ(p.dimension("engagement")->evidence.rule, "engagement.last-not-attended");
  EXPECT_EQ(status_of(p, "alliance"), "in-progress");
  p = profile_of("review-due");
  EXPECT_EQ(status_of(p, "engagement"), "sustaining");
  EXPECT_EQ(p.dimension("engagement")->evidence.rule, "engagement.sustaining");

  Episode e = weekly("alliance", 3);
  alliance_series(e, {8, 7});
  Result<Profile> q = profile_episode(e, phq9());
  EXPECT_EQ(status_of(*q, "alliance"), "achieved");
  alliance_series(e, {8, 7, 8});
  q = profile_episode(e, phq9());
  EXPECT_EQ(status_of(*q, "alliance"), "sustaining");
  expect_values(q->dimension("alliance")->evidence, {{"steady_ratings", 3}, {"ruptures", 0}});
}

TEST(GoldenStatuses, DimensionsComeInOrder) {
  const Profile p = profile_of("sustaining-goals");
  ASSERT_EQ(p.dimensions.size(), 5U);
  EXPECT_EQ(p.dimensions[0].name, "phq9");
  EXPECT_EQ(p.dimensions[0].kind, DimensionKind::kSymptoms);
  EXPECT_EQ(p.dimensions[1].name, "goal:sleep");
  EXPECT_EQ(p.dimensions[1].goal, 0);
  EXPECT_EQ(p.dimensions[2].name, "goal:work");
  EXPECT_EQ(p.dimensions[2].kind, DimensionKind::kGoal);
  EXPECT_EQ(p.dimensions[3].name, "alliance");
  EXPECT_EQ(p.dimensions[4].name, "engagement");
}

// ---- rules in detail ------------------------------------------------------------------------

TEST(ProfileRules, StirringNeedsTheMovementInsideTheWindow) {
  // The goal moved early (sessions 1-2), the symptoms rose later (sessions 3-6).
  Episode e = weekly("late-rise", {12, 12, 12, 13, 16, 19});
  const std::size_t goal = add_goal(e, "g", GoalScale::kGbo);
  rate_series(e, goal, {2, 6, 6, 6, 6, 6});
  Result<Profile> p = profile_episode(e, phq9());
  ASSERT_TRUE(p.has_value());
  EXPECT_FALSE(p->has(Pattern::kStirring));
  EXPECT_TRUE(p->has(Pattern::kWorsening));
  // A moment inside the window turns it into stirring.
  at(e, 5).moments.push_back({"said no to overtime", Rater::kClient, ""});
  p = profile_episode(e, phq9());
  EXPECT_TRUE(p->has(Pattern::kStirring));
  EXPECT_FALSE(p->has(Pattern::kWorsening));
  // Unless free tags do not count.
  ProfileOptions strict;
  strict.free_tags_are_progress = false;
  p = profile_episode(e, phq9(), strict);
  EXPECT_FALSE(p->has(Pattern::kStirring));
}

TEST(ProfileRules, SteadyIsNotARiseAndFallInsideTheWindow) {
  Episode e = weekly("up-and-down", {14, 12, 19, 15, 11});
  Result<Profile> p = profile_episode(e, phq9());
  EXPECT_FALSE(p->has(Pattern::kSteady));
}

TEST(ProfileRules, RuptureRepairNeedsTheRatingBackWithinTheDrop) {
  Episode e = weekly("repair", 5);
  alliance_series(e, {10, 7, 8, 9});
  Result<Profile> p = profile_episode(e, phq9());
  const Signal& s = signal_of(*p, SignalType::kAllianceRupture);
  // 10 -> 7 (drop 3); 8 is still 2 under 10; 9 is within the drop: repaired at 4.
  expect_values(s.evidence, {{"repaired_session", 4}});
  EXPECT_EQ(p->count(SignalType::kAllianceRupture), 1);
}

TEST(ProfileRules, AllianceOfMissedSessionsIsIgnored) {
  Episode e = weekly("missed-alliance", 3);
  alliance_series(e, {8, 2, 8});
  at(e, 2).attendance = Attendance::kDidNotAttend;
  Result<Profile> p = profile_episode(e, phq9());
  EXPECT_EQ(p->count(SignalType::kAllianceRupture), 0);
}

TEST(ProfileRules, AsOfDayLengthensTheGap) {
  Episode e = weekly("quiet", 3);
  ProfileOptions o;
  Result<Profile> p = profile_episode(e, phq9(), o);
  EXPECT_NEAR(p->dropout_risk, 0.0, kTol);
  o.as_of_day = e.sessions.back().day + 15;  // > 2 x 7
  p = profile_episode(e, phq9(), o);
  EXPECT_NEAR(p->dropout_risk, 0.3, kTol);
  expect_values(p->dimension("engagement")->evidence, {{"gap_days", 15}, {"long_gap", 1}});
  o.as_of_day = e.sessions.back().day + 14;  // not longer than twice
  p = profile_episode(e, phq9(), o);
  EXPECT_NEAR(p->dropout_risk, 0.0, kTol);
}

TEST(ProfileRules, ThresholdsAreOptions) {
  const Golden& g = golden("perception-gap-gbo");
  ProfileOptions o;
  o.gap_gbo = 4;
  Result<Profile> p = profile_episode(g.episode, phq9(), o);
  EXPECT_EQ(p->count(SignalType::kPerceptionGap), 0);
  o = {};
  o.gap_run = 1;
  p = profile_episode(g.episode, phq9(), o);
  EXPECT_EQ(signal_list(*p), Strings({"perception-gap@1"}));

  o = {};
  o.rupture_below = 7;  // 6 is now under the cut-off too
  p = profile_episode(golden("alliance-rupture-repaired").episode, phq9(), o);
  EXPECT_EQ(signal_of(*p, SignalType::kAllianceRupture).evidence.rule,
            "alliance-rupture.low-and-drop");

  o = {};
  o.review_after = 8;
  p = profile_episode(golden("review-due").episode, phq9(), o);
  EXPECT_EQ(p->count(SignalType::kReviewDue), 0);

  o = {};
  o.reliable_change = 5;  // overrides the instrument's 6
  p = profile_episode(golden("early-response").episode, phq9(), o);
  expect_values(pattern_evidence(*p, Pattern::kEarlyResponse), {{"response_session", 3}});
  o.early_response_by = 2;
  p = profile_episode(golden("early-response").episode, phq9(), o);
  EXPECT_FALSE(p->has(Pattern::kEarlyResponse));
}

TEST(ProfileRules, HigherIsBetterInstrumentsMirrorEverything) {
  Instrument up = phq9();
  up.direction = Direction::kHigherIsBetter;
  up.caseness_cutoff = 17;  // 27 - 10
  for (const char* id : {"improving", "worsening", "setback-recovery", "sudden-gain", "sudden-loss",
                         "early-response", "achieved-symptoms", "stirring-goals"}) {
    Episode e = golden(id).episode;
    for (EpisodeSession& s : e.sessions) {
      if (!is_missing(s.score)) s.score = 27 - s.score;
    }
    Result<Profile> mirrored = profile_episode(e, up);
    ASSERT_TRUE(mirrored.has_value()) << id;
    EXPECT_EQ(labels(*mirrored), labels(profile_of(id))) << id;
    EXPECT_EQ(status_of(*mirrored, "phq9"), status_of(profile_of(id), "phq9")) << id;
  }
}

TEST(ProfileRules, RejectsBadInputNamingTheField) {
  Episode e = weekly("bad", {12, 30});
  Result<Profile> p = profile_episode(e, phq9());
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().field(), "sessions[1].score");
  e = weekly("bad", {12, 13});
  e.sessions[1].n = 1;
  EXPECT_EQ(profile_episode(e, phq9()).error().field(), "sessions[1].n");
  Instrument none = phq9();
  none.reliable_change_threshold.reset();
  EXPECT_EQ(profile_episode(weekly("x", {1, 2}), none).error().field(), "reliable_change");
  ProfileOptions o;
  o.reliable_change = 4;
  EXPECT_TRUE(profile_episode(weekly("x", {1, 2}), none, o).has_value());
}

TEST(ProfileRules, OptionsAreValidated) {
  const auto field_of = [](const std::function<void(ProfileOptions&)>& change) {
    ProfileOptions o;
    change(o);
    return validate(o).field();
  };
  EXPECT_TRUE(validate(ProfileOptions{}).is_ok());
  EXPECT_EQ(field_of([](auto& o) { o.window = 1; }), "window");
  EXPECT_EQ(field_of([](auto& o) { o.reliable_change = -1; }), "reliable_change");
  EXPECT_EQ(field_of([](auto& o) { o.rupture_drop = 0; }), "rupture_drop");
  EXPECT_EQ(field_of([](auto& o) { o.gap_run = 0; }), "gap_run");
  EXPECT_EQ(field_of([](auto& o) { o.dropout_weight_gap = 1.5; }), "dropout_weight_gap");
  EXPECT_EQ(field_of([](auto& o) { o.dropout_weight_cancelled = 0.3; }),
            "dropout_weight_cancelled");
  EXPECT_EQ(field_of([](auto& o) { o.gas_achieved = 3; }), "gas_achieved");
  EXPECT_EQ(field_of([](auto& o) { o.dropout_flag_at = 0; }), "dropout_flag_at");
  EXPECT_EQ(field_of([](auto& o) { o.trend_confidence = 1; }), "trend_confidence");
  EXPECT_EQ(field_of([](auto& o) { o.review_after = 0; }), "review_after");
  Result<Profile> p = profile_episode(weekly("x", {1, 2}), phq9(), [] {
    ProfileOptions o;
    o.window = 0;
    return o;
  }());
  EXPECT_EQ(p.error().field(), "window");
}

TEST(ProfileRules, EveryFindingCarriesARuleAndNoMoreValuesThanFit) {
  for (const Golden& g : golden_episodes()) {
    const Profile p = profile_of(g.episode.id);
    for (const Dimension& d : p.dimensions) {
      EXPECT_FALSE(d.evidence.rule.empty()) << g.episode.id << " " << d.name;
      EXPECT_LT(d.evidence.values.size(), EvidenceValues::kCapacity) << d.evidence.rule;
    }
    for (const PatternFinding& f : p.patterns) {
      EXPECT_FALSE(f.evidence.rule.empty());
      EXPECT_LT(f.evidence.values.size(), EvidenceValues::kCapacity) << f.evidence.rule;
    }
    for (const Signal& s : p.signals) {
      EXPECT_FALSE(s.evidence.rule.empty());
      EXPECT_FALSE(s.reason.empty()) << s.evidence.rule;
      EXPECT_LT(s.evidence.values.size(), EvidenceValues::kCapacity) << s.evidence.rule;
    }
  }
}

// ---- properties ---------------------------------------------------------------------------

// A random but valid episode: 1-16 sessions, gaps of 3-14 days, some missed or cancelled,
// scores 0-27 with missing ones, up to 3 goals rated by either side, alliance, item 9, moments.
Episode random_episode(std::mt19937& rng, int id) {
  std::uniform_int_distribution<int> sessions(1, 16);
  std::uniform_int_distribution<int> gap(3, 14);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int> score(0, 27);
  std::uniform_int_distribution<int> gbo(0, 10);
  std::uniform_int_distribution<int> gas(-2, 2);
  std::uniform_int_distribution<int> item(0, 3);
  Episode e;
  e.id = "r" + std::to_string(id);
  const int n_goals = std::uniform_int_distribution<int>(0, 3)(rng);
  for (int g = 0; g < n_goals; ++g) {
    e.goals.push_back(
        {"g" + std::to_string(g), unit(rng) < 0.5 ? GoalScale::kGbo : GoalScale::kGas});
  }
  const int n = sessions(rng);
  int day = kDay0;
  for (int k = 1; k <= n; ++k) {
    EpisodeSession s;
    s.n = k;
    s.day = day;
    day += gap(rng);
    const double a = unit(rng);
    s.attendance = a < 0.8   ? Attendance::kAttended
                   : a < 0.9 ? Attendance::kCancelled
                             : Attendance::kDidNotAttend;
    if (s.attendance == Attendance::kAttended) {
      if (unit(rng) < 0.85) s.score = score(rng);
      if (unit(rng) < 0.7) s.item9 = unit(rng) < 0.8 ? 0 : item(rng);
      if (unit(rng) < 0.7) s.alliance = std::uniform_int_distribution<int>(3, 10)(rng);
      s.felt_hard = unit(rng) < 0.15;
      s.goals.resize(static_cast<std::size_t>(n_goals));
      for (int g = 0; g < n_goals; ++g) {
        const bool is_gbo = e.goals[g].scale == GoalScale::kGbo;
        if (unit(rng) < 0.8) s.goals[g].client = is_gbo ? gbo(rng) : gas(rng);
        if (unit(rng) < 0.6) s.goals[g].therapist = is_gbo ? gbo(rng) : gas(rng);
      }
      if (unit(rng) < 0.2) s.moments.push_back({"honest", Rater::kClient, ""});
    }
    e.sessions.push_back(s);
  }
  if (unit(rng) < 0.3) e.definition_revised_session = std::uniform_int_distribution<int>(1, n)(rng);
  return e;
}

TEST(ProfileProperties, AStrictlyImprovingSeriesIsNeverWorsening) {
  std::mt19937 rng(20240101);
  for (int trial = 0; trial < 2000; ++trial) {
    const int n = std::uniform_int_distribution<int>(2, 14)(rng);
    std::vector<double> scores;
    double score = std::uniform_int_distribution<int>(n, 27)(rng);
    for (int k = 0; k < n; ++k) {
      scores.push_back(score);
      score -= std::uniform_int_distribution<int>(1, 4)(rng);
      if (score < 0) score = 0;
    }
    // keep it strictly decreasing
    for (std::size_t k = 1; k < scores.size(); ++k) {
      if (scores[k] >= scores[k - 1]) scores.resize(k);
    }
    if (scores.size() < 2) continue;
    Episode e = weekly("down", scores);
    const std::size_t g = add_goal(e, "g", GoalScale::kGbo);
    for (std::size_t k = 0; k < scores.size(); ++k) rate(e, static_cast<int>(k) + 1, g, 5 + k % 2);
    Result<Profile> p = profile_episode(e, phq9());
    ASSERT_TRUE(p.has_value());
    EXPECT_FALSE(p->has(Pattern::kWorsening));
    EXPECT_FALSE(p->has(Pattern::kSuddenLoss));
    EXPECT_FALSE(p->has(Pattern::kStirring));
    EXPECT_FALSE(p->has(Pattern::kSetbackRecovery));
    EXPECT_NE(status_of(*p, "phq9"), "worsening");
  }
}

TEST(ProfileProperties, AddingASessionWithoutItem9NeverRaisesACrisis) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    Episode e = random_episode(rng, trial);
    Result<Profile> before = profile_episode(e, phq9());
    ASSERT_TRUE(before.has_value()) << before.error().message();
    EpisodeSession extra;
    extra.n = e.sessions.back().n + 1;
    extra.day = e.sessions.back().day + 7;
    extra.attendance = trial % 2 == 0 ? Attendance::kAttended : Attendance::kDidNotAttend;
    if (trial % 3 == 0) extra.score = 20;
    e.sessions.push_back(extra);
    Result<Profile> after = profile_episode(e, phq9());
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->count(SignalType::kCrisis), before->count(SignalType::kCrisis));
  }
}

TEST(ProfileProperties, Item9ChangesNothingButTheCrisisSignal) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 500; ++trial) {
    Episode e = random_episode(rng, trial);
    Episode quiet = e;
    for (EpisodeSession& s : quiet.sessions) s.item9 = kMissing;
    const Profile a = *profile_episode(e, phq9());
    const Profile b = *profile_episode(quiet, phq9());
    EXPECT_EQ(labels(a), labels(b));
    ASSERT_EQ(a.dimensions.size(), b.dimensions.size());
    for (std::size_t d = 0; d < a.dimensions.size(); ++d) {
      EXPECT_EQ(a.dimensions[d].status, b.dimensions[d].status);
    }
    EXPECT_EQ(a.signals.size() - static_cast<std::size_t>(a.count(SignalType::kCrisis)),
              b.signals.size());
  }
}

TEST(ProfileProperties, AddingAMissedSessionNeverLowersTheDropoutRisk) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 3000; ++trial) {
    Episode e = random_episode(rng, trial);
    const double before = profile_episode(e, phq9())->dropout_risk;
    // At the end.
    Episode appended = e;
    EpisodeSession dna;
    dna.n = e.sessions.back().n + 1;
    dna.day = e.sessions.back().day + std::uniform_int_distribution<int>(0, 20)(rng);
    dna.attendance = Attendance::kDidNotAttend;
    appended.sessions.push_back(dna);
    EXPECT_GE(profile_episode(appended, phq9())->dropout_risk + 1e-12, before) << e.id;
    // In the middle: later sessions move up one number, dates unchanged.
    const std::size_t at_index =
        std::uniform_int_distribution<std::size_t>(0, e.sessions.size() - 1)(rng);
    Episode inserted = e;
    for (std::size_t k = at_index; k < inserted.sessions.size(); ++k) ++inserted.sessions[k].n;
    dna.n = e.sessions[at_index].n;
    dna.day = at_index == 0 ? e.sessions[0].day : e.sessions[at_index - 1].day;
    inserted.sessions.insert(inserted.sessions.begin() + static_cast<std::ptrdiff_t>(at_index),
                             dna);
    if (inserted.definition_revised_session) inserted.definition_revised_session.reset();
    Episode base = e;
    base.definition_revised_session.reset();
    const double base_risk = profile_episode(base, phq9())->dropout_risk;
    Result<Profile> p = profile_episode(inserted, phq9());
    ASSERT_TRUE(p.has_value()) << p.error().message();
    EXPECT_GE(p->dropout_risk + 1e-12, base_risk) << e.id << " at " << at_index;
  }
}

TEST(ProfileProperties, DropoutRiskStaysWithin0And1) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 2000; ++trial) {
    const Profile p = *profile_episode(random_episode(rng, trial), phq9());
    EXPECT_GE(p.dropout_risk, 0.0);
    EXPECT_LE(p.dropout_risk, 1.0);
  }
}

TEST(ProfileProperties, EveryProfileIsWellFormed) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    const Episode e = random_episode(rng, trial);
    const Profile p = *profile_episode(e, phq9());
    EXPECT_EQ(p.dimensions.size(), e.goals.size() + 3);
    EXPECT_EQ(p.perception_gaps.size(), e.goals.size());
    EXPECT_FALSE(p.has(Pattern::kImproving) && p.has(Pattern::kWorsening));
    EXPECT_FALSE(p.has(Pattern::kStirring) && p.has(Pattern::kWorsening));
    EXPECT_FALSE(p.has(Pattern::kAchieved) && p.has(Pattern::kSustaining));
    for (std::size_t k = 1; k < p.patterns.size(); ++k) {
      EXPECT_LT(p.patterns[k - 1].pattern, p.patterns[k].pattern);
    }
    for (std::size_t k = 1; k < p.signals.size(); ++k) {
      EXPECT_LE(p.signals[k - 1].session, p.signals[k].session);
    }
    for (const Signal& s : p.signals) {
      EXPECT_GE(s.session, 1);
      EXPECT_LE(s.session, e.sessions.back().n);
    }
  }
}

TEST(ProfileProperties, AReusedWorkspaceGivesTheSameProfiles) {
  std::mt19937 rng(17);
  std::vector<Episode> episodes;
  for (int k = 0; k < 300; ++k) episodes.push_back(random_episode(rng, k));
  ProfileWorkspace workspace(4);
  Profile reused;
  for (int pass = 0; pass < 2; ++pass) {
    for (const Episode& e : episodes) {
      ASSERT_TRUE(workspace.profile(e, phq9(), {}, nullptr, reused).is_ok());
      const Profile fresh = *profile_episode(e, phq9());
      EXPECT_EQ(labels(reused), labels(fresh));
      EXPECT_EQ(signal_list(reused), signal_list(fresh));
      ASSERT_EQ(reused.dimensions.size(), fresh.dimensions.size());
      for (std::size_t d = 0; d < fresh.dimensions.size(); ++d) {
        EXPECT_EQ(reused.dimensions[d].status, fresh.dimensions[d].status);
        EXPECT_EQ(reused.dimensions[d].evidence.rule, fresh.dimensions[d].evidence.rule);
      }
      EXPECT_EQ(reused.dropout_risk, fresh.dropout_risk);
    }
  }
}

// ---- the JSON Lines copy of the golden episodes -------------------------------------------

std::string number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Days since 1970-01-01 to YYYY-MM-DD (Howard Hinnant's civil_from_days).
std::string iso_date(int days) {
  int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = yoe + era * 400;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", y, m, d);
  return buffer;
}

// One episode in the CLI schema of issue 3 (docs/episode.schema.json).
std::string to_jsonl(const Episode& e) {
  std::ostringstream out;
  out << "{\"id\":" << quoted(e.id) << ",\"instrument\":\"phq9\",\"goals\":[";
  for (std::size_t g = 0; g < e.goals.size(); ++g) {
    out << (g ? "," : "") << "{\"id\":" << quoted(e.goals[g].id)
        << ",\"scale\":" << quoted(to_string(e.goals[g].scale)) << "}";
  }
  out << "]";
  if (e.definition_revised_session) {
    out << ",\"definition_revised_session\":" << *e.definition_revised_session;
  }
  if (e.ended) out << ",\"ended\":true";
  out << ",\"sessions\":[";
  for (std::size_t k = 0; k < e.sessions.size(); ++k) {
    const EpisodeSession& s = e.sessions[k];
    out << (k ? "," : "") << "{\"n\":" << s.n << ",\"date\":\"" << iso_date(s.day)
        << "\",\"attendance\":" << quoted(to_string(s.attendance));
    if (!is_missing(s.score)) out << ",\"score\":" << number(s.score);
    if (!is_missing(s.item9)) out << ",\"item9\":" << number(s.item9);
    if (s.felt_hard) out << ",\"felt_hard\":true";
    if (!is_missing(s.alliance)) out << ",\"alliance\":" << number(s.alliance);
    bool any = false;
    for (std::size_t g = 0; g < s.goals.size(); ++g) {
      const GoalRating& r = s.goals[g];
      if (is_missing(r.client) && is_missing(r.therapist)) continue;
      out << (any ? "," : ",\"goals\":{") << quoted(e.goals[g].id) << ":{";
      if (!is_missing(r.client)) out << "\"client\":" << number(r.client);
      if (!is_missing(r.therapist)) {
        out << (is_missing(r.client) ? "" : ",") << "\"therapist\":" << number(r.therapist);
      }
      out << "}";
      any = true;
    }
    if (any) out << "}";
    if (!s.moments.empty()) {
      out << ",\"moments\":[";
      for (std::size_t m = 0; m < s.moments.size(); ++m) {
        const Moment& mo = s.moments[m];
        out << (m ? "," : "") << "{\"tag\":" << quoted(mo.tag)
            << ",\"by\":" << quoted(to_string(mo.by));
        if (!mo.text.empty()) out << ",\"text\":" << quoted(mo.text);
        out << "}";
      }
      out << "]";
    }
    out << "}";
  }
  out << "]}";
  return out.str();
}

// What `tandem analyze profile` must print for it (without the trajectory, evidence, reasons).
std::string expected_jsonl(const Profile& p) {
  std::ostringstream out;
  out << "{\"id\":" << quoted(p.id) << ",\"dimensions\":{";
  for (std::size_t d = 0; d < p.dimensions.size(); ++d) {
    out << (d ? "," : "") << quoted(p.dimensions[d].name) << ":"
        << quoted(to_string(p.dimensions[d].status));
  }
  out << "},\"patterns\":[";
  for (std::size_t k = 0; k < p.patterns.size(); ++k) {
    out << (k ? "," : "") << quoted(to_string(p.patterns[k].pattern));
  }
  out << "],\"signals\":[";
  for (std::size_t k = 0; k < p.signals.size(); ++k) {
    out << (k ? "," : "") << "{\"type\":" << quoted(to_string(p.signals[k].type))
        << ",\"session\":" << p.signals[k].session << "}";
  }
  out << "]}";
  return out.str();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(GoldenFiles, TheJsonLinesCopiesMatchTheBuilders) {
  std::string episodes;
  std::string expected;
  for (const Golden& g : golden_episodes()) {
    episodes += to_jsonl(g.episode) + "\n";
    expected += expected_jsonl(*profile_episode(g.episode, phq9())) + "\n";
  }
  const std::string dir = std::string(TANDEM_GOLDEN_DIR) + "/episodes/";
  if (std::getenv("TANDEM_REGENERATE_GOLDEN") != nullptr) {
    std::ofstream(dir + "episodes.jsonl") << episodes;
    std::ofstream(dir + "expected.jsonl") << expected;
  }
  for (const auto& [file, want] :
       {std::pair{"episodes.jsonl", &episodes}, std::pair{"expected.jsonl", &expected}}) {
    std::istringstream have_lines(read_file(dir + file));
    std::istringstream want_lines(*want);
    std::string have_line;
    std::string want_line;
    int line = 0;
    while (std::getline(want_lines, want_line)) {
      ++line;
      std::getline(have_lines, have_line);
      EXPECT_EQ(have_line, want_line) << file << ":" << line
                                      << " (run with TANDEM_REGENERATE_GOLDEN=1 after changing "
                                         "a golden episode or rule)";
      have_line.clear();
    }
    EXPECT_FALSE(std::getline(have_lines, have_line)) << file << " has extra lines";
  }
}

TEST(GoldenFiles, ThereIsAGoldenEpisodeForEveryPatternAndSignal) {
  std::vector<bool> patterns(10, false);
  std::vector<bool> signals(7, false);
  for (const Golden& g : golden_episodes()) {
    const Profile p = profile_of(g.episode.id);
    for (const PatternFinding& f : p.patterns) patterns[static_cast<std::size_t>(f.pattern)] = true;
    for (const Signal& s : p.signals) signals[static_cast<std::size_t>(s.type)] = true;
  }
  for (std::size_t k = 0; k < patterns.size(); ++k) {
    EXPECT_TRUE(patterns[k]) << to_string(static_cast<Pattern>(k));
  }
  for (std::size_t k = 0; k < signals.size(); ++k) {
    EXPECT_TRUE(signals[k]) << to_string(static_cast<SignalType>(k));
  }
  EXPECT_GE(golden_episodes().size(), 20U);
}

// ---- texts/en.json --------------------------------------------------------------------------

std::vector<std::string> placeholders(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t open = text.find('{'); open != std::string::npos;
       open = text.find('{', open + 1)) {
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) break;
    out.push_back(text.substr(open + 1, close - open - 1));
  }
  return out;
}

// texts[a][b]..., or null when a key is missing (const operator[] must not see a missing key).
nlohmann::json lookup(const nlohmann::json& texts, std::initializer_list<std::string> path) {
  const nlohmann::json* node = &texts;
  for (const std::string& key : path) {
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
  }
  return *node;
}

void expect_fillable(const nlohmann::json& texts, const std::string& where,
                     const Evidence& evidence, std::set<std::string> context) {
  ASSERT_TRUE(texts.is_object()) << where << " has no texts";
  context.insert({"first_session", "last_session"});
  for (const char* audience : {"client", "therapist"}) {
    ASSERT_TRUE(texts.contains(audience) && texts[audience].is_string())
        << where << " " << audience;
    const std::string text = texts[audience].get<std::string>();
    for (const std::string& name : placeholders(text)) {
      EXPECT_TRUE(context.count(name) == 1 || evidence.values.get(name).has_value())
          << where << " (" << evidence.rule << ") " << audience << ": {" << name << "}";
    }
    if (std::string(audience) == "client") {
      std::string lower = text;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      EXPECT_EQ(lower.find("fail"), std::string::npos) << where;
    }
  }
}

TEST(Texts, EveryFindingHasTextsWhosePlaceholdersItsEvidenceFills) {
  std::ifstream in(std::string(TANDEM_SOURCE_DIR) + "/texts/en.json");
  ASSERT_TRUE(in.good());
  const nlohmann::json texts = nlohmann::json::parse(in);

  std::vector<Episode> episodes;
  std::vector<const TrajectoryVerdict*> verdicts;
  const TrajectoryVerdict off{true, 2, "above the band"};
  for (const Golden& g : golden_episodes()) episodes.push_back(g.episode);
  std::mt19937 rng(23);
  for (int k = 0; k < 1500; ++k) {
    episodes.push_back(random_episode(rng, k));
    if (k % 3 == 0) episodes.back().ended = true;
  }
  std::set<std::string> seen;
  for (const Episode& e : episodes) {
    const Profile p = *profile_episode(e, phq9(), {}, &off);
    for (const Dimension& d : p.dimensions) {
      const std::string kind(to_string(d.kind));
      const std::string status(to_string(d.status));
      std::set<std::string> context = {"dimension"};
      if (d.kind == DimensionKind::kGoal) context.insert("goal");
      if (d.kind == DimensionKind::kSymptoms) context.insert("instrument");
      expect_fillable(lookup(texts, {"statuses", kind, status}), "statuses." + kind + "." + status,
                      d.evidence, context);
      seen.insert("statuses." + kind + "." + status);
    }
    for (const PatternFinding& f : p.patterns) {
      const std::string name(to_string(f.pattern));
      expect_fillable(lookup(texts, {"patterns", name}), "patterns." + name, f.evidence, {});
      seen.insert("patterns." + name);
    }
    for (const Signal& s : p.signals) {
      const std::string name(to_string(s.type));
      std::set<std::string> context = {"session", "reason"};
      if (s.type == SignalType::kPerceptionGap) context.insert({"goal", "trend_word"});
      expect_fillable(lookup(texts, {"signals", name}), "signals." + name, s.evidence, context);
      seen.insert("signals." + name);
    }
  }
  // Every text in the file is one the core can produce (and was produced here).
  for (const auto& [group, entries] : texts.items()) {
    if (group.front() == '_') continue;
    for (const auto& [key, value] : entries.items()) {
      if (group == "statuses") {
        for (const auto& [status, unused] : value.items()) {
          EXPECT_EQ(seen.count(group + "." + key + "." + status), 1U) << key << "." << status;
        }
      } else {
        EXPECT_EQ(seen.count(group + "." + key), 1U) << group << "." << key;
      }
    }
  }
}

}  // namespace
}  // namespace tandem::core
