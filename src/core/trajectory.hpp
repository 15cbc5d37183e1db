// The expected trajectory ("on track / not on track", the expected-treatment-response idea of
// Lambert et al. 2002) as a simple empirical variant: percentile bands of the score per
// session among reference clients with a similar intake score, and the evaluation of its
// alerts on held-out episodes. A fitted ExpectedTrajectory is an immutable value: share it
// across threads freely. The free functions are pure and thread-safe. Method, defaults and
// evaluation: docs/methods/trajectory.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/instrument.hpp"
#include "core/reliable_change.hpp"
#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

// The percentiles of a band, in order (type-7 sample quantiles, R's default quantile()).
inline constexpr std::size_t kBandPercentiles = 5;
inline constexpr std::array<double, kBandPercentiles> kBandProbabilities = {0.10, 0.25, 0.50, 0.75,
                                                                            0.90};

// Tandem defaults (not from a paper): below these sizes a band is too noisy to raise an
// alert, and Tandem says "unavailable" rather than give a bad one.
inline constexpr std::size_t kTrajectoryMinEpisodesPerStratum = 30;
inline constexpr std::size_t kTrajectoryMinScoresPerCell = 10;
// Session 1 is the intake, which chooses the stratum; the first session judged is the next.
inline constexpr int kTrajectoryFirstJudgedSession = 2;
// Sessions beyond this are not modelled (bounds memory for odd references).
inline constexpr int kTrajectoryMaxSessions = 60;
// The naive baseline is judged from session 3 on (see AlertEvaluationOptions).
inline constexpr int kBaselineFirstSession = 3;

// A sample quantile of type 7 (Hyndman & Fan 1996; R's quantile() default) of values
// already sorted ascending: h = (n - 1) p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])
// with 0-based x. NaN for an empty span; p in [0, 1].
double type7_quantile(std::span<const double> sorted, double p);

// One intake stratum: intakes in [lower, upper); the top stratum of a model also includes
// its upper bound (so a PHQ-9 intake of 27 falls in [20, 27]).
struct IntakeStratum {
  double lower = 0.0;
  double upper = 0.0;
  std::string label;  // e.g. the severity band's name; may be empty
};

// Strata from an instrument's severity bands: band i covers [min_i, min_{i+1}), the last
// [min, max]. This is band_for()'s rule, so a fractional (prorated) intake lands where its
// band says. InvalidArgument when the instrument has no bands.
Result<std::vector<IntakeStratum>> band_strata(const Instrument& instrument);

// Fixed-width strata [lo, lo + w), [lo + w, lo + 2w), ..., the last closed at scale_max.
// InvalidArgument unless the range is finite with scale_min < scale_max and 0 < w, and
// at most 1000 strata result.
Result<std::vector<IntakeStratum>> fixed_width_strata(double scale_min, double scale_max,
                                                      double width);

enum class BandSmoothing : std::int8_t {
  kNone,  // the raw percentiles
  // Per percentile across sessions 2.. (the intake is never smoothed): a running median of 3
  // (Tukey's "3", end values copied), then Hanning weights 1/4, 1/2, 1/4 (ends copied).
  // Runs of sessions with a band are smoothed separately; a gap is never bridged.
  kMedian3Hanning,
};

// Which edge of the band raises "not on track". The issue (and OQ-Analyst's idea) uses the
// 90th percentile; the 75th is a more sensitive, less specific choice a service may evaluate.
enum class AlertEdge : std::int8_t {
  kP90,  // above p90 when lower is better, below p10 when higher is better (the default)
  kP75,  // above p75 when lower is better, below p25 when higher is better
};

struct TrajectoryOptions {
  Direction direction = Direction::kLowerIsBetter;
  AlertEdge alert_edge = AlertEdge::kP90;
  // The instrument's range; a reference score outside it is InvalidArgument. NaN: unchecked.
  double scale_min = kMissing;
  double scale_max = kMissing;
  // Contiguous and increasing (strata[i].lower == strata[i - 1].upper, lower < upper), so a
  // merge never spans a gap; required. band_strata() and fixed_width_strata() make such.
  std::vector<IntakeStratum> strata;
  std::size_t min_episodes_per_stratum = kTrajectoryMinEpisodesPerStratum;
  std::size_t min_scores_per_cell = kTrajectoryMinScoresPerCell;
  // A stratum with fewer episodes than the minimum is merged with its neighbour (see
  // fit_expected_trajectory); false: it stays on its own and is unavailable.
  bool merge_small_strata = true;
  BandSmoothing smoothing = BandSmoothing::kMedian3Hanning;
  int first_judged_session = kTrajectoryFirstJudgedSession;  // >= 2
  int max_sessions = kTrajectoryMaxSessions;                 // >= 2
};

