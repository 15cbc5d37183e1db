#include "core/trend.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "core/series.hpp"
#include "core/statistics.hpp"

// Counts heap allocations so the bulk path can be shown to make none. The replacement
// operator new/delete pair is malloc/free on both sides; GCC 12 at -O2 cannot see that
// through inlining and warns of a mismatch, so that one warning is off in this file.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }

namespace tandem::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kZ975 = 1.959963984540054;  // R: qnorm(0.975)

Trend trend_or_die(const std::vector<double>& scores, const TrendOptions& options = {}) {
  Result<Trend> result = theil_sen_trend(scores, options);
  EXPECT_TRUE(result.has_value()) << result.error().message();
  return result.value_or(Trend{});
}

Steadiness steadiness_or_die(const std::vector<double>& scores, double reliable_change,
                             int window = kSteadyDefaultWindow) {
  Result<Steadiness> result =
      assess_steadiness(scores, {.reliable_change = reliable_change, .window = window});
  EXPECT_TRUE(result.has_value()) << result.error().message();
  return result.value_or(Steadiness{});
}

TEST(Trend, FivePointSeriesWorkedByHand) {
  // Sessions 1..5, scores 20, 18, 19, 15, 14. Pairwise slopes (y_j - y_i) / (j - i):
  //   (1,2) -2/1 = -2      (1,3) -1/2 = -0.5   (1,4) -5/3      (1,5) -6/4 = -1.5
  //   (2,3)  1/1 =  1      (2,4) -3/2 = -1.5   (2,5) -4/3
  //   (3,4) -4/1 = -4      (3,5) -5/2 = -2.5
  //   (4,5) -1/1 = -1
  // Ordered: -4, -2.5, -2, -5/3, -1.5, -1.5, -4/3, -1, -0.5, 1 (N = 10).
  // Slope = median = (5th + 6th) / 2 = -1.5.
  // No ties: Var S = 5 * 4 * 15 / 18 = 50/3; C = 1.959964 * sqrt(50/3) = 8.001519.
  // rank_lower = round((10 - 8.0015) / 2) = round(0.99924) = 1 -> -4;
  // rank_upper = round((10 + 8.0015) / 2 + 1) = round(10.00076) = 10 -> 1.
  // Intercept: y + 1.5 x = 21.5, 21, 23.5, 21, 21.5 -> median 21.5.
  const Trend trend = trend_or_die({20, 18, 19, 15, 14});
  ASSERT_TRUE(trend.estimated());
  EXPECT_EQ(trend.n, 5);
  EXPECT_EQ(trend.n_slopes, 10);
  EXPECT_DOUBLE_EQ(trend.slope, -1.5);
  EXPECT_DOUBLE_EQ(trend.var_s, 50.0 / 3.0);
  EXPECT_NEAR(trend.c, kZ975 * std::sqrt(50.0 / 3.0), 1e-13);
  EXPECT_EQ(trend.rank_lower, 1);
  EXPECT_EQ(trend.rank_upper, 10);
  EXPECT_DOUBLE_EQ(trend.lower, -4.0);
  EXPECT_DOUBLE_EQ(trend.upper, 1.0);
  EXPECT_DOUBLE_EQ(trend.intercept, 21.5);
  EXPECT_TRUE(trend.interval_includes_zero());
}

TEST(Trend, PerfectlyLinearSeriesHasExactSlopeAndDegenerateInterval) {
  // y = 3 + 2x for sessions 1..8: every pairwise slope is 2. N = 28, Var S = 8*7*21/18,
  // C = 15.84, ranks round(6.08) = 6 and round(22.92) = 23, both slope 2.
  const Trend trend = trend_or_die({5, 7, 9, 11, 13, 15, 17, 19});
  EXPECT_EQ(trend.n_slopes, 28);
  EXPECT_DOUBLE_EQ(trend.slope, 2.0);
  EXPECT_EQ(trend.rank_lower, 6);
  EXPECT_EQ(trend.rank_upper, 23);
  EXPECT_DOUBLE_EQ(trend.lower, 2.0);
  EXPECT_DOUBLE_EQ(trend.upper, 2.0);
  EXPECT_DOUBLE_EQ(trend.intercept, 3.0);
  EXPECT_FALSE(trend.interval_includes_zero());
}

