#include "core/goal_based_outcomes.hpp"

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <string>

#include "core/series.hpp"

namespace tandem::core {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool in_range(double rating) { return rating >= kGboMinRating && rating <= kGboMaxRating; }

Status check_ratings(const GboRatings& ratings, std::size_t index) {
  for (const double rating : {ratings.first, ratings.last}) {
    if (!is_missing(rating) && !in_range(rating)) {
      return Status::invalid_argument(
          "goal " + std::to_string(index + 1) + ": rating must be from 0 to 10", "rating");
    }
  }
  return Status::ok();
}

GboCategory categorise(double change, double threshold) {
  if (change >= threshold) return GboCategory::kReliableImprovement;
  if (change <= -threshold) return GboCategory::kReliableDeterioration;
  return GboCategory::kNoReliableChange;
}

}  // namespace

GboRatings first_and_last_ratings(std::span<const double> ratings) {
  GboRatings result{kNaN, kNaN};
  bool found_first = false;
  for (const double rating : ratings) {
    if (is_missing(rating)) continue;
    if (found_first) {
      result.last = rating;
    } else {
      result.first = rating;
      found_first = true;
    }
  }
  return result;
}

Result<GboResult> goal_based_outcomes(std::span<const GboRatings> goals,
                                      const GboOptions& options) {
  if (!(std::isfinite(options.reliable_change) && options.reliable_change > 0.0)) {
    return fail(Status::invalid_argument("the reliable-change threshold must be a positive number",
                                         "reliable_change"));
  }
  for (std::size_t i = 0; i < goals.size(); ++i) {
    if (Status status = check_ratings(goals[i], i); !status.is_ok()) return fail(status);
  }

  GboResult result;
  result.threshold = options.reliable_change;
  result.n_goals = static_cast<int>(goals.size());
  result.goals.reserve(goals.size());
  double sum_change = 0.0;
  for (std::size_t i = 0; i < goals.size(); ++i) {
    GboGoalChange goal;
    goal.goal = static_cast<int>(i + 1);
    goal.first = goals[i].first;
    goal.last = goals[i].last;
    if (is_missing(goal.first) || is_missing(goal.last)) {
      goal.change = kNaN;
    } else {
      goal.change = goal.last - goal.first;
      goal.category = categorise(goal.change, options.reliable_change);
      ++result.n_assessed;
      sum_change += goal.change;
      if (goal.category == GboCategory::kReliableImprovement) ++result.n_reliably_improved;
      if (goal.category == GboCategory::kReliableDeterioration) ++result.n_reliably_deteriorated;
    }
    result.goals.push_back(goal);
  }
  result.mean_change = result.n_assessed > 0 ? sum_change / result.n_assessed : kNaN;
  return result;
}

}  // namespace tandem::core