// InvalidArgument (field = the option's name) for options a fit cannot use.
Status validate(const TrajectoryOptions& options);

// Defaults for an instrument: its direction, range and severity bands as strata.
Result<TrajectoryOptions> trajectory_options(const Instrument& instrument);
// The same with fixed-width strata of `width` points from the instrument's minimum instead.
Result<TrajectoryOptions> trajectory_options(const Instrument& instrument, double width);

// Episodes as one flat column, as the IO tables hold them: episode i's scores are
// scores[offsets[i] .. offsets[i + 1]), session k at position k - 1, kMissing when missing.
struct EpisodeColumns {
  std::span<const double> scores;
  std::span<const std::size_t> offsets;  // episodes + 1 entries, non-decreasing

  [[nodiscard]] std::size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  [[nodiscard]] std::span<const double> episode(std::size_t i) const {
    return scores.subspan(offsets[i], offsets[i + 1] - offsets[i]);
  }
};

// Percentiles of the score at one session among reference clients of one stratum.
struct PercentileBand {
  double p10 = kMissing;
  double p25 = kMissing;
  double p50 = kMissing;
  double p75 = kMissing;
  double p90 = kMissing;
};

// A stratum of a fitted model: possibly several configured strata merged.
struct TrajectoryStratum {
  double lower = 0.0;
  double upper = 0.0;
  bool upper_inclusive = false;  // true for the top stratum
  std::string label;             // "moderately severe to severe" after a merge
  std::size_t episodes = 0;      // reference episodes whose intake fell in it
  bool available = false;        // episodes >= min_episodes_per_stratum
};

