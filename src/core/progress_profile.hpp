// The progress profile of one episode of care: a FHIR Goal achievementStatus per dimension
// (the instrument's symptoms, each goal, alliance, engagement), the non-linear patterns
// clinicians talk about (stirring, setback then recovery, sudden gains, ...) and the signals
// that ask for a conversation (crisis, alliance rupture, dropout risk, perception gap, review
// due, ...). Every finding carries its evidence: the rule that produced it, the session range
// it looked at and the numbers, so a clinician sees why. The rules and their defaults are in
// docs/methods/progress_intelligence.md; plain-language texts keyed by the same spellings live
// in texts/en.json and are rendered outside the core.
// ProfileWorkspace keeps scratch buffers and is not thread-safe: use one per thread and reuse
// it across episodes. profile_episode() is thread-safe but allocates a workspace per call.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/episode.hpp"
#include "core/goal_based_outcomes.hpp"
#include "core/instrument.hpp"
#include "core/series.hpp"
#include "core/status.hpp"
#include "core/trend.hpp"

namespace tandem::core {

// FHIR R4 Goal.achievementStatus (http://terminology.hl7.org/CodeSystem/goal-achievement).
enum class AchievementStatus : std::int8_t {
  kInProgress,
  kImproving,
  kWorsening,
  kNoChange,
  kAchieved,
  kSustaining,
  kNotAchieved,
  kNoProgress,
  kNotAttainable,  // a clinical judgement; never inferred from ratings
};

enum class Pattern : std::int8_t {
  kImproving,
  kWorsening,
  kSteady,
  kStirring,
  kSuddenGain,
  kSuddenLoss,
  kSetbackRecovery,
  kEarlyResponse,
  kAchieved,
  kSustaining,
};

enum class SignalType : std::int8_t {
  kCrisis,
  kNotOnTrack,
  kAllianceRupture,
  kDropoutRisk,
  kPerceptionGap,
  kReviewDue,
  kReturnedAfterHardSession,
};

enum class DimensionKind : std::int8_t { kSymptoms, kGoal, kAlliance, kEngagement };

// Trend of |client - therapist| over a goal's co-rated sessions.
enum class GapTrend : std::int8_t { kInsufficientData, kConverging, kStable, kDiverging };

// The exact spellings of the issue and the CLI output: "in-progress", "sudden-gain",
// "returned-after-hard-session", "symptoms", "converging", ...
std::string_view to_string(AchievementStatus status);
std::string_view to_string(Pattern pattern);
std::string_view to_string(SignalType type);
std::string_view to_string(DimensionKind kind);
std::string_view to_string(GapTrend trend);

// One number of the evidence. Names (and rule ids) are string literals with static storage.
struct NamedValue {
  std::string_view name;
  double value = kMissing;
};

// A small fixed-capacity list of named numbers: no allocation per finding.
class EvidenceValues {
 public:
  static constexpr std::size_t kCapacity = 16;

  // Appends; a name beyond capacity is dropped (no rule writes more than kCapacity).
  void add(std::string_view name, double value) {
    if (size_ < kCapacity) items_[size_++] = NamedValue{name, value};
  }
  // The value named `name`, if present.
  [[nodiscard]] std::optional<double> get(std::string_view name) const;
  // The value named `name`, NaN when absent.
  [[nodiscard]] double at(std::string_view name) const { return get(name).value_or(kMissing); }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] const NamedValue* begin() const { return items_.data(); }
  [[nodiscard]] const NamedValue* end() const { return items_.data() + size_; }
  [[nodiscard]] const NamedValue& operator[](std::size_t i) const { return items_[i]; }

 private:
  std::array<NamedValue, kCapacity> items_{};
  std::size_t size_ = 0;
};

// Why Tandem says so: the rule (a stable id documented in progress_intelligence.md), the
// sessions it looked at (0 = none), and the numbers. Yes/no facts are 1/0; an absent session
// is 0; a number that could not be computed is NaN; an unbounded slope interval is +-inf.
struct Evidence {
  std::string_view rule;
  int first_session = 0;
  int last_session = 0;
  EvidenceValues values;
};

// The expected-trajectory verdict for the episode (src/core/trajectory.*), as an input.
struct TrajectoryVerdict {
  bool available = false;           // false: reference too small or no intake score; no alert
  int first_session_off_track = 0;  // 0 = on track throughout
  std::string reason;               // copied into the not-on-track signal
};