TEST(Trend, TiesInTheScoresShrinkTheVarianceOfS) {
  // Scores 12, 11, 11, 9, 10, 8, 8, 8: tie groups 11 (t = 2) and 8 (t = 3).
  // Var S = (8*7*21 - 2*1*9 - 3*2*11) / 18 = (1176 - 18 - 66) / 18 = 182/3.
  // C = 1.959964 * sqrt(182/3) = 15.2659: ranks round(6.367) = 6, round(22.633) = 23.
  // Ordered slopes: -2, -2, -1, -1, -1, -1, -1, -4/5, -3/4, -3/4, -2/3, -2/3, -3/5, -3/5,
  // -4/7, -1/2 x5, -1/3, -1/3, -1/4, 0, 0, 0, 0, 1.
  // Median = (14th + 15th) / 2 = (-3/5 - 4/7) / 2 = -41/70; 6th = -1; 23rd = -1/4.
  // Intercept = median of y + 41/70 x = 1733/140.
  const Trend trend = trend_or_die({12, 11, 11, 9, 10, 8, 8, 8});
  EXPECT_DOUBLE_EQ(trend.var_s, 182.0 / 3.0);
  EXPECT_EQ(trend.rank_lower, 6);
  EXPECT_EQ(trend.rank_upper, 23);
  EXPECT_DOUBLE_EQ(trend.slope, (-3.0 / 5.0 + -4.0 / 7.0) / 2.0);
  EXPECT_DOUBLE_EQ(trend.lower, -1.0);
  EXPECT_DOUBLE_EQ(trend.upper, -0.25);
  EXPECT_NEAR(trend.intercept, 1733.0 / 140.0, 1e-12);
}

TEST(Trend, MissingScoresAreSkippedAndSessionsKeepTheirNumbers) {
  // Sessions 1, 3, 5 with scores 10, 14, 18: slopes 4/2, 8/4, 4/2, all 2.
  const Trend trend = trend_or_die({10, kMissing, 14, kMissing, 18});
  EXPECT_EQ(trend.n, 3);
  EXPECT_EQ(trend.n_slopes, 3);
  EXPECT_DOUBLE_EQ(trend.slope, 2.0);
  EXPECT_DOUBLE_EQ(trend.intercept, 8.0);
}

TEST(Trend, FewScoresLeaveTheIntervalUnbounded) {
  // n = 3: N = 3, Var S = 3*2*11/18, C = 3.753; rank_lower = round(-0.38) = 0 and
  // rank_upper = round(4.38) = 4 fall outside 1..3 (sens.slope would index out of range).
  const Trend three = trend_or_die({10, 14, 18});
  EXPECT_EQ(three.rank_lower, 0);
  EXPECT_EQ(three.rank_upper, 4);
  EXPECT_EQ(three.lower, -kInf);
  EXPECT_EQ(three.upper, kInf);
  EXPECT_TRUE(three.interval_includes_zero());
  // n = 4: N = 6, C = 5.77; ranks round(0.11) = 0 and round(6.89) = 7.
  const Trend four = trend_or_die({10, 14, 18, 22});
  EXPECT_EQ(four.lower, -kInf);
  EXPECT_EQ(four.upper, kInf);
}

TEST(Trend, FewerThanThreeScoresIsInsufficientNotAnError) {
  for (const std::vector<double>& scores :
       {std::vector<double>{}, std::vector<double>{12}, std::vector<double>{12, kMissing, 10},
        std::vector<double>{kMissing, kMissing, kMissing, kMissing}}) {
    const Trend trend = trend_or_die(scores);
    EXPECT_EQ(trend.state, TrendState::kInsufficientData);
    EXPECT_FALSE(trend.estimated());
    EXPECT_TRUE(std::isnan(trend.slope));
    EXPECT_FALSE(trend.interval_includes_zero());
  }
  EXPECT_EQ(trend_or_die({12, kMissing, 10}).n, 2);
}

