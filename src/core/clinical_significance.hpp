// Clinical significance (Jacobson & Truax 1991): the cut-offs a, b and c between the
// clinical and the functional population, and the categories recovered / improved /
// unchanged / deteriorated (and clinicalsignificance's "harmed"). The rules default to the
// paper; presets reproduce the R peers (clinicalsignificance, JTRCI, rciplot), see
// docs/methods/reliable_change.md. Values in, values out, no allocation; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/reliable_change.hpp"
#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

// Means and SDs of the clinical (dysfunctional, M1/s1) and functional (normal, M0/s0)
// populations on the measure.
struct Norms {
  double clinical_mean = kMissing;
  double clinical_sd = kMissing;
  double functional_mean = kMissing;
  double functional_sd = kMissing;
};

enum class CutoffType : std::uint8_t { kA, kB, kC };

// Which SD cut-off b adds to the functional mean. Jacobson & Truax 1991 (p. 13): s0, the
// functional SD. clinicalsignificance 3.0.0.9000 (quirk C3) uses s1, the clinical SD.
enum class CutoffBSd : std::uint8_t { kFunctional, kClinical };

// Jacobson & Truax 1991, p. 13, written for lower-is-better (mirrored for higher-is-better):
//   a = M1 - 2 s1,  b = M0 + 2 s0 (s1 with CutoffBSd::kClinical),  c = (s0 M1 + s1 M0) / (s0 + s1).
double jacobson_truax_cutoff(const Norms& norms, CutoffType type, Direction direction,
                             CutoffBSd b_sd = CutoffBSd::kFunctional);

// Hageman & Arrindell 1999 cut-offs on true scores, as clinicalsignificance computes them:
// each SD is shrunk by sqrt(r) with r = (SD^2 - SE^2) / SD^2 for that population and SE the
// standard error of measurement of the clinical population. For lower-is-better:
//   a = M1 - 2 s1 sqrt(r1),  b = M0 + 2 s0 sqrt(r0) (s1 sqrt(r1) with kClinical),
//   c = (s1 sqrt(r1) M0 + s0 sqrt(r0) M1) / (s1 sqrt(r1) + s0 sqrt(r0)).
double hageman_arrindell_cutoff(const Norms& norms, double se_measurement, CutoffType type,
                                Direction direction, CutoffBSd b_sd = CutoffBSd::kFunctional);

// Reliability of scores with this SD given the standard error of measurement,
// (SD^2 - SE^2) / SD^2 (Hageman & Arrindell 1999, as clinicalsignificance computes it).
double true_score_reliability(double sd, double se_measurement);

enum class Category : std::uint8_t {
  kRecovered,     // reliably improved and crossed into the functional range
  kImproved,      // reliably improved, not recovered
  kUnchanged,     // no reliable change
  kDeteriorated,  // reliably worse (not harmed)
  kHarmed,  // clinicalsignificance: reliably worse, neither clinical before nor functional after
  kNonReliablyRecovered,  // JTRCI / rciplot: functional after without reliable change
};

// How each peer spells the categories (peer files compare them as strings).
enum class CategoryNaming : std::uint8_t { kClinicalSignificance, kJtrci, kRciplot };
std::string_view category_name(Category category,
                               CategoryNaming naming = CategoryNaming::kClinicalSignificance);

// Everything that decides a category besides the scores and the cut-off.
struct ClinicalSignificanceRules {
  Direction direction = Direction::kLowerIsBetter;
  // Two-sided critical value for the RCI (JT, GLN, HLL, EN, NK).
  double critical_value = kJacobsonTruaxCriticalValue;
  // One-sided critical value for Hageman & Arrindell's RC_ind and CS_ind; NaN: qnorm(.95).
  double true_score_critical_value = kMissing;
  // kStrict: |RCI| > crit and post strictly beyond the cut-off; kInclusive: >= and a post
  // exactly at the cut-off counts as functional. A pre score must always lie strictly on the
  // clinical side to count as clinical.
  Comparison comparison = Comparison::kStrict;
  CutoffBSd b_sd = CutoffBSd::kFunctional;
  // Recovered needs a clinical pre score (the client moved from one range to the other).
  bool require_clinical_pre = true;
  // clinicalsignificance's "harmed" (C5): reliably worse with pre not clinical and post not
  // functional. Off: such clients are "deteriorated", as in the paper.
  bool harmed_category = false;
  // JTRCI / rciplot: a functional post score without reliable improvement is its own class.
  bool non_reliable_recovery = false;
};

