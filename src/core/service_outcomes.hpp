// NHS Talking Therapies (formerly IAPT) service outcome rules for a paired depression and
// anxiety measure (PHQ-9 + GAD-7, or an anxiety-disorder-specific measure in GAD-7's place):
// caseness, finished treatment, recovery, reliable improvement / deterioration / recovery,
// and the service rates built from them. Thresholds come from the instruments' data.
// Pure functions over values; thread-safe.
#pragma once

#include <span>
#include <string>

#include "core/instrument.hpp"
#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

// What the service rules need to know about one measure.
struct OutcomeMeasure {
  std::string id;
  Direction direction = Direction::kLowerIsBetter;
  double min_total = 0.0;
  double max_total = 0.0;
  double caseness_cutoff = 0.0;  // first total on the clinical side, inclusive
  double reliable_change = 0.0;  // smallest reliable change in points, inclusive
};

// Takes the cut-off and the reliable-change threshold from the definition; fails when it
// has either missing.
Result<OutcomeMeasure> outcome_measure(const Instrument& instrument);

struct PairedMeasures {
  OutcomeMeasure depression;  // PHQ-9
  OutcomeMeasure anxiety;     // GAD-7 (or an ADSM)
};

// First and last totals of one episode (kMissing when absent) and its attended treatment
// sessions. "First" is the assessment / first treatment score, "last" the last one recorded.
struct EpisodeScores {
  double depression_first = kMissing;
  double depression_last = kMissing;
  double anxiety_first = kMissing;
  double anxiety_last = kMissing;
  int attended_treatment_sessions = 0;
};

// A rule's verdict with the numbers and the rule that produced it.
struct RuleOutcome {
  Flag flag = Flag::kNa;
  std::string evidence;
};

// The change on one measure between first and last score.
struct MeasureChange {
  Flag case_first = Flag::kNa;
  Flag case_last = Flag::kNa;
  double improvement = kMissing;  // points in the better direction (negative = worse)
  Flag reliably_improved = Flag::kNa;
  Flag reliably_deteriorated = Flag::kNa;
};

MeasureChange measure_change(const OutcomeMeasure& measure, double first, double last);

// One episode's verdicts. Recovery, reliable improvement, reliable deterioration and reliable
// recovery are NA ("not counted") unless treatment was finished and both measures have a
// first and a last score; recovery and reliable recovery are also NA unless the episode was at
// caseness at the first measurement.
struct EpisodeOutcome {
  MeasureChange depression;
  MeasureChange anxiety;
  RuleOutcome caseness_first;
  RuleOutcome finished_treatment;
  RuleOutcome recovery;
  RuleOutcome reliable_improvement;
  RuleOutcome reliable_deterioration;
  RuleOutcome reliable_recovery;
};

// Scores outside a measure's range, infinite scores or a negative session count are
// InvalidArgument naming the field.
Result<EpisodeOutcome> nhs_talking_therapies_outcome(const PairedMeasures& measures,
                                                     const EpisodeScores& episode);

// Numerator over denominator; rate is NaN when the denominator is 0.
struct ServiceRate {
  int numerator = 0;
  int denominator = 0;
  double rate = kMissing;
};

// Service figures as NHS England reports them. Denominators: recovery and reliable recovery
// count finished-treatment episodes at caseness at first measurement; reliable improvement and
// reliable deterioration count all finished-treatment episodes. Episodes that finished
// treatment but lack paired scores on both measures are left out of every rate and counted in
// missing_paired_scores.
struct ServiceSummary {
  int episodes = 0;
  int finished_treatment = 0;
  int finished_at_caseness = 0;
  int finished_not_at_caseness = 0;
  int missing_paired_scores = 0;
  ServiceRate recovery;
  ServiceRate reliable_improvement;
  ServiceRate reliable_deterioration;
  ServiceRate reliable_recovery;
};

ServiceSummary summarise_service(std::span<const EpisodeOutcome> episodes);

}  // namespace tandem::core
