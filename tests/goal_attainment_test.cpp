#include "core/goal_attainment.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/series.hpp"
#include "support/csv_table.hpp"

namespace tandem::core {
namespace {

GasResult score_or_die(const std::vector<GasGoal>& goals, const GasOptions& options = {}) {
  Result<GasResult> result = gas_t_score(goals, options);
  EXPECT_TRUE(result.has_value()) << result.error().message();
  return result.value_or(GasResult{});
}

TEST(GoalAttainment, WeightedExampleFromGasrDocumentation) {
  // scores -2, 0, -1, 2, 0, 1 with weights 3, 5, 1, 4, 2, 6:
  // sum w x = -6 + 0 - 1 + 8 + 0 + 6 = 7; sum w = 21; sum w^2 = 91;
  // 0.7 * 91 + 0.3 * 21^2 = 63.7 + 132.3 = 196 = 14^2, so T = 50 + 70 / 14 = 55.
  const std::vector<GasGoal> goals = {{-2, 3}, {0, 5}, {-1, 1}, {2, 4}, {0, 2}, {1, 6}};
  const GasResult result = score_or_die(goals);
  EXPECT_EQ(result.n_goals, 6);
  EXPECT_EQ(result.n_scored, 6);
  EXPECT_DOUBLE_EQ(result.sum_weighted_scores, 7.0);
  EXPECT_DOUBLE_EQ(result.denominator, 14.0);
  EXPECT_DOUBLE_EQ(result.t_score, 55.0);
}

TEST(GoalAttainment, UnweightedIgnoresTheSuppliedWeights) {
  // Four goals at +1, rho 0: 50 + 10 * 4 / sqrt(4) = 70.
  const std::vector<GasGoal> goals = {{1, 3}, {1, 1}, {1, 2}, {1, 5}};
  const GasResult result = score_or_die(goals, {.rho = 0.0, .weighted = false});
  EXPECT_DOUBLE_EQ(result.t_score, 70.0);
  // rho 0.3: 0.7 * 4 + 0.3 * 16 = 7.6.
  EXPECT_DOUBLE_EQ(score_or_die(goals, {.rho = 0.3, .weighted = false}).t_score,
                   50.0 + 40.0 / std::sqrt(7.6));
}

TEST(GoalAttainment, RhoOneGivesFiftyPlusTenTimesTheWeightedMean) {
  // (2 * 1 + 0 * 3) / 4 = 0.5 -> 55.
  const std::vector<GasGoal> goals = {{2, 1}, {0, 3}};
  EXPECT_DOUBLE_EQ(score_or_die(goals, {.rho = 1.0}).t_score, 55.0);
}

TEST(GoalAttainment, ExpectedLevelOnEveryGoalIsFifty) {
  const std::vector<GasGoal> goals = {{0, 2}, {0, 1}, {0, 3}};
  EXPECT_DOUBLE_EQ(score_or_die(goals).t_score, 50.0);
}

TEST(GoalAttainment, OneGoalIsFiftyPlusTenTimesItsScoreWhateverRho) {
  for (const double rho : {0.0, 0.3, 0.5, 1.0}) {
    for (const double score : {-2.0, -1.0, 0.0, 1.0, 2.0}) {
      const std::vector<GasGoal> goals = {{score, 3.0}};
      EXPECT_DOUBLE_EQ(score_or_die(goals, {.rho = rho}).t_score, 50.0 + 10.0 * score);
      EXPECT_DOUBLE_EQ(score_or_die(goals, {.rho = rho, .weighted = false}).t_score,
                       50.0 + 10.0 * score);
    }
  }
}

TEST(GoalAttainment, MissingWeightDropsTheGoalOnlyWhenWeighted) {
  // gasr sets weights to 1 before the NA check in the unweighted call (peer client g902).
  const std::vector<GasGoal> goals = {{2, 1}, {1, kMissing}, {0, 2}};
  const GasResult weighted = score_or_die(goals);
  EXPECT_EQ(weighted.n_goals, 3);
  EXPECT_EQ(weighted.n_scored, 2);
  // sum w x = 2; 0.7 * 5 + 0.3 * 9 = 6.2.
  EXPECT_DOUBLE_EQ(weighted.t_score, 50.0 + 20.0 / std::sqrt(6.2));
  const GasResult unweighted = score_or_die(goals, {.weighted = false});
  EXPECT_EQ(unweighted.n_scored, 3);
  // sum x = 3; 0.7 * 3 + 0.3 * 9 = 4.8.
  EXPECT_DOUBLE_EQ(unweighted.t_score, 50.0 + 30.0 / std::sqrt(4.8));
}

TEST(GoalAttainment, MissingScoreDropsTheGoal) {
  const std::vector<GasGoal> goals = {{kMissing, 2}, {2, 1}};
  const GasResult result = score_or_die(goals);
  EXPECT_EQ(result.n_scored, 1);
  EXPECT_DOUBLE_EQ(result.t_score, 70.0);
}

TEST(GoalAttainment, AllZeroWeightsAreSetToOne) {
  // As gasr does (peer client g901): weights 0, 0, 0 become 1, 1, 1;
  // sum x = 4, 0.7 * 3 + 0.3 * 9 = 4.8.
  const std::vector<GasGoal> goals = {{2, 0}, {1, 0}, {1, 0}};
  const GasResult result = score_or_die(goals);
  EXPECT_TRUE(result.zero_weights_set_to_one);
  EXPECT_DOUBLE_EQ(result.t_score, score_or_die(goals, {.weighted = false}).t_score);
  EXPECT_DOUBLE_EQ(result.t_score, 50.0 + 40.0 / std::sqrt(0.7 * 3 + 0.3 * 9));
}

TEST(GoalAttainment, SomeZeroWeightsCountButAddNothing) {
  // (2, w 0) and (1, w 2): sum w x = 2, sum w = 2, sum w^2 = 4 -> 50 + 20 / 2 = 60.
  const std::vector<GasGoal> goals = {{2, 0}, {1, 2}};
  const GasResult result = score_or_die(goals);
  EXPECT_FALSE(result.zero_weights_set_to_one);
  EXPECT_EQ(result.n_scored, 2);
  EXPECT_DOUBLE_EQ(result.t_score, 60.0);
}

TEST(GoalAttainment, NoScorableGoalGivesNaN) {
  const std::vector<GasGoal> goals = {{kMissing, 1}, {kMissing, 1}};
  const GasResult result = score_or_die(goals);
  EXPECT_EQ(result.n_goals, 2);
  EXPECT_EQ(result.n_scored, 0);
  EXPECT_TRUE(std::isnan(result.t_score));
  EXPECT_TRUE(std::isnan(score_or_die({}).t_score));
}

TEST(GoalAttainment, RejectsScoresOutsideTheScaleNamingTheGoal) {
  for (const double bad : {3.0, -2.5, 0.5, std::numeric_limits<double>::infinity()}) {
    const std::vector<GasGoal> goals = {{1, 1}, {bad, 1}};
    Result<GasResult> result = gas_t_score(goals);
    ASSERT_FALSE(result.has_value()) << bad;
    EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(result.error().field(), "score");
    EXPECT_NE(result.error().message().find("goal 2"), std::string::npos);
  }
}

TEST(GoalAttainment, RejectsNegativeOrInfiniteWeightsEvenWhenUnweighted) {
  for (const double bad : {-1.0, std::numeric_limits<double>::infinity()}) {
    const std::vector<GasGoal> goals = {{1, bad}};
    Result<GasResult> result = gas_t_score(goals, {.weighted = false});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().field(), "weight");
    EXPECT_NE(result.error().message().find("goal 1"), std::string::npos);
  }
}

TEST(GoalAttainment, RejectsRhoOutsideZeroToOne) {
  const std::vector<GasGoal> goals = {{1, 1}};
  for (const double rho : {-0.1, 1.1, kMissing}) {
    Result<GasResult> result = gas_t_score(goals, {.rho = rho});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().field(), "rho");
  }
}