struct ProfileOptions {
  // Symptoms (the instrument's totals).
  double reliable_change = kMissing;  // points; NaN: the instrument's reliable_change_threshold
  int window = kSteadyDefaultWindow;  // scored sessions for steady and stirring, >= 2
  double trend_confidence = kTrendDefaultConfidence;
  double sudden_cutoff = kMissing;  // Tang & DeRubeis criterion 1; NaN: reliable_change
  double sudden_pct = 0.25;         // criterion 2 (Tang & DeRubeis 1999)
  int early_response_by = 4;        // reliable improvement at or before this session number
  // Goals.
  Rater goal_rater = Rater::kClient;                // whose ratings decide a goal's status
  double gbo_reliable_change = kGboReliableChange;  // CORC, 2.45 points
  double gas_reliable_change = 1.0;                 // one GAS level (our convention)
  double gbo_achieved = 8.0;                        // our convention
  double gas_achieved = 0.0;  // the expected level of attainment (Kiresuk & Sherman 1968)
  int sustain_sessions = 2;   // further consecutive ratings that turn achieved into sustaining
  // Alliance (client's 0-10 rating).
  double rupture_drop = 2.0;   // a drop of at least this from the previous rating
  double rupture_below = 6.0;  // or a rating under this
  // Perception gap (client - therapist on the same goal).
  double gap_gbo = 3.0;        // |gap| at least this on 0-10
  double gap_gas = 2.0;        // |gap| at least this many GAS levels
  int gap_run = 2;             // for this many co-rated sessions running
  double gap_trend_min = 1.0;  // change in mean |gap| between halves that counts as a trend
  // Dropout risk: a prompt, not a prediction. Weights add up, capped at 1.
  int dropout_window = 4;                  // the last scheduled sessions looked at
  double dropout_weight_dna = 0.25;        // per missed (dna) session in the window
  double dropout_weight_cancelled = 0.10;  // per cancelled session in the window
  double dropout_missed_cap = 0.5;         // cap on the missed + cancelled part
  double dropout_gap_factor = 2.0;         // a gap longer than this x the usual interval
  double dropout_weight_gap = 0.30;
  double dropout_weight_hard_before = 0.25;  // last attended session felt hard or ruptured
  double dropout_flag_at = 0.5;              // signal when the risk reaches this
  // "Today" in days since 1970-01-01 for the gap since the last attended session; nullopt:
  // the day of the last recorded session (the core reads no clock).
  std::optional<int> as_of_day;
  // Review of the co-defined progress definition.
  int review_after = 6;  // attended sessions since it was last agreed
  bool review_after_sudden_change = true;
  // Moments: free tags count as progress moments alongside the well-known ones.
  bool free_tags_are_progress = true;
  // Crisis: lowest item-9 answer that raises the flag when the instrument defines no crisis item.
  int crisis_min_value = 1;
};

// InvalidArgument naming the option unless every threshold is a positive finite number (the
// GAS achieved level any level in -2..2, gbo_achieved in 0..10, weights in [0, 1], the window,
// runs and counts >= 1 (window >= 2), confidence in (0, 1)) and a missed session weighs at
// least as much as a cancelled one (so adding a missed session never lowers the risk).
Status validate(const ProfileOptions& options);

struct Dimension {
  std::string name;  // the instrument id, "goal:<id>", "alliance" or "engagement"
  DimensionKind kind = DimensionKind::kSymptoms;
  int goal = -1;  // index into Episode::goals for a goal
  AchievementStatus status = AchievementStatus::kInProgress;
  Evidence evidence;
};

struct PatternFinding {
  Pattern pattern = Pattern::kImproving;
  Evidence evidence;
};

struct Signal {
  SignalType type = SignalType::kCrisis;
  int session = 0;      // the session it was raised at
  std::string subject;  // "goal:<id>" for a perception gap; else empty
  std::string reason;   // one technical line in English; texts/en.json has the kind words
  Evidence evidence;
};

// Each goal's client-versus-therapist view over the sessions both rated it.
struct PerceptionGap {
  int goal = -1;
  int n_pairs = 0;
  double last_gap = kMissing;  // client - therapist at the last co-rated session
  GapTrend trend = GapTrend::kInsufficientData;
  bool flagged = false;  // at least one perception-gap signal
  Evidence evidence;
};

struct Profile {
  std::string id;
  std::vector<Dimension> dimensions;           // instrument, goals in order, alliance, engagement
  std::vector<PatternFinding> patterns;        // in Pattern order, each at most once
  std::vector<Signal> signals;                 // by session, then SignalType order
  std::vector<PerceptionGap> perception_gaps;  // one per goal, in goal order
  double dropout_risk = 0.0;                   // in [0, 1]; also in the engagement evidence

  [[nodiscard]] const PatternFinding* find(Pattern pattern) const;
  [[nodiscard]] bool has(Pattern pattern) const { return find(pattern) != nullptr; }
  [[nodiscard]] const Dimension* dimension(std::string_view name) const;
  [[nodiscard]] int count(SignalType type) const;
  [[nodiscard]] const Signal* first(SignalType type) const;
};

// Reusable profiler: scratch buffers grow to the longest episode seen and are then reused;
// writing into a reused Profile keeps its vectors' capacity.
class ProfileWorkspace {
 public:
  explicit ProfileWorkspace(int expected_sessions = 32);
  ~ProfileWorkspace();
  ProfileWorkspace(ProfileWorkspace&&) noexcept;
  ProfileWorkspace& operator=(ProfileWorkspace&&) noexcept;
  ProfileWorkspace(const ProfileWorkspace&) = delete;
  ProfileWorkspace& operator=(const ProfileWorkspace&) = delete;

  // Validates the episode (validate(Episode)), its scores against the instrument's range and
  // the options; then fills `out` (cleared first). InvalidArgument names the field
  // ("sessions[2].score", "reliable_change", ...). `not_on_track` may be null.
  Status profile(const Episode& episode, const Instrument& instrument,
                 const ProfileOptions& options, const TrajectoryVerdict* not_on_track,
                 Profile& out);

 private:
  struct Scratch;  // buffers reused across episodes (progress_profile.cpp)
  std::unique_ptr<Scratch> scratch_;
};

// One episode, with a workspace of its own.
Result<Profile> profile_episode(const Episode& episode, const Instrument& instrument,
                                const ProfileOptions& options = {},
                                const TrajectoryVerdict* not_on_track = nullptr);

}  // namespace tandem::core
