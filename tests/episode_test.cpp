// The episode model: spellings, and validate() naming the offending field for every rule.
#include "core/episode.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace tandem::core {
namespace {

Episode two_sessions() {
  Episode e;
  e.id = "e1";
  e.goals = {{"sleep", GoalScale::kGbo}, {"work", GoalScale::kGas}};
  for (int n = 1; n <= 2; ++n) {
    EpisodeSession s;
    s.n = n;
    s.day = 19723 + 7 * (n - 1);
    s.score = 12;
    s.item9 = 0;
    s.alliance = 8;
    s.goals = {{4, 3}, {-1, 0}};
    s.moments = {{"laughed", Rater::kClient, "first time in weeks"}};
    e.sessions.push_back(s);
  }
  return e;
}

void expect_invalid(const Episode& e, const std::string& field) {
  const Status st = validate(e);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << field;
  EXPECT_EQ(st.field(), field) << st.message();
  EXPECT_FALSE(st.message().empty());
}

TEST(EpisodeSpellings, RoundTripThroughTheSchemaWords) {
  for (Attendance a : {Attendance::kAttended, Attendance::kCancelled, Attendance::kDidNotAttend}) {
    EXPECT_EQ(parse_attendance(to_string(a)), a);
  }
  EXPECT_EQ(to_string(Attendance::kDidNotAttend), "dna");
  EXPECT_EQ(parse_rater("therapist"), Rater::kTherapist);
  EXPECT_EQ(parse_rater("client"), Rater::kClient);
  EXPECT_EQ(parse_goal_scale("gas"), GoalScale::kGas);
  EXPECT_EQ(parse_goal_scale("gbo"), GoalScale::kGbo);
  EXPECT_FALSE(parse_attendance("Attended").has_value());
  EXPECT_FALSE(parse_attendance("missed").has_value());
  EXPECT_FALSE(parse_rater("").has_value());
  EXPECT_FALSE(parse_goal_scale("GAS").has_value());
}

TEST(EpisodeSpellings, KnowsTheWellKnownMomentTags) {
  for (const char* tag : {"laughed", "responded-not-reacted", "honest",
                          "returned-after-hard-session", "more-breathing-space"}) {
    EXPECT_TRUE(is_well_known_moment_tag(tag)) << tag;
  }
  EXPECT_FALSE(is_well_known_moment_tag("walked the dog"));
}

TEST(EpisodeValidate, AcceptsAWellFormedEpisode) {
  EXPECT_TRUE(validate(two_sessions()).is_ok());
  Episode empty;
  EXPECT_TRUE(validate(empty).is_ok());
}

TEST(EpisodeValidate, AcceptsMissingValuesAndShortRatingLists) {
  Episode e = two_sessions();
  e.sessions[0].score = kMissing;
  e.sessions[0].item9 = kMissing;
  e.sessions[0].alliance = kMissing;
  e.sessions[0].goals = {{kMissing, kMissing}};
  e.sessions[1].goals.clear();
  e.sessions[1].attendance = Attendance::kDidNotAttend;
  EXPECT_TRUE(validate(e).is_ok());
}

TEST(EpisodeValidate, RejectsGoalIdsEmptyOrRepeated) {
  Episode e = two_sessions();
  e.goals[1].id = "";
  expect_invalid(e, "goals[1].id");
  e.goals[1].id = "sleep";
  expect_invalid(e, "goals[1].id");
}

TEST(EpisodeValidate, RejectsSessionsOutOfOrderOrRepeated) {
  Episode e = two_sessions();
  e.sessions[1].n = 1;
  expect_invalid(e, "sessions[1].n");
  e.sessions[1].n = 0;
  expect_invalid(e, "sessions[1].n");
  e = two_sessions();
  e.sessions[0].n = 3;
  expect_invalid(e, "sessions[1].n");
  e = two_sessions();
  e.sessions[0].n = kMaxSessionNumber + 1;
  expect_invalid(e, "sessions[0].n");
}

TEST(EpisodeValidate, RejectsADateBeforeThePreviousSession) {
  Episode e = two_sessions();
  e.sessions[1].day = e.sessions[0].day - 1;
  expect_invalid(e, "sessions[1].date");
  e.sessions[1].day = e.sessions[0].day;  // the same day is allowed
  EXPECT_TRUE(validate(e).is_ok());
}

TEST(EpisodeValidate, RejectsGboOutside0To10) {
  Episode e = two_sessions();
  e.sessions[1].goals[0].client = 10.5;
  expect_invalid(e, "sessions[1].goals.sleep.client");
  e.sessions[1].goals[0].client = -0.5;
  expect_invalid(e, "sessions[1].goals.sleep.client");
  e.sessions[1].goals[0].client = 10;
  e.sessions[1].goals[0].therapist = 11;
  expect_invalid(e, "sessions[1].goals.sleep.therapist");
  e.sessions[1].goals[0].therapist = 7.5;  // GBO may be fractional
  EXPECT_TRUE(validate(e).is_ok());
}

TEST(EpisodeValidate, RejectsGasOutsideMinus2To2OrBetweenLevels) {
  Episode e = two_sessions();
  e.sessions[0].goals[1].therapist = 3;
  expect_invalid(e, "sessions[0].goals.work.therapist");
  e.sessions[0].goals[1].therapist = -3;
  expect_invalid(e, "sessions[0].goals.work.therapist");
  e.sessions[0].goals[1].therapist = 0.5;
  expect_invalid(e, "sessions[0].goals.work.therapist");
  e.sessions[0].goals[1].therapist = -2;
  EXPECT_TRUE(validate(e).is_ok());
}

TEST(EpisodeValidate, RejectsAllianceOutside0To10) {
  Episode e = two_sessions();
  e.sessions[1].alliance = 10.1;
  expect_invalid(e, "sessions[1].alliance");
  e.sessions[1].alliance = -1;
  expect_invalid(e, "sessions[1].alliance");
  e.sessions[1].alliance = std::numeric_limits<double>::infinity();
  expect_invalid(e, "sessions[1].alliance");
}

TEST(EpisodeValidate, RejectsItem9OutsideItsAnswers) {
  Episode e = two_sessions();
  e.sessions[0].item9 = 4;
  expect_invalid(e, "sessions[0].item9");
  e.sessions[0].item9 = -1;
  expect_invalid(e, "sessions[0].item9");
  e.sessions[0].item9 = 1.5;
  expect_invalid(e, "sessions[0].item9");
  e.sessions[0].item9 = 3;
  EXPECT_TRUE(validate(e).is_ok());
}

TEST(EpisodeValidate, RejectsAnInfiniteScore) {
  Episode e = two_sessions();
  e.sessions[1].score = std::numeric_limits<double>::infinity();
  expect_invalid(e, "sessions[1].score");
}

TEST(EpisodeValidate, RejectsARatingForAnUnknownGoal) {
  Episode e = two_sessions();
  e.sessions[1].goals.push_back({5, 5});
  expect_invalid(e, "sessions[1].goals");
}

TEST(EpisodeValidate, RejectsAMomentWithoutATag) {
  Episode e = two_sessions();
  e.sessions[1].moments.push_back({"", Rater::kTherapist, "?"});
  expect_invalid(e, "sessions[1].moments[1].tag");
  e.sessions[1].moments.back().tag = "a free tag";
  EXPECT_TRUE(validate(e).is_ok());
}

TEST(EpisodeValidate, RejectsADefinitionRevisionOutsideTheSessions) {
  Episode e = two_sessions();
  e.definition_revised_session = 3;
  expect_invalid(e, "definition_revised_session");
  e.definition_revised_session = -1;
  expect_invalid(e, "definition_revised_session");
  e.definition_revised_session = 0;  // at intake
  EXPECT_TRUE(validate(e).is_ok());
  e.definition_revised_session = 2;
  EXPECT_TRUE(validate(e).is_ok());
}

TEST(EpisodeValidate, NamesTheSessionInTheMessage) {
  Episode e = two_sessions();
  e.sessions[1].alliance = 12;
  EXPECT_NE(validate(e).message().find("session 2"), std::string::npos);
}

}  // namespace
}  // namespace tandem::core
