#include "core/goal_based_outcomes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/series.hpp"

namespace tandem::core {
namespace {

GboResult outcomes_or_die(const std::vector<GboRatings>& goals, const GboOptions& options = {}) {
  Result<GboResult> result = goal_based_outcomes(goals, options);
  EXPECT_TRUE(result.has_value()) << result.error().message();
  return result.value_or(GboResult{});
}

TEST(GoalBasedOutcomes, ClassifiesEachGoalAndAveragesTheChange) {
  // goal 1: 2 -> 6, +4, reliable improvement (4 >= 2.45)
  // goal 2: 5 -> 7, +2, no reliable change
  // goal 3: 8 -> 5, -3, reliable deterioration (-3 <= -2.45)
  // goal 4: 3 -> missing, not assessable
  // goal 5: 4 -> 7, +3, reliable improvement
  // mean change over the 4 assessed goals = (4 + 2 - 3 + 3) / 4 = 1.5
  const std::vector<GboRatings> goals = {{2, 6}, {5, 7}, {8, 5}, {3, kMissing}, {4, 7}};
  const GboResult result = outcomes_or_die(goals);
  EXPECT_DOUBLE_EQ(result.threshold, 2.45);
  EXPECT_EQ(result.n_goals, 5);
  EXPECT_EQ(result.n_assessed, 4);
  EXPECT_EQ(result.n_reliably_improved, 2);
  EXPECT_EQ(result.n_reliably_deteriorated, 1);
  EXPECT_DOUBLE_EQ(result.mean_change, 1.5);
  ASSERT_EQ(result.goals.size(), 5u);
  EXPECT_EQ(result.goals[0].goal, 1);
  EXPECT_DOUBLE_EQ(result.goals[0].change, 4.0);
  EXPECT_EQ(result.goals[0].category, GboCategory::kReliableImprovement);
  EXPECT_EQ(result.goals[1].category, GboCategory::kNoReliableChange);
  EXPECT_DOUBLE_EQ(result.goals[2].change, -3.0);
  EXPECT_EQ(result.goals[2].category, GboCategory::kReliableDeterioration);
  EXPECT_EQ(result.goals[3].category, GboCategory::kNotAssessable);
  EXPECT_TRUE(std::isnan(result.goals[3].change));
  EXPECT_DOUBLE_EQ(result.goals[3].first, 3.0);
  EXPECT_EQ(result.goals[4].goal, 5);
  EXPECT_EQ(result.goals[4].category, GboCategory::kReliableImprovement);
}

TEST(GoalBasedOutcomes, OnWholeNumberRatingsReliableMeansThreePointsOrMore) {
  for (int first = 0; first <= 10; ++first) {
    for (int last = 0; last <= 10; ++last) {
      const std::vector<GboRatings> goals = {{double(first), double(last)}};
      const GboCategory category = outcomes_or_die(goals).goals[0].category;
      const int change = last - first;
      const GboCategory expected = change >= 3    ? GboCategory::kReliableImprovement
                                   : change <= -3 ? GboCategory::kReliableDeterioration
                                                  : GboCategory::kNoReliableChange;
      EXPECT_EQ(category, expected) << first << " -> " << last;
    }
  }
}

TEST(GoalBasedOutcomes, AChangeOfExactlyTheThresholdIsReliable) {
  // 2.5, 5.5 and 5.25 are exact in binary, so the boundary is tested exactly.
  const std::vector<GboRatings> goals = {{3.0, 5.5}, {5.5, 3.0}, {3.0, 5.25}, {5.25, 3.0}};
  const GboResult result = outcomes_or_die(goals, {.reliable_change = 2.5});
  EXPECT_DOUBLE_EQ(result.threshold, 2.5);
  EXPECT_EQ(result.goals[0].category, GboCategory::kReliableImprovement);
  EXPECT_EQ(result.goals[1].category, GboCategory::kReliableDeterioration);
  EXPECT_EQ(result.goals[2].category, GboCategory::kNoReliableChange);
  EXPECT_EQ(result.goals[3].category, GboCategory::kNoReliableChange);
  EXPECT_EQ(result.n_reliably_improved, 1);
  EXPECT_EQ(result.n_reliably_deteriorated, 1);
  EXPECT_DOUBLE_EQ(result.mean_change, 0.0);
}

TEST(GoalBasedOutcomes, NoAssessableGoalLeavesTheMeanUndefined) {
  const std::vector<GboRatings> goals = {{kMissing, 4}, {6, kMissing}};
  const GboResult result = outcomes_or_die(goals);
  EXPECT_EQ(result.n_assessed, 0);
  EXPECT_EQ(result.n_reliably_improved, 0);
  EXPECT_TRUE(std::isnan(result.mean_change));
  EXPECT_TRUE(std::isnan(outcomes_or_die({}).mean_change));
}

TEST(GoalBasedOutcomes, RatingsAtTheEndsOfTheScaleAreAccepted) {
  const std::vector<GboRatings> goals = {{0, 10}};
  const GboResult result = outcomes_or_die(goals);
  EXPECT_DOUBLE_EQ(result.goals[0].change, 10.0);
}

TEST(GoalBasedOutcomes, RejectsRatingsOutsideZeroToTenNamingTheGoal) {
  for (const GboRatings bad : {GboRatings{11, 5}, GboRatings{5, -1}, GboRatings{10.5, 3},
                               GboRatings{2, std::numeric_limits<double>::infinity()}}) {
    const std::vector<GboRatings> goals = {{1, 4}, bad};
    Result<GboResult> result = goal_based_outcomes(goals);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(result.error().field(), "rating");
    EXPECT_NE(result.error().message().find("goal 2"), std::string::npos);
  }
}

TEST(GoalBasedOutcomes, RejectsANonPositiveThreshold) {
  const std::vector<GboRatings> goals = {{1, 4}};
  for (const double threshold : {0.0, -2.45, kMissing}) {
    Result<GboResult> result = goal_based_outcomes(goals, {.reliable_change = threshold});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().field(), "reliable_change");
  }
}

TEST(GoalBasedOutcomes, FirstAndLastRatingsSkipMissedRatings) {
  const std::vector<double> series = {kMissing, 3, kMissing, 5, 6, kMissing};
  const GboRatings ratings = first_and_last_ratings(series);
  EXPECT_DOUBLE_EQ(ratings.first, 3.0);
  EXPECT_DOUBLE_EQ(ratings.last, 6.0);
}

TEST(GoalBasedOutcomes, OneRatingHasNoLast) {
  const std::vector<double> series = {kMissing, 4, kMissing};
  const GboRatings ratings = first_and_last_ratings(series);
  EXPECT_DOUBLE_EQ(ratings.first, 4.0);
  EXPECT_TRUE(std::isnan(ratings.last));
  const GboRatings none = first_and_last_ratings({});
  EXPECT_TRUE(std::isnan(none.first));
  EXPECT_TRUE(std::isnan(none.last));
}

}  // namespace
}  // namespace tandem::core
