#include "core/trend.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "core/series.hpp"
#include "core/statistics.hpp"

namespace tandem::core {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Median of values, reordering them. R's median: the mean of the two middle values when
// the count is even.
double median_in_place(std::vector<double>& values) {
  const std::size_t half = values.size() / 2;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(half);
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  const double below = *std::max_element(values.begin(), middle);
  return (below + *middle) / 2.0;
}

// R's round() for whole numbers rounds half to even (IEC 60559), as nearbyint does in the
// default rounding mode.
int round_half_even(double value) { return static_cast<int>(std::nearbyint(value)); }

}  // namespace

TrendEstimator::TrendEstimator(int expected_sessions) {
  const auto n = static_cast<std::size_t>(std::max(expected_sessions, 0));
  x_.reserve(n);
  y_.reserve(n);
  scratch_.reserve(n);
  slopes_.reserve(n * (n > 0 ? n - 1 : 0) / 2);
}

Result<Trend> TrendEstimator::estimate(std::span<const double> scores,
                                       const TrendOptions& options) {
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    return fail(Status::invalid_argument("confidence must be between 0 and 1", "confidence"));
  }
  x_.clear();
  y_.clear();
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (is_missing(scores[i])) continue;
    if (!std::isfinite(scores[i])) {
      return fail(Status::invalid_argument(
          "session " + std::to_string(i + 1) + ": score must be a finite number", "score"));
    }
    x_.push_back(static_cast<double>(i + 1));
    y_.push_back(scores[i]);
  }

  Trend trend;
  trend.n = static_cast<int>(y_.size());
  trend.confidence = options.confidence;
  if (trend.n < kTrendMinScores) return trend;
  trend.state = TrendState::kEstimated;

  slopes_.clear();
  for (std::size_t i = 0; i + 1 < y_.size(); ++i) {
    for (std::size_t j = i + 1; j < y_.size(); ++j) {
      slopes_.push_back((y_[j] - y_[i]) / (x_[j] - x_[i]));
    }
  }
  trend.n_slopes = static_cast<int>(slopes_.size());
  trend.slope = median_of_slopes();
  trend.intercept = median_intercept(trend.slope);

  // Sen (1968) / Hollander & Wolfe: C = z * sqrt(Var S); the bounds are the M1-th and
  // (M2 + 1)-th ordered slopes with M1 = (N - C) / 2 and M2 = (N + C) / 2, rounded as
  // trend::sens.slope rounds them.
  const double z = normal_quantile(1.0 - (1.0 - options.confidence) / 2.0);
  trend.var_s = kendall_variance();
  trend.c = z * std::sqrt(trend.var_s);
  const double n_slopes = trend.n_slopes;
  trend.rank_lower = round_half_even((n_slopes - trend.c) / 2.0);
  trend.rank_upper = round_half_even((n_slopes + trend.c) / 2.0 + 1.0);
  trend.lower = trend.rank_lower >= 1 ? order_statistic(trend.rank_lower) : -kInfinity;
  trend.upper = trend.rank_upper <= trend.n_slopes ? order_statistic(trend.rank_upper) : kInfinity;
  return trend;
}

Result<Steadiness> TrendEstimator::steadiness(std::span<const double> scores,
                                              const SteadinessOptions& options) {
  if (!(std::isfinite(options.reliable_change) && options.reliable_change > 0.0)) {
    return fail(Status::invalid_argument("the reliable-change threshold must be a positive number",
                                         "reliable_change"));
  }
  if (options.window < 2) {
    return fail(
        Status::invalid_argument("the steadiness window needs at least 2 scores", "window"));
  }
  Result<Trend> trend = estimate(scores, options.trend);
  if (!trend) return fail(trend.error());

  Steadiness result;
  result.threshold = options.reliable_change;
  result.trend = *trend;

  // Walk back over the last `window` non-missing scores.
  int seen = 0;
  for (std::size_t i = scores.size(); i-- > 0 && seen < options.window;) {
    if (is_missing(scores[i])) continue;
    if (seen == 0) result.window_last_session = static_cast<int>(i + 1);
    result.window_first_session = static_cast<int>(i + 1);
    ++seen;
  }
  if (seen < options.window || !result.trend.estimated()) {
    result.window_first_session = 0;
    result.window_last_session = 0;
    return result;
  }
  result.window_first_score = scores[static_cast<std::size_t>(result.window_first_session - 1)];
  result.window_last_score = scores[static_cast<std::size_t>(result.window_last_session - 1)];
  result.change = result.window_last_score - result.window_first_score;
  result.reliable_change = std::fabs(result.change) >= result.threshold;
  result.state = !result.reliable_change && result.trend.interval_includes_zero()
                     ? SteadyState::kSteady
                     : SteadyState::kNotSteady;
  return result;
}

// Reorders the slopes; order_statistic() does not need them sorted.
double TrendEstimator::median_of_slopes() { return median_in_place(slopes_); }

double TrendEstimator::order_statistic(int rank) {
  const auto nth = slopes_.begin() + (rank - 1);
  std::nth_element(slopes_.begin(), nth, slopes_.end());
  return *nth;
}

// Var(S) = [n (n - 1) (2n + 5) - sum over tie groups t (t - 1) (2t + 5)] / 18
// (Kendall 1975; trend's .varmk), ties taken in the scores.
double TrendEstimator::kendall_variance() {
  scratch_.assign(y_.begin(), y_.end());
  std::sort(scratch_.begin(), scratch_.end());
  double tie_sum = 0.0;
  for (std::size_t start = 0; start < scratch_.size();) {
    std::size_t end = start + 1;
    while (end < scratch_.size() && scratch_[end] == scratch_[start]) ++end;
    const auto t = static_cast<double>(end - start);
    tie_sum += t * (t - 1.0) * (2.0 * t + 5.0);
    start = end;
  }
  const auto n = static_cast<double>(y_.size());
  return (n * (n - 1.0) * (2.0 * n + 5.0) - tie_sum) / 18.0;
}

// Conover's intercept: the median of y - slope * x.
double TrendEstimator::median_intercept(double slope) {
  scratch_.clear();
  for (std::size_t i = 0; i < y_.size(); ++i) scratch_.push_back(y_[i] - slope * x_[i]);
  return median_in_place(scratch_);
}

Result<Trend> theil_sen_trend(std::span<const double> scores, const TrendOptions& options) {
  TrendEstimator estimator(static_cast<int>(scores.size()));
  return estimator.estimate(scores, options);
}

Result<Steadiness> assess_steadiness(std::span<const double> scores,
                                     const SteadinessOptions& options) {
  TrendEstimator estimator(static_cast<int>(scores.size()));
  return estimator.steadiness(scores, options);
}

}  // namespace tandem::core