TEST(Trend, AllScoresEqualGivesAZeroSlopeAndAZeroInterval) {
  const Trend trend = trend_or_die({9, 9, 9, 9, 9, 9});
  EXPECT_DOUBLE_EQ(trend.var_s, 0.0);
  EXPECT_DOUBLE_EQ(trend.slope, 0.0);
  EXPECT_DOUBLE_EQ(trend.lower, 0.0);
  EXPECT_DOUBLE_EQ(trend.upper, 0.0);
  EXPECT_TRUE(trend.interval_includes_zero());
}

TEST(Trend, ConfidenceLevelWidensTheInterval) {
  const std::vector<double> scores = {12, 11, 11, 9, 10, 8, 8, 8};
  const Trend narrow = trend_or_die(scores, {.confidence = 0.8});
  const Trend wide = trend_or_die(scores, {.confidence = 0.99});
  EXPECT_NEAR(narrow.c, normal_quantile(0.9) * std::sqrt(182.0 / 3.0), 1e-13);
  EXPECT_LE(wide.lower, narrow.lower);
  EXPECT_GE(wide.upper, narrow.upper);
  EXPECT_DOUBLE_EQ(wide.slope, narrow.slope);
}

TEST(Trend, RejectsInfiniteScoresAndBadConfidence) {
  Result<Trend> infinite = theil_sen_trend(std::vector<double>{3, 4, kInf, 5});
  ASSERT_FALSE(infinite.has_value());
  EXPECT_EQ(infinite.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(infinite.error().field(), "score");
  EXPECT_NE(infinite.error().message().find("session 3"), std::string::npos);
  for (const double confidence : {0.0, 1.0, kMissing}) {
    Result<Trend> result =
        theil_sen_trend(std::vector<double>{1, 2, 3}, {.confidence = confidence});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().field(), "confidence");
  }
}

// A reference written the slow, obvious way: sort everything.
Trend reference_trend(const std::vector<double>& scores) {
  std::vector<double> x;
  std::vector<double> y;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (std::isnan(scores[i])) continue;
    x.push_back(double(i + 1));
    y.push_back(scores[i]);
  }
  Trend trend;
  trend.n = static_cast<int>(y.size());
  if (y.size() < 3) return trend;
  trend.state = TrendState::kEstimated;
  std::vector<double> d;
  for (std::size_t i = 0; i < y.size(); ++i) {
    for (std::size_t j = i + 1; j < y.size(); ++j) d.push_back((y[j] - y[i]) / (x[j] - x[i]));
  }
  std::sort(d.begin(), d.end());
  const std::size_t k = d.size();
  trend.n_slopes = static_cast<int>(k);
  trend.slope = k % 2 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2.0;
  std::map<double, int> counts;
  for (const double v : y) ++counts[v];
  double ties = 0.0;
  for (const auto& [value, t] : counts) ties += double(t) * (t - 1) * (2 * t + 5);
  const auto n = static_cast<double>(y.size());
  trend.var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0;
  trend.c = kZ975 * std::sqrt(trend.var_s);
  trend.rank_lower = static_cast<int>(std::nearbyint((double(k) - trend.c) / 2.0));
  trend.rank_upper = static_cast<int>(std::nearbyint((double(k) + trend.c) / 2.0 + 1.0));
  trend.lower = trend.rank_lower >= 1 ? d[trend.rank_lower - 1] : -kInf;
  trend.upper = kInf;
  if (trend.rank_upper <= static_cast<int>(k)) trend.upper = d[trend.rank_upper - 1];
  std::vector<double> r;
  for (std::size_t i = 0; i < y.size(); ++i) r.push_back(y[i] - trend.slope * x[i]);
  std::sort(r.begin(), r.end());
  trend.intercept = r.size() % 2 ? r[r.size() / 2] : (r[r.size() / 2 - 1] + r[r.size() / 2]) / 2.0;
  return trend;
}