// The paper: Jacobson & Truax 1991 categories, b = M0 + 2 s0, 1.96, strict, recovered needs a
// clinical pre score, four categories.
ClinicalSignificanceRules jacobson_truax_rules(Direction direction);
// clinicalsignificance 3.0.0.9000 (quirks C3-C5): b = M0 + 2 s1, qnorm(.975) (HA: qnorm(.95)),
// strict, recovered needs a clinical pre score, "harmed".
ClinicalSignificanceRules clinicalsignificance_rules(Direction direction);
// JTRCI 0.1.0: 1.96, inclusive (<= / >=), no clinical pre needed, "non reliably recovered".
ClinicalSignificanceRules jtrci_rules(Direction direction);
// rciplot 0.1.1: qnorm(.975), strict, no clinical pre needed, "non-reliable recovery".
ClinicalSignificanceRules rciplot_rules(Direction direction);

// The per-client answer. Fields a method does not produce stay NaN / false.
struct ClinicalOutcome {
  double rci = kMissing;
  double cs_indiv = kMissing;  // Hageman & Arrindell only: true-score test against the cut-off
  ReliableChange change = ReliableChange::kNone;
  bool clinical_pre = false;
  bool functional_post = false;
  bool clinical_post = false;  // Hageman & Arrindell only
  Category category = Category::kUnchanged;
};

// Pre strictly on the clinical side of the cut-off.
bool is_clinical(double score, double cutoff, Direction direction);
// Post beyond (kStrict) or at or beyond (kInclusive) the cut-off on the functional side.
bool is_functional(double score, double cutoff, Direction direction, Comparison comparison);

// The category from the three facts it depends on.
Category categorize(ReliableChange change, bool clinical_pre, bool functional_post,
                    const ClinicalSignificanceRules& rules);

// Jacobson & Truax with given norms: RCI with S_diff from `rci_sd` (normally s1, the clinical
// SD), cut-off from the norms. Built once, applied per client.
class JacobsonTruaxClassifier {
 public:
  // rci_sd NaN: norms.clinical_sd.
  static Result<JacobsonTruaxClassifier> make(const Norms& norms, double reliability,
                                              CutoffType type,
                                              const ClinicalSignificanceRules& rules,
                                              double rci_sd = kMissing);

  [[nodiscard]] double cutoff() const { return cutoff_; }
  [[nodiscard]] const JacobsonTruaxIndex& index() const { return index_; }
  [[nodiscard]] const ClinicalSignificanceRules& rules() const { return rules_; }

  // nullopt when pre or post is missing.
  [[nodiscard]] std::optional<ClinicalOutcome> evaluate(const PrePost& pair) const;

 private:
  JacobsonTruaxClassifier(JacobsonTruaxIndex index, double cutoff,
                          const ClinicalSignificanceRules& rules)
      : index_(index), cutoff_(cutoff), rules_(rules) {}

  JacobsonTruaxIndex index_;
  double cutoff_;
  ClinicalSignificanceRules rules_;
};

// Classifies a pair whose index was computed elsewhere (any RCI variant) against a cut-off
// score (a, b, c, or a given value such as rciplot's recovery_cutoff). nullopt when pre, post
// or rci is missing.
std::optional<ClinicalOutcome> classify_outcome(const PrePost& pair, double rci, double cutoff,
                                                const ClinicalSignificanceRules& rules);

Status validate_norms(const Norms& norms);

}  // namespace tandem::core