// The fitted expected trajectory: per stratum and session, the smoothed band (used for the
// verdicts), the raw percentiles and the number of reference scores behind them, in flat
// arrays indexed by (stratum, session). Immutable; cheap to query.
class ExpectedTrajectory {
 public:
  [[nodiscard]] const TrajectoryOptions& options() const { return options_; }
  [[nodiscard]] Direction direction() const { return options_.direction; }
  // False when no stratum reached the minimum size; reason() then says why.
  [[nodiscard]] bool available() const { return available_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

  [[nodiscard]] const std::vector<TrajectoryStratum>& strata() const { return strata_; }
  [[nodiscard]] int max_session() const { return max_session_; }
  // Index of the stratum an intake falls in; -1 when outside every stratum or missing.
  [[nodiscard]] int stratum_for(double intake) const;

  // Scores behind the cell (0 outside the model); a cell has a band when n >= the minimum.
  [[nodiscard]] std::size_t cell_n(int stratum, int session) const;
  [[nodiscard]] bool has_band(int stratum, int session) const;
  // The band used for verdicts (smoothed unless smoothing is kNone); NaNs when no band.
  [[nodiscard]] PercentileBand band(int stratum, int session) const;
  // The unsmoothed type-7 percentiles (an imported table's bands are its raw ones).
  [[nodiscard]] PercentileBand raw_band(int stratum, int session) const;
  // The band's worse edge that raises the alert (options().alert_edge): p90 by default when
  // lower is better, p10 when higher is better; NaN when the cell has no band.
  [[nodiscard]] double worse_edge(int stratum, int session) const;
  // Reference accounting: episodes given, used, and left out (no intake, intake outside).
  [[nodiscard]] std::size_t reference_episodes() const { return reference_episodes_; }
  [[nodiscard]] std::size_t episodes_without_intake() const { return without_intake_; }
  [[nodiscard]] std::size_t episodes_outside_strata() const { return outside_strata_; }

 private:
  friend class TrajectoryBuilder;
  [[nodiscard]] std::size_t cell(int stratum, int session) const {
    return static_cast<std::size_t>(stratum) * static_cast<std::size_t>(max_session_) +
           static_cast<std::size_t>(session - 1);
  }

  TrajectoryOptions options_;
  bool available_ = false;
  std::string reason_;
  std::vector<TrajectoryStratum> strata_;
  int max_session_ = 0;
  // Per cell (stratum-major, then session): n, the worse edge, and kBandPercentiles values.
  std::vector<std::size_t> n_;
  std::vector<double> edge_;
  std::vector<double> smoothed_;
  std::vector<double> raw_;
  std::size_t reference_episodes_ = 0;
  std::size_t without_intake_ = 0;
  std::size_t outside_strata_ = 0;
};

// Fits the model. Each episode's intake is its first score; an episode with a missing intake,
// or an intake outside every stratum, is left out (and counted). Strata are then merged
// while any has fewer than min_episodes_per_stratum episodes: the smallest (lowest first on
// a tie) joins the neighbour with fewer episodes (the lower one on a tie). For each stratum
// and session 1..max_session the non-missing scores give the type-7 percentiles; a cell with
// fewer than min_scores_per_cell scores has no band. Then the bands are smoothed.
// InvalidArgument for bad options, malformed offsets, an infinite score or one outside the
// scale (field "episodes[i].session[k]"). A reference too small is not an error: the model
// is unavailable and says why.
Result<ExpectedTrajectory> fit_expected_trajectory(const EpisodeColumns& reference,
                                                   const TrajectoryOptions& options);
Result<ExpectedTrajectory> fit_expected_trajectory(std::span<const std::vector<double>> reference,
                                                   const TrajectoryOptions& options);

// A plain table of the bands, for the IO layer to export and import ("a table a service
// imports"). One row per stratum and session that has a band, ordered by stratum then
// session. Intake bounds as TrajectoryStratum: [lower, upper), the top stratum [lower, upper].
// The percentiles are the bands used for verdicts (smoothed); the direction is not in the
// table: it comes from the instrument's options on import.
struct ExpectedTrajectoryRow {
  double intake_lower = 0.0;
  double intake_upper = 0.0;
  std::size_t stratum_episodes = 0;
  int session = 0;
  std::size_t n = 0;
  PercentileBand band;
};
struct ExpectedTrajectoryTable {
  std::vector<ExpectedTrajectoryRow> rows;
};

ExpectedTrajectoryTable to_table(const ExpectedTrajectory& model);

// Builds a model from a table: strata from the distinct intake bounds (increasing, not
// overlapping; gaps allowed), bands as given (not smoothed again), availability from the
// table's counts against options' minimums; direction, minimums, alert edge and
// first_judged_session from options (options.strata is ignored). InvalidArgument naming
// "rows[i].field" for non-finite or unordered numbers, a session outside 1..max_sessions, a
// repeated cell, or strata that overlap or disagree on their episode count.
Result<ExpectedTrajectory> from_table(const ExpectedTrajectoryTable& table,
                                      const TrajectoryOptions& options);

// --- Verdicts --------------------------------------------------------------------------

enum class TrajectoryAvailability : std::int8_t {
  kAvailable,
  kNoReference,      // the model has no stratum of sufficient size
  kNoIntake,         // the first score is missing
  kIntakeOutside,    // the intake is outside every stratum
  kStratumTooSmall,  // the intake's stratum has too few reference episodes
};

struct SessionAssessment {
  int session = 0;  // 1-based
  double score = kMissing;
  std::size_t n = 0;    // reference scores behind the band (0: beyond the model)
  PercentileBand band;  // NaNs when the cell has no band
  // Not on track: the score is on the worse side of the band's worse edge (by default strictly
  // above p90 when lower is better, strictly below p10 when higher is better). NA at the intake,
  // before first_judged_session, for a missing score, and where there is no band.
  Flag off_track = Flag::kNa;
};

// What made the first "not on track" session so.
struct OffTrackEvidence {
  double intake = kMissing;
  int stratum = -1;
  double stratum_lower = kMissing;
  double stratum_upper = kMissing;
  int session = 0;
  double score = kMissing;
  double band_edge = kMissing;  // by default p90 (lower is better) or p10 (higher is better)
  double expected = kMissing;   // the band's median, for context
  std::size_t n = 0;            // reference scores behind the band
};

struct TrajectoryAssessment {
  bool available = false;
  TrajectoryAvailability availability = TrajectoryAvailability::kNoReference;
  int first_session_off_track = 0;  // 0 = none
  // Why it is unavailable, or (when off track) the evidence in a sentence; empty otherwise.
  std::string reason;
  double intake = kMissing;
  int stratum = -1;
  std::vector<SessionAssessment> sessions;  // one per session of the series when available
  OffTrackEvidence evidence;                // set when first_session_off_track > 0
};

// Judges one episode against the model. Causal: the verdict at session s depends only on the
// intake and the score at s, so a verdict never changes when later scores arrive. A
// non-finite score is treated as missing (no alert rather than a bad one).
TrajectoryAssessment assess(std::span<const double> scores, const ExpectedTrajectory& model);
// The same into a caller-owned value, reusing its buffers: bulk runs allocate nothing per
// episode in steady state (bar the reason text of an unavailable or off-track episode).
void assess(std::span<const double> scores, const ExpectedTrajectory& model,
            TrajectoryAssessment& out);

// The first session (>= first_judged_session) that is not on track, without building an
// assessment; 0 when none or unavailable. The fastest form, for bulk counting.
int first_session_off_track(std::span<const double> scores, const ExpectedTrajectory& model);

// Copies the fields progress_profile.hpp's TrajectoryVerdict shares with an assessment
// (available, first_session_off_track, reason) into any struct that has them, so this header
// needs not include that one: to_verdict<TrajectoryVerdict>(assessment).
template <class Verdict>
Verdict to_verdict(const TrajectoryAssessment& assessment) {
  Verdict verdict{};
  verdict.available = assessment.available;
  verdict.first_session_off_track = assessment.first_session_off_track;
  verdict.reason = assessment.reason;
  return verdict;
}

// --- Evaluation of the alerts ------------------------------------------------------------

struct AlertEvaluationOptions {
  TrajectoryOptions trajectory;
  // The instrument's fixed reliable-change threshold (PHQ-9: 6); required, > 0.
  double reliable_change_threshold = kMissing;
  Comparison comparison = Comparison::kInclusive;  // as classify_fixed_threshold
  // Naive baseline: alert at the first session s >= this (and before the last) whose score is
  // not better than the intake (>= intake when lower is better, <= when higher is better).
  int baseline_first_session = kBaselineFirstSession;
  // Held-out episodes whose last scored session is earlier than this are skipped (too short).
  int min_sessions = 3;
};

// A predictor of "no reliable improvement at the end" on the evaluated held-out episodes.
// Ratios are NaN when their denominator is 0.
struct AlertFigures {
  std::size_t true_positives = 0;   // alerted, no reliable improvement
  std::size_t false_positives = 0;  // alerted, reliably improved
  std::size_t true_negatives = 0;   // not alerted, reliably improved
  std::size_t false_negatives = 0;  // not alerted, no reliable improvement
  double sensitivity = kMissing;
  double specificity = kMissing;
  double positive_predictive_value = kMissing;
  double negative_predictive_value = kMissing;
  // Median (type 7) over true positives of last scored session - first alert session.
  double median_lead_time = kMissing;
};

struct AlertEvaluation {
  double holdout_fraction = 0.0;
  std::uint64_t seed = 0;
  std::size_t reference_episodes = 0;
  std::size_t training_episodes = 0;
  std::size_t holdout_episodes = 0;
  std::size_t evaluated = 0;
  std::size_t skipped_no_intake = 0;
  std::size_t skipped_too_short = 0;
  std::size_t skipped_unavailable = 0;      // intake outside the strata or its stratum too small
  std::size_t no_reliable_improvement = 0;  // positives among the evaluated
  std::size_t strata_available = 0;         // in the model fitted on the training part
  AlertFigures trajectory;                  // "not on track at any session before the last"
  AlertFigures baseline;                    // "no improvement since intake", from session 3
};

// Splits the reference deterministically (a Fisher-Yates shuffle driven by
// std::mt19937_64(seed), documented in docs/methods/trajectory.md, so the same seed gives the
// same split on every standard library); the first round(fraction * n) shuffled episodes
// are held out, the rest fit the model. Each held-out episode is replayed session by
// session, seeing only the scores up to that session. InvalidArgument for a fraction outside
// (0, 1), fewer than 2 episodes, or bad options; FailedPrecondition when the training part
// gives no available stratum.
Result<AlertEvaluation> evaluate_alerts(const EpisodeColumns& reference, double holdout_fraction,
                                        std::uint64_t seed, const AlertEvaluationOptions& options);
Result<AlertEvaluation> evaluate_alerts(std::span<const std::vector<double>> reference,
                                        double holdout_fraction, std::uint64_t seed,
                                        const AlertEvaluationOptions& options);

}  // namespace tandem::core
