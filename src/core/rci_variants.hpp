// Sample-estimated reliable change: the RCI variants of clinicalsignificance (Jacobson &
// Truax, Gulliksen-Lord-Novick, Hsu-Linn-Lord, Edwards-Nunnally, Nunnally-Kotsch, Hageman &
// Arrindell) whose means, SDs and pre-post correlation come from the sample itself. The
// sample statistics are computed once; each client is then evaluated without allocation.
// Pure functions and immutable values; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clinical_significance.hpp"
#include "core/reliable_change.hpp"
#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

enum class RciMethod : std::uint8_t {
  kJacobsonTruax,        // JT: Jacobson & Truax 1991
  kGulliksenLordNovick,  // GLN: Hsu 1989
  kHsuLinnLord,          // HLL: Hsu 1989
  kEdwardsNunnally,      // EN: Speer 1992
  kNunnallyKotsch,       // NK: Nunnally & Kotsch 1983
  kHagemanArrindell,     // HA: Hageman & Arrindell 1999
};

// "JT", "GLN", "HLL", "EN", "NK", "HA" (clinicalsignificance's codes) and back.
std::string_view method_code(RciMethod method);
std::optional<RciMethod> parse_method(std::string_view code);
std::string_view cutoff_code(CutoffType type);  // "a", "b", "c"
std::optional<CutoffType> parse_cutoff(std::string_view code);

// Complete-case sample statistics (clinicalsignificance quirk C6: a pair with either score
// missing is dropped). SDs are n - 1 sample SDs; r12 is the Pearson pre-post correlation.
struct SampleStatistics {
  std::size_t n_original = 0;
  std::size_t n_used = 0;
  double m_pre = kMissing;
  double sd_pre = kMissing;
  double m_post = kMissing;
  double sd_post = kMissing;
  double r12 = kMissing;
};

// Fails (FailedPrecondition) with fewer than two complete pairs or a zero pre SD.
Result<SampleStatistics> complete_case_statistics(std::span<const double> pre,
                                                  std::span<const double> post);

// Columns of a client list; ids may be empty, otherwise the same length as pre and post.
struct ClientList {
  std::span<const std::string> ids;
  std::span<const double> pre;
  std::span<const double> post;
};

struct SampleOptions {
  RciMethod method = RciMethod::kJacobsonTruax;
  CutoffType cutoff = CutoffType::kC;
  double reliability = kMissing;
  // Nunnally & Kotsch's reliability at post; NaN: `reliability` (clinicalsignificance's
  // cs_distribution default; cs_combined fails without it, quirk C8).
  double reliability_post = kMissing;
  double functional_mean = kMissing;
  double functional_sd = kMissing;
  // Clinical population for the cut-offs; NaN: the sample's complete-case pre mean / SD
  // (what clinicalsignificance always does, quirk C2).
  double clinical_mean = kMissing;
  double clinical_sd = kMissing;
  // SD in the RCI denominators; NaN: the complete-case pre SD. MDMA uses the SD of every
  // non-missing pre score instead (pass moments(pre).sd).
  double rci_sd = kMissing;
  // A given cut-off score that replaces a / b / c (rciplot's recovery_cutoff); NaN: none.
  double given_cutoff = kMissing;
  ClinicalSignificanceRules rules;
};

// The values a run used, as clinicalsignificance reports them; NaN where the peer leaves the
// column empty (JT: s_diff; GLN, HLL: se_prediction; EN: se_measurement; NK: none;
// HA: se_measurement, r_dd). `denominator` is the RCI's denominator for every method.
struct MethodParameters {
  double cutoff = kMissing;
  double critical_value = kMissing;
  double s_diff = kMissing;
  double se_prediction = kMissing;
  double se_measurement = kMissing;
  double r_dd = kMissing;
  double denominator = kMissing;
};

// One method with everything per-client evaluation needs, computed once from the sample.
class SampleMethod {
 public:
  static Result<SampleMethod> make(const SampleStatistics& statistics,
                                   const SampleOptions& options);

  [[nodiscard]] const MethodParameters& parameters() const { return parameters_; }
  [[nodiscard]] RciMethod method() const { return method_; }

  // The method's index for one pair; NaN when a score is missing.
  [[nodiscard]] double index(const PrePost& pair) const;

  // Index, cut-off tests and category; nullopt when pre or post is missing.
  [[nodiscard]] std::optional<ClinicalOutcome> evaluate(const PrePost& pair) const;

 private:
  SampleMethod() = default;

  RciMethod method_ = RciMethod::kJacobsonTruax;
  ClinicalSignificanceRules rules_;
  MethodParameters parameters_;
  double m_pre_ = kMissing;
  double m_post_ = kMissing;
  double reliability_ = kMissing;
  // Hageman & Arrindell's CS_ind: reliability of post scores and the clinical SE.
  double r_post_true_ = kMissing;
  double se_clinical_ = kMissing;
};

struct SampleAnalysis {
  SampleStatistics statistics;
  MethodParameters parameters;
  // In input order; nullopt for the pairs dropped as incomplete.
  std::vector<std::optional<ClinicalOutcome>> clients;
};

// Sample statistics once, then every client. One allocation (the result vector).
Result<SampleAnalysis> analyse_sample(const ClientList& clients, const SampleOptions& options);

// --- Peer presets -------------------------------------------------------------------------

// clinicalsignificance 3.0.0.9000 cs_combined(): norms from the sample (C2), clinicalsignificance
// rules (C3-C5).
SampleOptions clinicalsignificance_options(RciMethod method, CutoffType cutoff, double reliability,
                                           double functional_mean, double functional_sd,
                                           Direction direction);

// JTRCI 0.1.0: JT with the sample's complete-case pre SD; criterion A from the given clinical
// norms (the sample's when NaN), B = M0 -/+ 2 s0, C always from the sample's pre mean and SD.
SampleOptions jtrci_options(CutoffType criterion, const Norms& given, double reliability,
                            Direction direction);

// rciplot 0.1.1: JT with the sample's pre SD (pass complete cases), qnorm(.975), strict, the
// user's recovery_cutoff as the only cut-off.
SampleOptions rciplot_options(double recovery_cutoff, double reliability, Direction direction);

}  // namespace tandem::core
