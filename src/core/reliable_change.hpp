// Reliable change of one client between two scores: the Jacobson & Truax (1991) index
// (RCI), its classification into reliable improvement / deterioration, and the fixed-threshold
// form services use (PHQ-9: a change of 6 points). Pure functions over plain values, no
// allocation: they run per client over samples of a million. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

// One client's score before and after treatment; either may be kMissing.
struct PrePost {
  double pre = kMissing;
  double post = kMissing;
};

inline bool is_complete(const PrePost& pair) {
  return !is_missing(pair.pre) && !is_missing(pair.post);
}

// Direction-aware outcome of a reliable-change test.
enum class ReliableChange : std::int8_t { kNone = 0, kImproved = 1, kDeteriorated = -1 };

// How a value exactly on a threshold is judged. Jacobson & Truax write |RC| > 1.96, so the
// default is strict; JTRCI 0.1.0 tests RCI <= -1.96 / >= 1.96 and post <= cutoff (inclusive).
enum class Comparison : std::int8_t { kStrict, kInclusive };

// Jacobson & Truax 1991, p. 14 (page as cited, not checked against the PDF): an RC beyond
// 1.96 is unlikely (p < .05) without real change.
inline constexpr double kJacobsonTruaxCriticalValue = 1.96;

// The exact two-sided normal critical value, normal_quantile(1 - alpha / 2); 1.959964 for
// alpha = .05, which clinicalsignificance, rciplot (and R's qnorm(.975)) use instead of 1.96.
double two_sided_critical_value(double alpha = 0.05);

// The exact one-sided value, normal_quantile(1 - alpha); 1.644854 for alpha = .05
// (Hageman & Arrindell 1999, as clinicalsignificance 3.0.0.9000 uses it).
double one_sided_critical_value(double alpha = 0.05);

// Standard error of measurement, SE = SD * sqrt(1 - r) (Jacobson & Truax 1991, p. 14).
double standard_error_of_measurement(double sd, double reliability);

// Standard error of the difference of two scores, S_diff = sqrt(2 * SE^2) (Christensen &
// Mendoza 1986; Jacobson & Truax 1991, p. 14).
double standard_error_of_difference(double se_measurement);

// The Jacobson & Truax index for one measure: SD of the reference (pre-treatment) sample and
// the measure's reliability, with SE and S_diff computed once. Copyable value.
class JacobsonTruaxIndex {
 public:
  // sd > 0 and finite; 0 <= reliability < 1 (r = 1 would make S_diff zero).
  static Result<JacobsonTruaxIndex> make(double sd, double reliability);

  [[nodiscard]] double sd() const { return sd_; }
  [[nodiscard]] double reliability() const { return reliability_; }
  [[nodiscard]] double se_measurement() const { return se_measurement_; }
  [[nodiscard]] double s_diff() const { return s_diff_; }

  // RC = (post - pre) / S_diff; NaN when either score is missing.
  [[nodiscard]] double index(const PrePost& pair) const { return (pair.post - pair.pre) / s_diff_; }

  // The smallest raw change that is reliable: critical_value * S_diff (the "reliable change
  // value"; 4.596607 for SD 5, r .89, 1.96).
  [[nodiscard]] double reliable_change_value(double critical_value) const {
    return critical_value * s_diff_;
  }

 private:
  JacobsonTruaxIndex(double sd, double reliability, double se_measurement, double s_diff)
      : sd_(sd), reliability_(reliability), se_measurement_(se_measurement), s_diff_(s_diff) {}

  double sd_;
  double reliability_;
  double se_measurement_;
  double s_diff_;
};

// Which way an index (any of the RCI variants, in units of its standard error) points,
// judged against critical_value: improvement when improvement_sign(direction) * rci exceeds
// it (or reaches it, inclusive). nullopt when rci is NaN (a missing score).
std::optional<ReliableChange> classify_index(double rci, Direction direction, double critical_value,
                                             Comparison comparison = Comparison::kStrict);

// The fixed-threshold form used by services (NHS Talking Therapies: PHQ-9 6, GAD-7 4): a
// change is reliable when |post - pre| >= threshold, in the direction of the measure.
// Inclusive by default, as the services define it. nullopt when a score is missing.
std::optional<ReliableChange> classify_fixed_threshold(
    const PrePost& pair, double threshold, Direction direction,
    Comparison comparison = Comparison::kInclusive);

}  // namespace tandem::core