TEST(Trend, ReusedEstimatorAgreesWithAFullSortOnRandomSeries) {
  std::mt19937 rng(20240602);
  std::uniform_int_distribution<int> length(0, 30);
  std::uniform_int_distribution<int> score(0, 27);
  std::bernoulli_distribution missing(0.2);
  TrendEstimator estimator(12);
  for (int series = 0; series < 2000; ++series) {
    std::vector<double> scores(static_cast<std::size_t>(length(rng)));
    for (double& s : scores) s = missing(rng) ? kMissing : score(rng);
    Result<Trend> got = estimator.estimate(scores);
    ASSERT_TRUE(got.has_value());
    const Trend want = reference_trend(scores);
    ASSERT_EQ(got->state, want.state) << series;
    ASSERT_EQ(got->n, want.n);
    if (!want.estimated()) continue;
    EXPECT_EQ(got->n_slopes, want.n_slopes);
    EXPECT_EQ(got->slope, want.slope) << series;
    EXPECT_EQ(got->var_s, want.var_s);
    EXPECT_EQ(got->rank_lower, want.rank_lower);
    EXPECT_EQ(got->rank_upper, want.rank_upper);
    EXPECT_EQ(got->lower, want.lower) << series;
    EXPECT_EQ(got->upper, want.upper) << series;
    EXPECT_EQ(got->intercept, want.intercept) << series;
  }
}

