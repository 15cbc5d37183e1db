// Reliable change from a growth model (clinicalsignificance's "HLM" method): a linear mixed
// model score ~ time + (time | client) fitted by REML, as lme4::lmer does it, and each
// client's RCI = conditional mode of their random slope / its conditional SD (quirk C9: the
// deviation from the average slope, not the client's own slope). No matrix library: the
// per-client blocks are 2 x 2 and handled in closed form. Pure; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "core/clinical_significance.hpp"
#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

// Every client's scores in one column, client i at [offsets[i], offsets[i + 1]), in time
// order; a missing score is kMissing (its time is ignored). offsets has clients + 1 entries.
struct LongitudinalData {
  std::span<const double> time;
  std::span<const double> score;
  std::span<const std::size_t> offsets;
};

struct HlmOptions {
  // clinicalsignificance drops clients with fewer than three non-missing scores before fitting.
  std::size_t min_scores = 3;
  CutoffType cutoff = CutoffType::kC;
  double functional_mean = kMissing;
  double functional_sd = kMissing;
  // Clinical norms for the cut-off; NaN: mean / SD of the included clients' first scores (C2).
  double clinical_mean = kMissing;
  double clinical_sd = kMissing;
  // Rules for the categories; the default critical value here is two-sided, qnorm(.975).
  ClinicalSignificanceRules rules = clinicalsignificance_rules(Direction::kLowerIsBetter);
};

// The fitted model. theta is lme4's relative covariance factor, lower triangular
// [[theta0, 0], [theta1, theta2]]; the random-effect covariance is sigma^2 * Lambda Lambda'.
struct HlmFit {
  std::array<double, 2> beta{kMissing, kMissing};  // fixed intercept and slope
  double sigma = kMissing;                         // residual SD (REML)
  std::array<double, 3> theta{kMissing, kMissing, kMissing};
  double var_intercept = kMissing;
  double cov_intercept_slope = kMissing;
  double var_slope = kMissing;
  double reml_deviance = kMissing;
  std::size_t n_clients = 0;
  std::size_t n_observations = 0;
  int evaluations = 0;
};

struct HlmClient {
  std::size_t n = 0;             // non-missing scores
  double pre = kMissing;         // first non-missing score
  double post = kMissing;        // last non-missing score
  double slope_mode = kMissing;  // conditional mode of the random slope
  double slope_sd = kMissing;    // its conditional SD (given the fixed effects)
  ClinicalOutcome outcome;       // outcome.rci = slope_mode / slope_sd
};

struct HlmAnalysis {
  HlmFit fit;
  double cutoff = kMissing;
  // In input order; nullopt for clients with fewer than min_scores scores (or, if the fit has
  // no random-slope variance, an undefined index).
  std::vector<std::optional<HlmClient>> clients;
};

// Fits the model once (profiled REML deviance minimised over theta by Nelder-Mead) and
// classifies every client. Allocates the per-client results and one block of sufficient
// statistics; nothing per optimiser step.
Result<HlmAnalysis> analyse_hlm(const LongitudinalData& data, const HlmOptions& options);

}  // namespace tandem::core
