// Goal-Based Outcomes (Law & Jacob 2015): change on 0-10 goal ratings (higher is better),
// per goal and across a client's goals, with the CORC reliable-change threshold.
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "core/status.hpp"

namespace tandem::core {

// Reliable change on a 0-10 goal rating, as used by CORC (Edbrooke-Childs, Jacob, Law,
// Deighton & Wolpert 2015). On whole-number ratings it means a change of 3 points or more.
inline constexpr double kGboReliableChange = 2.45;
inline constexpr double kGboMinRating = 0.0;
inline constexpr double kGboMaxRating = 10.0;

// A goal's first and last rating; NaN (kMissing) when there is none.
struct GboRatings {
  double first;
  double last;
};

// The first and last non-missing ratings of one goal's series (NaN marks a missed
// rating). With fewer than two ratings there is no change to measure: last is NaN.
GboRatings first_and_last_ratings(std::span<const double> ratings);

enum class GboCategory {
  kNotAssessable,  // first or last rating missing
  kReliableImprovement,
  kNoReliableChange,
  kReliableDeterioration,
};

struct GboGoalChange {
  int goal = 0;  // 1-based position in the input
  double first = 0.0;
  double last = 0.0;
  double change = 0.0;  // last - first; NaN when not assessable
  GboCategory category = GboCategory::kNotAssessable;
};

struct GboOptions {
  double reliable_change = kGboReliableChange;  // > 0
};

struct GboResult {
  std::vector<GboGoalChange> goals;  // one per input goal, in input order
  double threshold = 0.0;            // the reliable-change threshold applied
  int n_goals = 0;
  int n_assessed = 0;  // goals with both ratings
  int n_reliably_improved = 0;
  int n_reliably_deteriorated = 0;
  double mean_change = 0.0;  // over assessed goals; NaN when none
};

// Change = last - first. Reliable improvement when change >= threshold, reliable
// deterioration when change <= -threshold (a change of exactly the threshold counts).
// InvalidArgument naming the goal (1-based) when a present rating is outside 0..10, and
// when the threshold is not a positive finite number.
Result<GboResult> goal_based_outcomes(std::span<const GboRatings> goals,
                                      const GboOptions& options = {});

}  // namespace tandem::core
