// Goal Attainment Scaling (Kiresuk & Sherman 1968): one T-score from a client's goals,
// each scored -2..+2, weighted or not. Missing goals are handled as gasr 0.5.1's
// calc_tscore() handles them, so results match that peer. Pure functions; thread-safe.
#pragma once

#include <span>

#include "core/status.hpp"

namespace tandem::core {

// The assumed average correlation between goal scales, by convention (Kiresuk & Sherman
// 1968; gasr's default).
inline constexpr double kGasDefaultRho = 0.3;
// Goal attainment levels run from -2 (much less than expected) to +2 (much more).
inline constexpr double kGasMinScore = -2.0;
inline constexpr double kGasMaxScore = 2.0;

// One goal. NaN marks a missing score or weight (kMissing).
struct GasGoal {
  double score;
  double weight;
};

struct GasOptions {
  double rho = kGasDefaultRho;  // in [0, 1]
  bool weighted = true;         // false: every weight is 1, whatever was supplied
};

struct GasResult {
  int n_goals = 0;   // goals supplied, scored or not (the peer file's n_goals)
  int n_scored = 0;  // goals that entered the T-score
  // Weighted call whose scored goals all had weight 0: gasr then weights them all 1.
  bool zero_weights_set_to_one = false;
  double sum_weighted_scores = 0.0;  // sum of w * x over the scored goals
  double denominator = 0.0;          // sqrt((1 - rho) sum w^2 + rho (sum w)^2)
  double t_score = 0.0;              // NaN when no goal could be scored
};

// T = 50 + 10 * sum(w x) / sqrt((1 - rho) sum(w^2) + rho (sum w)^2).
//
// Missing data, as gasr 0.5.1 calc_tscore(na.rm = TRUE):
//  - weighted: a goal counts when both its score and its weight are present;
//  - unweighted: weights become 1 before the missing check, so only the score matters
//    (a goal with a missing weight still counts);
//  - if every counted weight is 0, all counted weights become 1;
//  - no goal counted: t_score is NaN (gasr's 50 + 0/0); one goal: 50 + 10 x for any rho.
// InvalidArgument (naming the goal by its 1-based position) when a present score is not a
// whole number in -2..+2, a present weight is negative or not finite, or rho is outside
// [0, 1]. gasr checks none of these.
Result<GasResult> gas_t_score(std::span<const GasGoal> goals, const GasOptions& options = {});

}  // namespace tandem::core