TEST(Trend, ReusedEstimatorMakesNoHeapAllocationInTheBulkPath) {
  TrendEstimator estimator(30);
  const std::vector<std::vector<double>> clients = {
      {20, 18, kMissing, 15, 14, 12, 13, 11, 10, kMissing, 9, 9},
      {12, 13, 11, 12, 13, 12, 11, 12, 12, 13, 12, 12},
      {5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27},
  };
  const SteadinessOptions options{.reliable_change = 6.0};
  const long before = g_allocations.load();
  double checksum = 0.0;
  for (int round = 0; round < 1000; ++round) {
    for (const std::vector<double>& scores : clients) {
      Result<Steadiness> result = estimator.steadiness(scores, options);
      checksum += result->trend.slope;
    }
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_TRUE(std::isfinite(checksum));
  // The counter is live: a fresh estimator does allocate its buffers.
  { const TrendEstimator fresh(12); }
  EXPECT_GT(g_allocations.load() - before, 0);
}

// --- steadiness --------------------------------------------------------------------------

TEST(Steadiness, FlatNoisySeriesIsSteady) {
  // PHQ-9-like scores around 12, reliable change 6. Window = sessions 5..8 (13, 12, 11, 12):
  // change -1. Slope 0 with interval [-2/5, 1/4] (ranks 7 and 22 of 28).
  const Steadiness s = steadiness_or_die({12, 13, 11, 12, 13, 12, 11, 12}, 6.0);
  EXPECT_EQ(s.state, SteadyState::kSteady);
  EXPECT_TRUE(s.steady());
  EXPECT_EQ(s.window_first_session, 5);
  EXPECT_EQ(s.window_last_session, 8);
  EXPECT_DOUBLE_EQ(s.window_first_score, 13.0);
  EXPECT_DOUBLE_EQ(s.window_last_score, 12.0);
  EXPECT_DOUBLE_EQ(s.change, -1.0);
  EXPECT_DOUBLE_EQ(s.threshold, 6.0);
  EXPECT_FALSE(s.reliable_change);
  EXPECT_DOUBLE_EQ(s.trend.slope, 0.0);
  EXPECT_DOUBLE_EQ(s.trend.lower, -0.4);
  EXPECT_DOUBLE_EQ(s.trend.upper, 0.25);
}

TEST(Steadiness, StrictlyImprovingSeriesIsNotSteady) {
  // Window 12, 10, 8, 6: change -6, reliable at threshold 6; slope -2, interval [-2, -2].
  const Steadiness s = steadiness_or_die({20, 18, 16, 14, 12, 10, 8, 6}, 6.0);
  EXPECT_EQ(s.state, SteadyState::kNotSteady);
  EXPECT_DOUBLE_EQ(s.change, -6.0);
  EXPECT_TRUE(s.reliable_change);
  EXPECT_FALSE(s.trend.interval_includes_zero());
}

TEST(Steadiness, RecentPlateauAfterImprovementIsNotSteadyWhileTheSlopeExcludesZero) {
  // Window 12, 11, 10, 10: change -2, not reliable; but the slope interval over all
  // sessions is [-2, -1] (ranks 6 and 23 of 28).
  const Steadiness s = steadiness_or_die({20, 18, 16, 14, 12, 11, 10, 10}, 6.0);
  EXPECT_FALSE(s.reliable_change);
  EXPECT_DOUBLE_EQ(s.trend.lower, -2.0);
  EXPECT_DOUBLE_EQ(s.trend.upper, -1.0);
  EXPECT_EQ(s.state, SteadyState::kNotSteady);
}

TEST(Steadiness, ReliableChangeInTheWindowIsNotSteadyEvenWhenTheSlopeIncludesZero) {
  // GAD-7-like, threshold 4. Window 9, 11, 10, 4: change -5. Slope interval [-7/2, 2].
  const Steadiness s = steadiness_or_die({10, 12, 9, 11, 10, 4}, 4.0);
  EXPECT_TRUE(s.reliable_change);
  EXPECT_TRUE(s.trend.interval_includes_zero());
  EXPECT_DOUBLE_EQ(s.trend.lower, -3.5);
  EXPECT_DOUBLE_EQ(s.trend.upper, 2.0);
  EXPECT_EQ(s.state, SteadyState::kNotSteady);
}

TEST(Steadiness, AChangeOfExactlyTheThresholdIsReliable) {
  const Steadiness s = steadiness_or_die({10, 12, 9, 11, 10, 4}, 5.0);
  EXPECT_TRUE(s.reliable_change);
  EXPECT_EQ(s.state, SteadyState::kNotSteady);
  EXPECT_EQ(steadiness_or_die({10, 12, 9, 11, 10, 4}, 5.5).state, SteadyState::kSteady);
}

TEST(Steadiness, WindowCountsNonMissingScores) {
  // Non-missing sessions 1, 3, 4, 6, 7; the last four are 3, 4, 6, 7 (11, 10, 11, 10).
  const Steadiness s = steadiness_or_die({10, kMissing, 11, 10, kMissing, 11, 10}, 6.0);
  EXPECT_EQ(s.window_first_session, 3);
  EXPECT_EQ(s.window_last_session, 7);
  EXPECT_DOUBLE_EQ(s.change, -1.0);
  EXPECT_DOUBLE_EQ(s.trend.var_s, 12.0);  // (300 - 66 - 18) / 18
  EXPECT_EQ(s.state, SteadyState::kSteady);
}

TEST(Steadiness, TooFewScoresIsInsufficient) {
  // Three scores: a trend, but not a window of four.
  const Steadiness three = steadiness_or_die({12, kMissing, 12, 13}, 6.0);
  EXPECT_EQ(three.state, SteadyState::kInsufficientData);
  EXPECT_TRUE(three.trend.estimated());
  EXPECT_EQ(three.window_first_session, 0);
  EXPECT_FALSE(three.steady());
  // Two scores with a window of two: no trend.
  EXPECT_EQ(steadiness_or_die({12, 13}, 6.0, 2).state, SteadyState::kInsufficientData);
  // A window of three on three scores is enough.
  EXPECT_NE(steadiness_or_die({12, 12, 13}, 6.0, 3).state, SteadyState::kInsufficientData);
}

TEST(Steadiness, RequiresAThresholdAndAWindowOfAtLeastTwo) {
  const std::vector<double> scores = {1, 2, 3, 4};
  Result<Steadiness> no_threshold = assess_steadiness(scores, {});
  ASSERT_FALSE(no_threshold.has_value());
  EXPECT_EQ(no_threshold.error().field(), "reliable_change");
  Result<Steadiness> window = assess_steadiness(scores, {.reliable_change = 6, .window = 1});
  ASSERT_FALSE(window.has_value());
  EXPECT_EQ(window.error().field(), "window");
  Result<Steadiness> infinite =
      assess_steadiness(std::vector<double>{1, -kInf, 3}, {.reliable_change = 6});
  ASSERT_FALSE(infinite.has_value());
  EXPECT_EQ(infinite.error().field(), "score");
}

}  // namespace
}  // namespace tandem::core
