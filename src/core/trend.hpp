// Trend and steadiness of one client's scores over sessions: the Theil-Sen slope (Theil
// 1950; Sen 1968) with its Kendall-tau confidence interval, computed as R's
// trend::sens.slope computes it, and "steady" (no reliable change over the recent window
// and a slope interval that includes 0). Steady is information, never a failure.
// TrendEstimator keeps scratch buffers and is not thread-safe: use one per thread and
// reuse it across clients; the free functions are thread-safe but allocate per call.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/status.hpp"

namespace tandem::core {

inline constexpr double kTrendDefaultConfidence = 0.95;
// With fewer than 3 scores there is no trend to speak of.
inline constexpr int kTrendMinScores = 3;
// The recent window that "steady" looks at: the last 4 non-missing scores.
inline constexpr int kSteadyDefaultWindow = 4;

struct TrendOptions {
  double confidence = kTrendDefaultConfidence;  // two-sided, in (0, 1)
};

enum class TrendState : std::int8_t {
  kInsufficientData,  // fewer than kTrendMinScores non-missing scores; no numbers
  kEstimated,
};

// Scores are y, session numbers are x (scores[i] is session i + 1); missing scores are
// skipped, so the sessions that remain keep their numbers.
struct Trend {
  TrendState state = TrendState::kInsufficientData;
  int n = 0;                                                    // non-missing scores used
  int n_slopes = 0;                                             // pairwise slopes, n (n - 1) / 2
  double slope = std::numeric_limits<double>::quiet_NaN();      // median pairwise slope
  double intercept = std::numeric_limits<double>::quiet_NaN();  // median of y - slope * x
  // Confidence interval for the slope: the rank_lower-th and rank_upper-th ordered slopes.
  // A rank outside 1..n_slopes (few scores) leaves that side unbounded: -inf / +inf.
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  double confidence = kTrendDefaultConfidence;
  // Evidence for the interval: Var(S) of the Mann-Kendall statistic with ties in y,
  // C = z * sqrt(Var S), and the ranks round((N - C) / 2) and round((N + C) / 2 + 1).
  double var_s = std::numeric_limits<double>::quiet_NaN();
  double c = std::numeric_limits<double>::quiet_NaN();
  int rank_lower = 0;
  int rank_upper = 0;

  [[nodiscard]] bool estimated() const { return state == TrendState::kEstimated; }
  [[nodiscard]] bool interval_includes_zero() const {
    return estimated() && lower <= 0.0 && upper >= 0.0;
  }
};

struct SteadinessOptions {
  // The measure's reliable-change threshold in score points (PHQ-9: 6, GAD-7: 4); a
  // change of at least this much over the window is reliable. Required: > 0.
  double reliable_change = std::numeric_limits<double>::quiet_NaN();
  int window = kSteadyDefaultWindow;  // non-missing scores, >= 2
  TrendOptions trend = {};
};

enum class SteadyState : std::int8_t {
  kInsufficientData,  // fewer than `window` scores, or no trend
  kSteady,
  kNotSteady,
};

struct Steadiness {
  SteadyState state = SteadyState::kInsufficientData;
  // The recent window: its first and last non-missing scores and their sessions (1-based).
  int window_first_session = 0;
  int window_last_session = 0;
  double window_first_score = std::numeric_limits<double>::quiet_NaN();
  double window_last_score = std::numeric_limits<double>::quiet_NaN();
  double change = std::numeric_limits<double>::quiet_NaN();  // last - first
  double threshold = std::numeric_limits<double>::quiet_NaN();
  bool reliable_change = false;  // |change| >= threshold
  Trend trend;                   // over the whole series; its interval is the slope band

  [[nodiscard]] bool steady() const { return state == SteadyState::kSteady; }
};

// Reusable Theil-Sen estimator. After its buffers have grown to the longest series seen
// (reserve up front to avoid even that), estimating allocates nothing.
class TrendEstimator {
 public:
  explicit TrendEstimator(int expected_sessions = 32);

  // InvalidArgument for an infinite score (naming its session) or a confidence outside
  // (0, 1). Fewer than 3 scores is not an error: the Trend says kInsufficientData.
  Result<Trend> estimate(std::span<const double> scores, const TrendOptions& options = {});

  // Steady: |last - first| over the last `window` non-missing scores is below the
  // reliable-change threshold, and the trend's slope interval includes 0.
  Result<Steadiness> steadiness(std::span<const double> scores, const SteadinessOptions& options);

 private:
  double median_of_slopes();
  double order_statistic(int rank);  // 1-based rank among the slopes
  double kendall_variance();         // from y_, with the tie correction
  double median_intercept(double slope);

  std::vector<double> x_;
  std::vector<double> y_;
  std::vector<double> slopes_;
  std::vector<double> scratch_;
};

Result<Trend> theil_sen_trend(std::span<const double> scores, const TrendOptions& options = {});
Result<Steadiness> assess_steadiness(std::span<const double> scores,
                                     const SteadinessOptions& options);

}  // namespace tandem::core