// --- gasr 0.5.1 peer file ---------------------------------------------------------------

std::map<std::string, std::vector<GasGoal>> read_goals_by_client() {
  const auto data = testing::CsvTable::read(testing::peer_file("case1-gas-data.csv"));
  std::map<std::string, std::vector<GasGoal>> goals;
  for (std::size_t row = 0; row < data.size(); ++row) {
    goals[data.at(row, "id")].push_back({data.number(row, "score").value_or(kMissing),
                                         data.number(row, "weight").value_or(kMissing)});
  }
  return goals;
}

void expect_matches_peer(const std::string& id, const char* column,
                         const std::optional<double>& expected, double actual) {
  if (!expected) {
    EXPECT_TRUE(std::isnan(actual)) << id << " " << column << ": " << actual;
    return;
  }
  EXPECT_NEAR(actual, *expected, 1e-12 * std::fabs(*expected)) << id << " " << column;
}

TEST(GoalAttainmentPeer, MatchesGasrOnEveryClientForAllFourVariants) {
  struct Variant {
    const char* column;
    GasOptions options;
  };
  const std::vector<Variant> variants = {
      {"t_weighted_rho03", {.rho = 0.3, .weighted = true}},
      {"t_unweighted_rho03", {.rho = 0.3, .weighted = false}},
      {"t_weighted_rho0", {.rho = 0.0, .weighted = true}},
      {"t_unweighted_rho05", {.rho = 0.5, .weighted = false}},
  };
  const auto goals = read_goals_by_client();
  const auto expected =
      testing::CsvTable::read(testing::peer_file("case1-gasr-tscore-expected.csv"));
  ASSERT_EQ(expected.size(), 206u);
  ASSERT_EQ(goals.size(), expected.size());
  int compared = 0;
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string& id = expected.at(row, "id");
    ASSERT_EQ(goals.count(id), 1u) << id;
    for (const Variant& variant : variants) {
      Result<GasResult> result = gas_t_score(goals.at(id), variant.options);
      ASSERT_TRUE(result.has_value()) << id << ": " << result.error().message();
      EXPECT_EQ(result->n_goals, static_cast<int>(*expected.number(row, "n_goals"))) << id;
      expect_matches_peer(id, variant.column, expected.number(row, variant.column),
                          result->t_score);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 4 * 206);
}

TEST(GoalAttainmentPeer, EdgeClientsShowTheGasrQuirks) {
  const auto goals = read_goals_by_client();
  // g902: the goal with a missing weight counts only in the unweighted call.
  EXPECT_EQ(gas_t_score(goals.at("g902"))->n_scored, 2);
  EXPECT_EQ(gas_t_score(goals.at("g902"), {.weighted = false})->n_scored, 3);
  // g901: all weights 0, set to 1.
  EXPECT_TRUE(gas_t_score(goals.at("g901"))->zero_weights_set_to_one);
  // g903: no score at all.
  EXPECT_EQ(gas_t_score(goals.at("g903"))->n_scored, 0);
  EXPECT_TRUE(std::isnan(gas_t_score(goals.at("g903"))->t_score));
  // g906: one goal at 0 -> 50 for every rho.
  EXPECT_DOUBLE_EQ(gas_t_score(goals.at("g906"), {.rho = 0.5})->t_score, 50.0);
}

}  // namespace
}  // namespace tandem::core
