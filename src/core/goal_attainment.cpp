#include "core/goal_attainment.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>

#include "core/series.hpp"

namespace tandem::core {
namespace {

std::string goal_label(std::size_t index) { return "goal " + std::to_string(index + 1); }

Status check_goal(const GasGoal& goal, std::size_t index) {
  if (!is_missing(goal.score)) {
    const bool whole = std::isfinite(goal.score) && std::trunc(goal.score) == goal.score;
    if (!whole || goal.score < kGasMinScore || goal.score > kGasMaxScore) {
      return Status::invalid_argument(
          goal_label(index) + ": score must be a whole number from -2 to +2", "score");
    }
  }
  if (!is_missing(goal.weight) && (!std::isfinite(goal.weight) || goal.weight < 0.0)) {
    return Status::invalid_argument(
        goal_label(index) + ": weight must be a finite number of at least 0", "weight");
  }
  return Status::ok();
}

// gasr sets the weights to 1 before it drops missing values when none are given.
double effective_weight(const GasGoal& goal, bool weighted) { return weighted ? goal.weight : 1.0; }

bool counts(const GasGoal& goal, bool weighted) {
  return !is_missing(goal.score) && !is_missing(effective_weight(goal, weighted));
}

}  // namespace

Result<GasResult> gas_t_score(std::span<const GasGoal> goals, const GasOptions& options) {
  if (!(options.rho >= 0.0 && options.rho <= 1.0)) {
    return fail(Status::invalid_argument("rho must be between 0 and 1", "rho"));
  }
  for (std::size_t i = 0; i < goals.size(); ++i) {
    if (Status status = check_goal(goals[i], i); !status.is_ok()) return fail(std::move(status));
  }

  GasResult result;
  result.n_goals = static_cast<int>(goals.size());
  bool all_weights_zero = true;
  for (const GasGoal& goal : goals) {
    if (!counts(goal, options.weighted)) continue;
    ++result.n_scored;
    if (effective_weight(goal, options.weighted) != 0.0) all_weights_zero = false;
  }
  if (result.n_scored == 0) {
    // gasr: 50 + 0 / sqrt(0) is NaN.
    result.t_score = std::numeric_limits<double>::quiet_NaN();
    return result;
  }
  result.zero_weights_set_to_one = all_weights_zero && options.weighted;

  double sum_wx = 0.0;
  double sum_w = 0.0;
  double sum_w2 = 0.0;
  for (const GasGoal& goal : goals) {
    if (!counts(goal, options.weighted)) continue;
    const double w = all_weights_zero ? 1.0 : effective_weight(goal, options.weighted);
    sum_wx += w * goal.score;
    sum_w += w;
    sum_w2 += w * w;
  }
  result.sum_weighted_scores = sum_wx;
  result.denominator = std::sqrt((1.0 - options.rho) * sum_w2 + options.rho * sum_w * sum_w);
  result.t_score = 50.0 + 10.0 * sum_wx / result.denominator;
  return result;
}

}  // namespace tandem::core
