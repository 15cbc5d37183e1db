#include "core/progress_profile.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "core/reliable_change.hpp"
#include "core/sudden_gains.hpp"

namespace tandem::core {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double yes_no(bool value) { return value ? 1.0 : 0.0; }
double as_number(int value) { return static_cast<double>(value); }
double as_number(std::size_t value) { return static_cast<double>(value); }

// One technical line for a signal's reason. Numbers are rounded to two decimals for reading;
// the evidence keeps them exact.
class Line {
 public:
  Line() = default;
  explicit Line(std::string buffer) : text_(std::move(buffer)) { text_.clear(); }
  Line& operator<<(std::string_view text) {
    text_ += text;
    return *this;
  }
  Line& operator<<(const char* text) { return *this << std::string_view(text); }
  Line& operator<<(int value) {
    char buffer[16];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    text_.append(buffer, result.ptr);
    return *this;
  }
  Line& operator<<(double value) {
    if (std::isnan(value)) return *this << "NA";
    double rounded = std::round(value * 100.0) / 100.0;
    if (rounded == 0.0) rounded = 0.0;  // no "-0"
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, rounded);
    text_.append(buffer, result.ptr);
    return *this;
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

Evidence evidence_for(std::string_view rule, int first_session, int last_session) {
  Evidence evidence;
  evidence.rule = rule;
  evidence.first_session = first_session;
  evidence.last_session = last_session;
  return evidence;
}

bool positive(double value) { return std::isfinite(value) && value > 0.0; }
bool unit_weight(double value) { return std::isfinite(value) && value >= 0.0 && value <= 1.0; }

bool contains(const std::vector<int>& sessions, int n) {
  return std::find(sessions.begin(), sessions.end(), n) != sessions.end();
}

// Final statuses once the episode has ended: what was not achieved is not-achieved when it had
// reliably improved, else no-progress (FHIR: "little to no progress towards target").
AchievementStatus final_status(AchievementStatus status) {
  if (status == AchievementStatus::kAchieved || status == AchievementStatus::kSustaining) {
    return status;
  }
  return status == AchievementStatus::kImproving ? AchievementStatus::kNotAchieved
                                                 : AchievementStatus::kNoProgress;
}

struct GoalPoint {
  int session = 0;
  double rating = kMissing;
};

struct GapPoint {
  int session = 0;
  double client = kMissing;
  double therapist = kMissing;
  [[nodiscard]] double gap() const { return client - therapist; }
};

struct Rupture {
  int session = 0;
  double rating = kMissing;
  double previous = kMissing;  // the rating before it; NaN at the first rating
  int repaired_session = 0;    // 0 = not (yet) repaired
};

// Buffers reused across episodes; they grow to the longest episode seen.
struct ScratchBuffers {
  explicit ScratchBuffers(int expected_sessions) : trend(expected_sessions) {
    const auto n = static_cast<std::size_t>(std::max(expected_sessions, 1));
    scores.reserve(n);
    scored.reserve(n);
    points.reserve(n);
    gap_points.reserve(n);
    intervals.reserve(n);
  }

  std::vector<double> scores;  // by session number - 1; NaN when none
  std::vector<int> scored;     // session numbers with a score, in order
  std::vector<GoalPoint> points;
  std::vector<GapPoint> gap_points;
  std::vector<std::size_t> gap_flags;  // positions in gap_points where a run reached gap_run
  std::vector<Rupture> ruptures;
  std::vector<int> rupture_sessions;
  std::vector<int> returned_sessions;  // by the attendance rule (not the noted tag)
  std::vector<double> intervals;
  std::vector<SuddenChange> gains;
  std::vector<SuddenChange> losses;
  TrendEstimator trend;
  // Signals are sorted through small keys, then moved once through this buffer.
  struct SignalKey {
    int session;
    SignalType type;
    std::size_t index;
  };
  std::vector<SignalKey> signal_keys;
  std::vector<Signal> signal_buffer;
  // String buffers of the previous profile's reasons and subjects, reused so that a bulk run
  // does not allocate for them once warm.
  std::vector<std::string> spare_strings;

  std::string take_string() {
    if (spare_strings.empty()) return {};
    std::string text = std::move(spare_strings.back());
    spare_strings.pop_back();
    text.clear();
    return text;
  }
};

struct SymptomFacts {
  int n_scores = 0;
  int first_session = 0;
  int last_session = 0;
  double first = kMissing;
  double last = kMissing;
  std::optional<ReliableChange> reliable;  // first -> last; nullopt with fewer than 2 scores
  int achieved_run = 0;                    // scored sessions at the end that meet "achieved"
};

struct DropoutFacts {
  double risk = 0.0;
  int window_first_session = 0;
  int dna = 0;        // in the window
  int cancelled = 0;  // in the window
  double missed_part = 0.0;
  int last_attended_session = 0;
  double gap_days = kMissing;
  double usual_interval = kMissing;  // median days between attended sessions
  bool long_gap = false;
  bool hard_before = false;
};

// Computes one episode's profile into `out`; every rule is one member function.
class Profiler {
 public:
  Profiler(const Episode& episode, const Instrument& instrument, const ProfileOptions& options,
           double threshold, ScratchBuffers& scratch, Profile& out)
      : episode_(episode),
        instrument_(instrument),
        options_(options),
        threshold_(threshold),
        sign_(improvement_sign(instrument.direction)),
        s_(scratch),
        out_(out) {
    last_session_ = episode.sessions.empty() ? 0 : episode.sessions.back().n;
  }

  void run(const TrajectoryVerdict* verdict) {
    build_series();
    symptom_facts();
    find_sudden_changes_();
    find_ruptures();
    find_returns();
    dropout_facts();

    symptom_dimension();
    for (std::size_t g = 0; g < episode_.goals.size(); ++g) goal_dimension(g);
    alliance_dimension();
    engagement_dimension();
    out_.dropout_risk = dropout_.risk;

    crisis_signals();
    not_on_track_signal(verdict);
    rupture_signals();
    dropout_signal();
    perception_gaps();
    review_due_signal();

    patterns();
    sort_signals();
  }

 private:
  // ---- series ----------------------------------------------------------------------------

  void build_series() {
    s_.scores.assign(static_cast<std::size_t>(last_session_), kMissing);
    for (const EpisodeSession& session : episode_.sessions) {
      if (!is_missing(session.score))
        s_.scores[static_cast<std::size_t>(session.n - 1)] = session.score;
    }
    s_.scored.clear();
    for (std::size_t k = 0; k < s_.scores.size(); ++k) {
      if (!is_missing(s_.scores[k])) s_.scored.push_back(static_cast<int>(k) + 1);
    }
  }

  [[nodiscard]] double score_at(int session) const {
    return s_.scores[static_cast<std::size_t>(session - 1)];
  }

  [[nodiscard]] bool reliably_improved(double pre, double post) const {
    return classify_fixed_threshold({pre, post}, threshold_, instrument_.direction) ==
           ReliableChange::kImproved;
  }

  // How much worse `post` is than `pre` (positive = worse), whatever the direction.
  [[nodiscard]] double worsening(double pre, double post) const { return -sign_ * (post - pre); }

  // ---- symptoms ---------------------------------------------------------------------------

  void symptom_facts() {
    SymptomFacts& f = symptoms_;
    f.n_scores = static_cast<int>(s_.scored.size());
    if (f.n_scores > 0) {
      f.first_session = s_.scored.front();
      f.last_session = s_.scored.back();
      f.first = score_at(f.first_session);
      f.last = score_at(f.last_session);
    }
    if (f.n_scores >= 2) {
      f.reliable = classify_fixed_threshold({f.first, f.last}, threshold_, instrument_.direction);
      for (std::size_t k = s_.scored.size(); k-- > 1;) {
        const double score = score_at(s_.scored[k]);
        if (!reliably_improved(f.first, score)) break;
        if (is_case(instrument_, score) != Flag::kNo) break;
        ++f.achieved_run;
      }
    }
  }

  // Theil-Sen is the costliest step, so it runs only when a rule needs it (steady, stirring).
  const Steadiness& steadiness() {
    if (!steadiness_ready_) {
      SteadinessOptions steady;
      steady.reliable_change = threshold_;
      steady.window = options_.window;
      steady.trend.confidence = options_.trend_confidence;
      if (Result<Steadiness> result = s_.trend.steadiness(s_.scores, steady)) {
        steadiness_ = *result;
      }
      steadiness_ready_ = true;
    }
    return steadiness_;
  }

  void find_sudden_changes_() {
    SuddenGainOptions gain;
    gain.direction = instrument_.direction;
    gain.cutoff = std::isfinite(options_.sudden_cutoff) ? options_.sudden_cutoff : threshold_;
    gain.pct = options_.sudden_pct;
    SuddenGainOptions loss = gain;
    loss.kind = ChangeKind::kLoss;
    find_sudden_changes(s_.scores, gain, s_.gains);
    find_sudden_changes(s_.scores, loss, s_.losses);
    sudden_cutoff_ = gain.cutoff;
  }

  void symptom_dimension() {
    const SymptomFacts& f = symptoms_;
    Dimension& d = out_.dimensions.emplace_back();
    d.name = instrument_.id;
    d.kind = DimensionKind::kSymptoms;
    std::string_view rule;
    if (f.n_scores < 2) {
      d.status = AchievementStatus::kInProgress;
      rule = "symptoms.insufficient-data";
    } else if (f.reliable == ReliableChange::kDeteriorated) {
      d.status = AchievementStatus::kWorsening;
      rule = "symptoms.reliable-deterioration";
    } else if (f.achieved_run >= 1 + options_.sustain_sessions) {
      d.status = AchievementStatus::kSustaining;
      rule = "symptoms.sustaining";
    } else if (f.achieved_run >= 1) {
      d.status = AchievementStatus::kAchieved;
      rule = "symptoms.achieved";
    } else if (f.reliable == ReliableChange::kImproved) {
      d.status = AchievementStatus::kImproving;
      rule = "symptoms.reliable-improvement";
    } else if (f.n_scores >= options_.window) {
      d.status = AchievementStatus::kNoChange;
      rule = "symptoms.no-reliable-change";
    } else {
      d.status = AchievementStatus::kInProgress;
      rule = "symptoms.no-reliable-change-yet";
    }
    if (episode_.ended && f.n_scores >= 1) {
      const AchievementStatus final = final_status(d.status);
      if (final != d.status) {
        d.status = final;
        rule = final == AchievementStatus::kNotAchieved ? "symptoms.ended-not-achieved"
                                                        : "symptoms.ended-no-progress";
      }
    }
    d.evidence = evidence_for(rule, f.first_session, f.last_session);
    EvidenceValues& v = d.evidence.values;
    v.add("n_scores", as_number(f.n_scores));
    v.add("first_score", f.first);
    v.add("last_score", f.last);
    v.add("change", f.last - f.first);
    v.add("threshold", threshold_);
    v.add("caseness_cutoff", instrument_.caseness_cutoff.value_or(kNaN));
    const Flag last_case = is_case(instrument_, f.last);
    v.add("last_is_case", last_case == Flag::kNa ? kNaN : yes_no(last_case == Flag::kYes));
    v.add("achieved_run", as_number(f.achieved_run));
    v.add("sustain_sessions", as_number(options_.sustain_sessions));
    v.add("window", as_number(options_.window));
  }

  // ---- goals ------------------------------------------------------------------------------

  [[nodiscard]] static double rating_by(const EpisodeSession& session, std::size_t goal,
                                        Rater rater) {
    if (goal >= session.goals.size()) return kMissing;
    return rater == Rater::kClient ? session.goals[goal].client : session.goals[goal].therapist;
  }

  void collect_points(std::size_t goal) {
    s_.points.clear();
    for (const EpisodeSession& session : episode_.sessions) {
      const double rating = rating_by(session, goal, options_.goal_rater);
      if (!is_missing(rating)) s_.points.push_back({session.n, rating});
    }
  }

  [[nodiscard]] double goal_reliable(GoalScale scale) const {
    return scale == GoalScale::kGbo ? options_.gbo_reliable_change : options_.gas_reliable_change;
  }
  [[nodiscard]] double goal_target(GoalScale scale) const {
    return scale == GoalScale::kGbo ? options_.gbo_achieved : options_.gas_achieved;
  }

  void goal_dimension(std::size_t goal) {
    const EpisodeGoal& g = episode_.goals[goal];
    collect_points(goal);
    const auto& points = s_.points;
    const double reliable = goal_reliable(g.scale);
    const double target = goal_target(g.scale);
    const int n = static_cast<int>(points.size());
    const double first = n > 0 ? points.front().rating : kMissing;
    const double last = n > 0 ? points.back().rating : kMissing;
    const double change = last - first;
    int achieved_run = 0;
    for (std::size_t k = points.size(); k-- > 0 && points[k].rating >= target;) ++achieved_run;

    Dimension& d = out_.dimensions.emplace_back();
    d.name = "goal:" + g.id;
    d.kind = DimensionKind::kGoal;
    d.goal = static_cast<int>(goal);
    std::string_view rule;
    if (n == 0) {
      d.status = AchievementStatus::kInProgress;
      rule = "goal.no-ratings";
    } else if (achieved_run >= 1 + options_.sustain_sessions) {
      d.status = AchievementStatus::kSustaining;
      rule = "goal.sustaining";
    } else if (achieved_run >= 1) {
      d.status = AchievementStatus::kAchieved;
      rule = "goal.achieved";
    } else if (n == 1) {
      d.status = AchievementStatus::kInProgress;
      rule = "goal.single-rating";
    } else if (change >= reliable) {
      d.status = AchievementStatus::kImproving;
      rule = "goal.reliable-improvement";
    } else if (change <= -reliable) {
      d.status = AchievementStatus::kWorsening;
      rule = "goal.reliable-deterioration";
    } else if (n >= options_.window) {
      d.status = AchievementStatus::kNoChange;
      rule = "goal.no-reliable-change";
    } else {
      d.status = AchievementStatus::kInProgress;
      rule = "goal.no-reliable-change-yet";
    }
    if (episode_.ended && n >= 1) {
      const AchievementStatus final = final_status(d.status);
      if (final != d.status) {
        d.status = final;
        rule = final == AchievementStatus::kNotAchieved ? "goal.ended-not-achieved"
                                                        : "goal.ended-no-progress";
      }
    }
    d.evidence =
        evidence_for(rule, n > 0 ? points.front().session : 0, n > 0 ? points.back().session : 0);
    EvidenceValues& v = d.evidence.values;
    v.add("rater_is_client", yes_no(options_.goal_rater == Rater::kClient));
    v.add("gas", yes_no(g.scale == GoalScale::kGas));
    v.add("n_ratings", as_number(n));
    v.add("first_rating", first);
    v.add("last_rating", last);
    v.add("change", change);
    v.add("reliable_change", reliable);
    v.add("achieved_level", target);
    v.add("achieved_run", as_number(achieved_run));
    v.add("sustain_sessions", as_number(options_.sustain_sessions));
    v.add("window", as_number(options_.window));
  }

  // ---- alliance ---------------------------------------------------------------------------

  [[nodiscard]] static bool attended(const EpisodeSession& session) {
    return session.attendance == Attendance::kAttended;
  }

  // A rupture starts at a rating under rupture_below or a drop of at least rupture_drop from the
  // previous rating; it is repaired at the first later rating that is at least rupture_below and
  // less than rupture_drop under the rating before the rupture. Attended sessions only.
  void find_ruptures() {
    s_.ruptures.clear();
    s_.rupture_sessions.clear();
    double previous = kMissing;
    double before = kMissing;
    bool open = false;
    for (const EpisodeSession& session : episode_.sessions) {
      if (!attended(session) || is_missing(session.alliance)) continue;
      const double a = session.alliance;
      if (!open) {
        const bool low = a < options_.rupture_below;
        const bool drop = !is_missing(previous) && previous - a >= options_.rupture_drop;
        if (low || drop) {
          s_.ruptures.push_back({session.n, a, previous, 0});
          s_.rupture_sessions.push_back(session.n);
          before = previous;
          open = true;
        }
      } else if (a >= options_.rupture_below &&
                 (is_missing(before) || before - a < options_.rupture_drop)) {
        s_.ruptures.back().repaired_session = session.n;
        open = false;
      }
      previous = a;
    }
  }

  void alliance_dimension() {
    int n = 0;
    int first_session = 0;
    int last_session = 0;
    double last = kMissing;
    int ok_run = 0;  // ratings since (and including) the last repair, or all when none
    const int last_repair = s_.ruptures.empty() ? 0 : s_.ruptures.back().repaired_session;
    for (const EpisodeSession& session : episode_.sessions) {
      if (!attended(session) || is_missing(session.alliance)) continue;
      ++n;
      if (first_session == 0) first_session = session.n;
      last_session = session.n;
      last = session.alliance;
      if (session.n >= last_repair) ++ok_run;
    }
    const bool open = !s_.ruptures.empty() && s_.ruptures.back().repaired_session == 0;
    Dimension& d = out_.dimensions.emplace_back();
    d.name = "alliance";
    d.kind = DimensionKind::kAlliance;
    std::string_view rule;
    if (n == 0) {
      d.status = AchievementStatus::kInProgress;
      rule = "alliance.no-ratings";
      ok_run = 0;
    } else if (open) {
      d.status = AchievementStatus::kWorsening;
      rule = "alliance.rupture-open";
      ok_run = 0;
    } else if (!s_.ruptures.empty() && ok_run == 1) {
      d.status = AchievementStatus::kImproving;
      rule = "alliance.repaired";
    } else if (ok_run >= 1 + options_.sustain_sessions) {
      d.status = AchievementStatus::kSustaining;
      rule = "alliance.sustaining";
    } else {
      d.status = AchievementStatus::kAchieved;
      rule = "alliance.working";
    }
    d.evidence = evidence_for(rule, first_session, last_session);
    EvidenceValues& v = d.evidence.values;
    v.add("n_ratings", as_number(n));
    v.add("last_rating", last);
    v.add("ruptures", as_number(s_.ruptures.size()));
    v.add("open_rupture_session", as_number(open ? s_.ruptures.back().session : 0));
    v.add("last_repair_session", as_number(last_repair));
    v.add("steady_ratings", as_number(ok_run));
    v.add("rupture_below", options_.rupture_below);
    v.add("rupture_drop", options_.rupture_drop);
    v.add("sustain_sessions", as_number(options_.sustain_sessions));
  }

  void rupture_signals() {
    for (const Rupture& r : s_.ruptures) {
      const double drop = r.previous - r.rating;
      const bool low = r.rating < options_.rupture_below;
      const bool dropped = !is_missing(r.previous) && drop >= options_.rupture_drop;
      Signal& signal = add_signal(SignalType::kAllianceRupture, r.session);
      signal.evidence =
          evidence_for(low && dropped ? "alliance-rupture.low-and-drop"
                       : low          ? "alliance-rupture.low"
                                      : "alliance-rupture.drop",
                       r.session, r.repaired_session != 0 ? r.repaired_session : last_session_);
      EvidenceValues& v = signal.evidence.values;
      v.add("rating", r.rating);
      v.add("previous_rating", r.previous);
      v.add("drop", drop);
      v.add("rupture_below", options_.rupture_below);
      v.add("rupture_drop", options_.rupture_drop);
      v.add("repaired", yes_no(r.repaired_session != 0));
      v.add("repaired_session", as_number(r.repaired_session));
      Line line(s_.take_string());
      line << "alliance " << r.rating << " at session " << r.session;
      if (!is_missing(r.previous)) line << ", " << r.previous << " before";
      line << " (rupture: under " << options_.rupture_below << " or a drop of "
           << options_.rupture_drop << "); ";
      if (r.repaired_session != 0) {
        line << "repaired at session " << r.repaired_session;
      } else {
        line << "not yet repaired";
      }
      signal.reason = line.take();
    }
  }

  // ---- returning after a hard session -------------------------------------------------------

  void find_returns() {
    s_.returned_sessions.clear();
    const EpisodeSession* hard = nullptr;  // the last attended session, when it was hard
    int between = 0;
    for (const EpisodeSession& session : episode_.sessions) {
      if (!attended(session)) {
        ++between;
        continue;
      }
      if (hard != nullptr) {
        s_.returned_sessions.push_back(session.n);
        const bool felt_hard = hard->felt_hard;
        const bool rupture = contains(s_.rupture_sessions, hard->n);
        Signal& signal = add_signal(SignalType::kReturnedAfterHardSession, session.n);
        signal.evidence = evidence_for("returned-after-hard-session.attended", hard->n, session.n);
        EvidenceValues& v = signal.evidence.values;
        v.add("hard_session", as_number(hard->n));
        v.add("felt_hard", yes_no(felt_hard));
        v.add("rupture", yes_no(rupture));
        v.add("sessions_between", as_number(between));
        Line line(s_.take_string());
        line << "came back at session " << session.n << " after session " << hard->n;
        line << (felt_hard ? (rupture ? " felt hard and had an alliance rupture" : " felt hard")
                           : " had an alliance rupture");
        if (between > 0) line << " (" << between << " sessions not attended in between)";
        signal.reason = line.take();
      }
      const bool is_hard = session.felt_hard || contains(s_.rupture_sessions, session.n);
      hard = is_hard ? &session : nullptr;
      between = 0;
    }
    // The moment noted by either side counts too, where the attendance rule did not fire.
    for (const EpisodeSession& session : episode_.sessions) {
      if (contains(s_.returned_sessions, session.n)) continue;
      for (const Moment& moment : session.moments) {
        if (moment.tag != moment_tag::kReturnedAfterHardSession) continue;
        Signal& signal = add_signal(SignalType::kReturnedAfterHardSession, session.n);
        signal.evidence = evidence_for("returned-after-hard-session.noted", session.n, session.n);
        signal.evidence.values.add("noted_by_client", yes_no(moment.by == Rater::kClient));
        Line line(s_.take_string());
        line << "noted by the " << to_string(moment.by) << " at session " << session.n;
        signal.reason = line.take();
        break;
      }
    }
  }

  // ---- engagement and dropout risk ----------------------------------------------------------

  void dropout_facts() {
    DropoutFacts& f = dropout_;
    const auto& sessions = episode_.sessions;
    if (sessions.empty()) return;
    const std::size_t window = static_cast<std::size_t>(options_.dropout_window);
    const std::size_t from = sessions.size() > window ? sessions.size() - window : 0;
    f.window_first_session = sessions[from].n;
    for (std::size_t i = from; i < sessions.size(); ++i) {
      if (sessions[i].attendance == Attendance::kDidNotAttend) ++f.dna;
      if (sessions[i].attendance == Attendance::kCancelled) ++f.cancelled;
    }
    f.missed_part =
        std::min(options_.dropout_missed_cap, options_.dropout_weight_dna * f.dna +
                                                  options_.dropout_weight_cancelled * f.cancelled);

    s_.intervals.clear();
    const EpisodeSession* last_attended = nullptr;
    for (const EpisodeSession& session : sessions) {
      if (!attended(session)) continue;
      if (last_attended != nullptr) s_.intervals.push_back(session.day - last_attended->day);
      last_attended = &session;
    }
    if (last_attended != nullptr) {
      f.last_attended_session = last_attended->n;
      const int as_of = options_.as_of_day.value_or(sessions.back().day);
      f.gap_days = as_number(as_of - last_attended->day);
      f.hard_before = last_attended->felt_hard || contains(s_.rupture_sessions, last_attended->n);
    }
    if (!s_.intervals.empty()) {
      std::sort(s_.intervals.begin(), s_.intervals.end());
      const std::size_t m = s_.intervals.size();
      f.usual_interval =
          m % 2 == 1 ? s_.intervals[m / 2] : (s_.intervals[m / 2 - 1] + s_.intervals[m / 2]) / 2.0;
      f.long_gap = f.gap_days > options_.dropout_gap_factor * f.usual_interval;
    }
    f.risk = std::min(1.0, f.missed_part + (f.long_gap ? options_.dropout_weight_gap : 0.0) +
                               (f.hard_before ? options_.dropout_weight_hard_before : 0.0));
  }

  void add_dropout_values(EvidenceValues& v) const {
    const DropoutFacts& f = dropout_;
    v.add("risk", f.risk);
    v.add("dna", as_number(f.dna));
    v.add("cancelled", as_number(f.cancelled));
    v.add("missed_part", f.missed_part);
    v.add("gap_days", f.gap_days);
    v.add("usual_interval_days", f.usual_interval);
    v.add("long_gap", yes_no(f.long_gap));
    v.add("hard_before", yes_no(f.hard_before));
    v.add("last_attended_session", as_number(f.last_attended_session));
    v.add("window", as_number(options_.dropout_window));
    v.add("flag_at", options_.dropout_flag_at);
  }

  void engagement_dimension() {
    int attended_n = 0;
    int cancelled = 0;
    int dna = 0;
    for (const EpisodeSession& session : episode_.sessions) {
      attended_n += session.attendance == Attendance::kAttended ? 1 : 0;
      cancelled += session.attendance == Attendance::kCancelled ? 1 : 0;
      dna += session.attendance == Attendance::kDidNotAttend ? 1 : 0;
    }
    int run = 0;  // attended sessions at the end
    for (std::size_t k = episode_.sessions.size(); k-- > 0 && attended(episode_.sessions[k]);) {
      ++run;
    }
    const auto& sessions = episode_.sessions;
    Dimension& d = out_.dimensions.emplace_back();
    d.name = "engagement";
    d.kind = DimensionKind::kEngagement;
    std::string_view rule;
    if (sessions.empty()) {
      d.status = AchievementStatus::kInProgress;
      rule = "engagement.no-sessions";
    } else if (!episode_.ended && dropout_.risk >= options_.dropout_flag_at) {
      d.status = AchievementStatus::kWorsening;
      rule = "engagement.dropout-risk";
    } else if (run == 0) {
      d.status = AchievementStatus::kInProgress;
      rule = "engagement.last-not-attended";
    } else if (run == 1 && sessions.size() >= 2) {
      d.status = AchievementStatus::kImproving;
      rule = "engagement.came-back";
    } else if (run >= 1 + options_.sustain_sessions) {
      d.status = AchievementStatus::kSustaining;
      rule = "engagement.sustaining";
    } else {
      d.status = AchievementStatus::kAchieved;
      rule = "engagement.attending";
    }
    d.evidence = evidence_for(rule, sessions.empty() ? 0 : sessions.front().n, last_session_);
    EvidenceValues& v = d.evidence.values;
    v.add("attended", as_number(attended_n));
    v.add("cancelled_total", as_number(cancelled));
    v.add("dna_total", as_number(dna));
    v.add("attended_run", as_number(run));
    add_dropout_values(v);
  }

  void dropout_signal() {
    const DropoutFacts& f = dropout_;
    if (episode_.ended || episode_.sessions.empty() || f.risk < options_.dropout_flag_at) return;
    Signal& signal = add_signal(SignalType::kDropoutRisk, last_session_);
    signal.evidence = evidence_for("dropout-risk.score", f.window_first_session, last_session_);
    add_dropout_values(signal.evidence.values);
    Line line(s_.take_string());
    line << "risk " << f.risk << ":";
    const char* separator = " ";
    if (f.dna + f.cancelled > 0) {
      line << separator << f.dna << " missed and " << f.cancelled << " cancelled of the last "
           << options_.dropout_window << " sessions";
      separator = "; ";
    }
    if (f.long_gap) {
      line << separator << f.gap_days << " days since the last attended session, over "
           << options_.dropout_gap_factor << " x the usual " << f.usual_interval;
      separator = "; ";
    }
    if (f.hard_before) {
      line << separator << "session " << f.last_attended_session
           << " (the last attended) felt hard or had an alliance rupture";
    }
    signal.reason = line.take();
  }

  // ---- crisis, trajectory -------------------------------------------------------------------

  void crisis_signals() {
    const double min_value =
        instrument_.crisis_item ? instrument_.crisis_min_value : options_.crisis_min_value;
    for (const EpisodeSession& session : episode_.sessions) {
      if (is_missing(session.item9) || session.item9 < min_value) continue;
      Signal& signal = add_signal(SignalType::kCrisis, session.n);
      signal.evidence = evidence_for("crisis.item9", session.n, session.n);
      signal.evidence.values.add("item9", session.item9);
      signal.evidence.values.add("min_value", min_value);
      Line line(s_.take_string());
      line << "item 9 answered " << session.item9 << " at session " << session.n << " (raised at "
           << min_value << " or more)";
      signal.reason = line.take();
    }
  }

  void not_on_track_signal(const TrajectoryVerdict* verdict) {
    if (verdict == nullptr || !verdict->available || verdict->first_session_off_track <= 0) {
      return;
    }
    const int session = verdict->first_session_off_track;
    Signal& signal = add_signal(SignalType::kNotOnTrack, session);
    signal.evidence = evidence_for("not-on-track.trajectory", session, session);
    signal.evidence.values.add("first_session_off_track", as_number(session));
    signal.reason = verdict->reason;
  }

  // ---- perception gap -----------------------------------------------------------------------

  void perception_gaps() {
    for (std::size_t goal = 0; goal < episode_.goals.size(); ++goal) perception_gap(goal);
  }

  void perception_gap(std::size_t goal) {
    const EpisodeGoal& g = episode_.goals[goal];
    const double threshold = g.scale == GoalScale::kGbo ? options_.gap_gbo : options_.gap_gas;
    auto& points = s_.gap_points;
    points.clear();
    s_.gap_flags.clear();
    int run = 0;
    for (const EpisodeSession& session : episode_.sessions) {
      const double client = rating_by(session, goal, Rater::kClient);
      const double therapist = rating_by(session, goal, Rater::kTherapist);
      if (is_missing(client) || is_missing(therapist)) continue;
      points.push_back({session.n, client, therapist});
      run = std::fabs(client - therapist) >= threshold ? run + 1 : 0;
      if (run == options_.gap_run) s_.gap_flags.push_back(points.size() - 1);
    }

    PerceptionGap summary;
    summary.goal = static_cast<int>(goal);
    summary.n_pairs = static_cast<int>(points.size());
    const std::size_t half = points.size() / 2;
    double first_half = kMissing;
    double second_half = kMissing;
    double trend_code = kMissing;
    if (half >= 1) {
      first_half = 0.0;
      second_half = 0.0;
      for (std::size_t k = 0; k < half; ++k) {
        first_half += std::fabs(points[k].gap());
        second_half += std::fabs(points[points.size() - half + k].gap());
      }
      first_half /= as_number(half);
      second_half /= as_number(half);
      const double change = second_half - first_half;
      summary.trend = change <= -options_.gap_trend_min  ? GapTrend::kConverging
                      : change >= options_.gap_trend_min ? GapTrend::kDiverging
                                                         : GapTrend::kStable;
      trend_code = summary.trend == GapTrend::kConverging  ? -1.0
                   : summary.trend == GapTrend::kDiverging ? 1.0
                                                           : 0.0;
    }
    if (!points.empty()) summary.last_gap = points.back().gap();
    summary.flagged = !s_.gap_flags.empty();
    summary.evidence =
        evidence_for("perception-gap.trend", points.empty() ? 0 : points.front().session,
                     points.empty() ? 0 : points.back().session);
    EvidenceValues& v = summary.evidence.values;
    v.add("n_pairs", as_number(points.size()));
    v.add("last_gap", summary.last_gap);
    v.add("first_half_mean_abs", first_half);
    v.add("second_half_mean_abs", second_half);
    v.add("trend", trend_code);
    v.add("trend_min", options_.gap_trend_min);
    v.add("threshold", threshold);
    v.add("flags", as_number(s_.gap_flags.size()));

    for (const std::size_t at : s_.gap_flags) {
      const GapPoint& p = points[at];
      const GapPoint& start = points[at + 1 - static_cast<std::size_t>(options_.gap_run)];
      Signal& signal = add_signal(SignalType::kPerceptionGap, p.session);
      signal.subject = subject_for(goal);
      signal.evidence = evidence_for("perception-gap.run", start.session, p.session);
      EvidenceValues& sv = signal.evidence.values;
      sv.add("goal_number", as_number(goal + 1));
      sv.add("client", p.client);
      sv.add("therapist", p.therapist);
      sv.add("gap", p.gap());
      sv.add("previous_gap", at > 0 ? points[at - 1].gap() : kMissing);
      sv.add("threshold", threshold);
      sv.add("run", as_number(options_.gap_run));
      sv.add("first_half_mean_abs", first_half);
      sv.add("second_half_mean_abs", second_half);
      sv.add("trend", trend_code);
      Line line(s_.take_string());
      line << "goal " << std::string_view(g.id) << ": client " << p.client << " vs therapist "
           << p.therapist << " (gap " << p.gap() << ") at session " << p.session << ", "
           << options_.gap_run << " co-rated sessions running at " << threshold
           << " or more apart; gap " << to_string(summary.trend);
      signal.reason = line.take();
    }
    out_.perception_gaps.push_back(std::move(summary));
  }

  // ---- review due ---------------------------------------------------------------------------

  void review_due_signal() {
    if (episode_.ended) return;
    const int revised = episode_.definition_revised_session.value_or(0);
    int attended_since = 0;
    int due_by_count = 0;
    for (const EpisodeSession& session : episode_.sessions) {
      if (session.n <= revised || !attended(session)) continue;
      ++attended_since;
      if (attended_since == options_.review_after) due_by_count = session.n;
    }
    int sudden_session = 0;
    double sudden_kind = kMissing;
    if (options_.review_after_sudden_change) {
      for (const auto* changes : {&s_.gains, &s_.losses}) {
        for (const SuddenChange& change : *changes) {
          if (change.postgain_session <= revised) continue;
          if (sudden_session == 0 || change.postgain_session < sudden_session) {
            sudden_session = change.postgain_session;
            sudden_kind = change.kind == ChangeKind::kGain ? 1.0 : -1.0;
          }
          break;  // in session order: the first after the revision is the earliest
        }
      }
    }
    if (due_by_count == 0 && sudden_session == 0) return;
    const int session = due_by_count == 0     ? sudden_session
                        : sudden_session == 0 ? due_by_count
                                              : std::min(due_by_count, sudden_session);
    Signal& signal = add_signal(SignalType::kReviewDue, session);
    signal.evidence = evidence_for(due_by_count != 0 && sudden_session != 0
                                       ? "review-due.sessions-and-sudden-change"
                                   : due_by_count != 0 ? "review-due.sessions"
                                                       : "review-due.sudden-change",
                                   revised + 1, last_session_);
    EvidenceValues& v = signal.evidence.values;
    v.add("revised_session", as_number(revised));
    v.add("attended_since", as_number(attended_since));
    v.add("review_after", as_number(options_.review_after));
    v.add("due_by_sessions_at", as_number(due_by_count));
    v.add("sudden_change_session", as_number(sudden_session));
    v.add("sudden_change_kind", sudden_kind);
    Line line(s_.take_string());
    line << "progress definition last agreed ";
    if (revised == 0) {
      line << "at intake";
    } else {
      line << "at session " << revised;
    }
    if (due_by_count != 0) {
      line << "; " << attended_since << " sessions attended since (review after "
           << options_.review_after << ")";
    }
    if (sudden_session != 0) {
      line << "; sudden " << (sudden_kind > 0 ? "gain" : "loss") << " at session " << sudden_session
           << " since";
    }
    signal.reason = line.take();
  }

  // ---- patterns -----------------------------------------------------------------------------

  void patterns() {
    const bool stirring = stirring_pattern();  // decides before worsening, which it replaces
    if (symptoms_.reliable == ReliableChange::kImproved) {
      add_symptom_change_pattern(Pattern::kImproving, "pattern.improving");
    }
    if (symptoms_.reliable == ReliableChange::kDeteriorated && !stirring) {
      add_symptom_change_pattern(Pattern::kWorsening, "pattern.worsening");
    }
    steady_pattern();
    if (stirring) out_.patterns.push_back(std::move(stirring_finding_));
    sudden_pattern(Pattern::kSuddenGain, s_.gains, "pattern.sudden-gain");
    sudden_pattern(Pattern::kSuddenLoss, s_.losses, "pattern.sudden-loss");
    setback_recovery_pattern();
    early_response_pattern();
    achieved_pattern();
  }

  void add_symptom_change_pattern(Pattern pattern, std::string_view rule) {
    const SymptomFacts& f = symptoms_;
    PatternFinding& finding = out_.patterns.emplace_back();
    finding.pattern = pattern;
    finding.evidence = evidence_for(rule, f.first_session, f.last_session);
    EvidenceValues& v = finding.evidence.values;
    v.add("first_score", f.first);
    v.add("last_score", f.last);
    v.add("change", f.last - f.first);
    v.add("threshold", threshold_);
    v.add("n_scores", as_number(f.n_scores));
  }

  // The core's steadiness (no reliable change from the window's first to its last score, slope
  // interval including 0) and no reliable change from first to last score, and every score in
  // the window within less than the reliable change of each other (a rise and fall back inside
  // the window is not steady).
  void steady_pattern() {
    if (symptoms_.reliable != ReliableChange::kNone) return;
    const auto k = static_cast<std::size_t>(options_.window);
    if (s_.scored.size() < k) return;
    double low = score_at(s_.scored.back());
    double high = low;
    for (std::size_t i = s_.scored.size() - k; i < s_.scored.size(); ++i) {
      low = std::min(low, score_at(s_.scored[i]));
      high = std::max(high, score_at(s_.scored[i]));
    }
    if (high - low >= threshold_) return;
    const Steadiness& st = steadiness();
    if (!st.steady()) return;
    PatternFinding& finding = out_.patterns.emplace_back();
    finding.pattern = Pattern::kSteady;
    finding.evidence =
        evidence_for("pattern.steady", st.window_first_session, st.window_last_session);
    EvidenceValues& v = finding.evidence.values;
    v.add("window_first_score", st.window_first_score);
    v.add("window_last_score", st.window_last_score);
    v.add("window_change", st.change);
    v.add("window_range", high - low);
    v.add("threshold", st.threshold);
    v.add("change", symptoms_.last - symptoms_.first);
    v.add("slope", st.trend.slope);
    v.add("slope_lower", st.trend.lower);
    v.add("slope_upper", st.trend.upper);
    v.add("confidence", st.trend.confidence);
    v.add("window", as_number(options_.window));
  }

  // Symptoms rise over the recent window (a reliable rise from the window's first to its last
  // score, or a whole-series slope interval entirely on the worse side) while, from the window's
  // first scored session to the end, a goal moved forward by its reliable amount or a progress
  // moment was noted (or the client came back after a hard session).
  bool stirring_pattern() {
    if (symptoms_.n_scores < 2) return false;
    const std::size_t k =
        std::min<std::size_t>(static_cast<std::size_t>(options_.window), s_.scored.size());
    const int ws = s_.scored[s_.scored.size() - k];
    const int we = s_.scored.back();
    const double rise = worsening(score_at(ws), score_at(we));
    const bool reliable_rise = rise >= threshold_;

    int goals_forward = 0;
    int forward_goal = 0;
    double forward_change = kMissing;
    for (std::size_t goal = 0; goal < episode_.goals.size(); ++goal) {
      collect_points(goal);
      // Baseline: the last rating at or before the window's first scored session, else the
      // first rating inside the window; end: the last later rating.
      double baseline = kMissing;
      double end = kMissing;
      for (const GoalPoint& p : s_.points) {
        if (p.session <= ws || is_missing(baseline)) {
          baseline = p.rating;
        } else {
          end = p.rating;
        }
      }
      const double change = end - baseline;
      if (!is_missing(change) && change >= goal_reliable(episode_.goals[goal].scale)) {
        if (goals_forward == 0) {
          forward_goal = static_cast<int>(goal) + 1;
          forward_change = change;
        }
        ++goals_forward;
      }
    }
    int moments = 0;
    for (const EpisodeSession& session : episode_.sessions) {
      if (session.n < ws) continue;
      for (const Moment& moment : session.moments) {
        if (options_.free_tags_are_progress || is_well_known_moment_tag(moment.tag)) ++moments;
      }
    }
    int returns = 0;
    for (const int n : s_.returned_sessions) returns += n >= ws ? 1 : 0;
    if (goals_forward == 0 && moments + returns == 0) return false;
    // The slope band is consulted only when the rise over the window is not reliable on its own.
    const Trend* trend = reliable_rise ? nullptr : &steadiness().trend;
    const bool band_worse = trend != nullptr && trend->estimated() &&
                            (sign_ < 0 ? trend->lower > 0.0 : trend->upper < 0.0);
    if (!reliable_rise && !band_worse) return false;

    stirring_finding_ = PatternFinding{};
    stirring_finding_.pattern = Pattern::kStirring;
    stirring_finding_.evidence = evidence_for("pattern.stirring", ws, last_session_);
    EvidenceValues& v = stirring_finding_.evidence.values;
    v.add("window_first_score", score_at(ws));
    v.add("window_last_score", score_at(we));
    v.add("window_last_session", as_number(we));
    v.add("rise", rise);
    v.add("threshold", threshold_);
    v.add("reliable_rise", yes_no(reliable_rise));
    if (trend != nullptr) {
      v.add("slope_lower", trend->lower);
      v.add("slope_upper", trend->upper);
      v.add("slope_band_worse", yes_no(band_worse));
    }
    v.add("goals_forward", as_number(goals_forward));
    v.add("goal_number", as_number(forward_goal));
    v.add("goal_change", forward_change);
    v.add("moments", as_number(moments));
    v.add("returned", as_number(returns));
    return true;
  }

  void sudden_pattern(Pattern pattern, const std::vector<SuddenChange>& changes,
                      std::string_view rule) {
    if (changes.empty()) return;
    const SuddenChange& c = changes.front();
    PatternFinding& finding = out_.patterns.emplace_back();
    finding.pattern = pattern;
    finding.evidence = evidence_for(rule, c.pregain_session, c.postgain_session);
    EvidenceValues& v = finding.evidence.values;
    v.add("pregain_session", as_number(c.pregain_session));
    v.add("postgain_session", as_number(c.postgain_session));
    v.add("pregain_score", c.pregain_score);
    v.add("postgain_score", c.postgain_score);
    v.add("magnitude", c.magnitude);
    v.add("pre_mean", c.pre_mean);
    v.add("post_mean", c.post_mean);
    v.add("reversal", yes_no(c.reversal));
    v.add("count", as_number(changes.size()));
    v.add("cutoff", sudden_cutoff_);
    v.add("pct", options_.sudden_pct);
  }

  // A reliable rise from a scored session i to a later one j, then a later score k strictly
  // better than score i (the pre-setback level). The earliest k wins; for it the earliest j,
  // and for that j the worst qualifying i (the easiest level to get back under).
  void setback_recovery_pattern() {
    const auto& scored = s_.scored;
    const std::size_t n = scored.size();
    int best_i = 0;
    int best_j = 0;
    int best_k = 0;
    for (std::size_t j = 1; j < n; ++j) {
      const double sj = score_at(scored[j]);
      int pre = 0;  // the worst earlier score from which sj is a reliable rise
      for (std::size_t i = 0; i < j; ++i) {
        const double si = score_at(scored[i]);
        if (worsening(si, sj) < threshold_) continue;
        if (pre == 0 || worsening(score_at(pre), si) > 0.0) pre = scored[i];
      }
      if (pre == 0) continue;
      for (std::size_t k = j + 1; k < n; ++k) {
        if (best_k != 0 && scored[k] >= best_k) break;
        if (worsening(score_at(pre), score_at(scored[k])) < 0.0) {
          best_i = pre;
          best_j = scored[j];
          best_k = scored[k];
          break;
        }
      }
    }
    if (best_k == 0) return;
    PatternFinding& finding = out_.patterns.emplace_back();
    finding.pattern = Pattern::kSetbackRecovery;
    finding.evidence = evidence_for("pattern.setback-recovery", best_i, best_k);
    EvidenceValues& v = finding.evidence.values;
    v.add("pre_session", as_number(best_i));
    v.add("pre_score", score_at(best_i));
    v.add("setback_session", as_number(best_j));
    v.add("setback_score", score_at(best_j));
    v.add("rise", worsening(score_at(best_i), score_at(best_j)));
    v.add("recovery_session", as_number(best_k));
    v.add("recovery_score", score_at(best_k));
    v.add("threshold", threshold_);
  }

  void early_response_pattern() {
    const SymptomFacts& f = symptoms_;
    if (f.n_scores < 2) return;
    for (std::size_t k = 1; k < s_.scored.size(); ++k) {
      const int session = s_.scored[k];
      if (session > options_.early_response_by) return;
      if (!reliably_improved(f.first, score_at(session))) continue;
      PatternFinding& finding = out_.patterns.emplace_back();
      finding.pattern = Pattern::kEarlyResponse;
      finding.evidence = evidence_for("pattern.early-response", f.first_session, session);
      EvidenceValues& v = finding.evidence.values;
      v.add("baseline_session", as_number(f.first_session));
      v.add("baseline_score", f.first);
      v.add("response_session", as_number(session));
      v.add("response_score", score_at(session));
      v.add("improvement", -worsening(f.first, score_at(session)));
      v.add("threshold", threshold_);
      v.add("by_session", as_number(options_.early_response_by));
      return;
    }
  }

  // With goals: every goal achieved or sustaining (all sustaining: "sustaining"). Without goals:
  // the symptom dimension's status.
  void achieved_pattern() {
    int goals = 0;
    int achieved = 0;
    int sustaining = 0;
    int first_session = 0;
    int last_session = 0;
    for (const Dimension& d : out_.dimensions) {
      const bool counts = episode_.goals.empty() ? d.kind == DimensionKind::kSymptoms
                                                 : d.kind == DimensionKind::kGoal;
      if (!counts) continue;
      ++goals;
      achieved += d.status == AchievementStatus::kAchieved ? 1 : 0;
      sustaining += d.status == AchievementStatus::kSustaining ? 1 : 0;
      if (first_session == 0 ||
          (d.evidence.first_session != 0 && d.evidence.first_session < first_session)) {
        first_session = d.evidence.first_session;
      }
      last_session = std::max(last_session, d.evidence.last_session);
    }
    if (goals == 0 || achieved + sustaining < goals) return;
    PatternFinding& finding = out_.patterns.emplace_back();
    finding.pattern = sustaining == goals ? Pattern::kSustaining : Pattern::kAchieved;
    finding.evidence = evidence_for(
        episode_.goals.empty()
            ? (sustaining == goals ? "pattern.sustaining.symptoms" : "pattern.achieved.symptoms")
            : (sustaining == goals ? "pattern.sustaining.goals" : "pattern.achieved.goals"),
        first_session, last_session);
    EvidenceValues& v = finding.evidence.values;
    v.add("dimensions", as_number(goals));
    v.add("achieved", as_number(achieved));
    v.add("sustaining", as_number(sustaining));
    v.add("sustain_sessions", as_number(options_.sustain_sessions));
  }

  // ---- helpers ----------------------------------------------------------------------------

  // By session, then type; equal keys keep the order they were raised in.
  void sort_signals() {
    auto& keys = s_.signal_keys;
    keys.clear();
    for (std::size_t i = 0; i < out_.signals.size(); ++i) {
      keys.push_back({out_.signals[i].session, out_.signals[i].type, i});
    }
    const auto before = [](const auto& a, const auto& b) {
      if (a.session != b.session) return a.session < b.session;
      if (a.type != b.type) return a.type < b.type;
      return a.index < b.index;
    };
    if (std::is_sorted(keys.begin(), keys.end(), before)) return;
    std::sort(keys.begin(), keys.end(), before);
    s_.signal_buffer.clear();
    for (const auto& key : keys) s_.signal_buffer.push_back(std::move(out_.signals[key.index]));
    std::swap(out_.signals, s_.signal_buffer);
  }

  std::string subject_for(std::size_t goal) {
    std::string subject = s_.take_string();
    subject += "goal:";
    subject += episode_.goals[goal].id;
    return subject;
  }

  Signal& add_signal(SignalType type, int session) {
    Signal& signal = out_.signals.emplace_back();
    signal.type = type;
    signal.session = session;
    return signal;
  }

  const Episode& episode_;
  const Instrument& instrument_;
  const ProfileOptions& options_;
  double threshold_;
  double sign_;
  ScratchBuffers& s_;
  Profile& out_;
  int last_session_ = 0;
  double sudden_cutoff_ = kMissing;
  SymptomFacts symptoms_;
  Steadiness steadiness_;
  bool steadiness_ready_ = false;
  DropoutFacts dropout_;
  PatternFinding stirring_finding_;
};

Status validate_scores(const Episode& episode, const Instrument& instrument) {
  if (!(instrument.max_total > instrument.min_total)) return Status::ok();
  for (std::size_t i = 0; i < episode.sessions.size(); ++i) {
    const double score = episode.sessions[i].score;
    if (is_missing(score)) continue;
    if (score < instrument.min_total || score > instrument.max_total) {
      Line line;
      line << "session " << episode.sessions[i].n << ": score " << score << " is outside "
           << instrument.id << "'s range " << instrument.min_total << ".." << instrument.max_total;
      return Status::invalid_argument(line.take(), "sessions[" + std::to_string(i) + "].score");
    }
  }
  return Status::ok();
}

}  // namespace

// ---- names ------------------------------------------------------------------------------

std::string_view to_string(AchievementStatus status) {
  switch (status) {
    case AchievementStatus::kInProgress:
      return "in-progress";
    case AchievementStatus::kImproving:
      return "improving";
    case AchievementStatus::kWorsening:
      return "worsening";
    case AchievementStatus::kNoChange:
      return "no-change";
    case AchievementStatus::kAchieved:
      return "achieved";
    case AchievementStatus::kSustaining:
      return "sustaining";
    case AchievementStatus::kNotAchieved:
      return "not-achieved";
    case AchievementStatus::kNoProgress:
      return "no-progress";
    case AchievementStatus::kNotAttainable:
      return "not-attainable";
  }
  return "";
}

std::string_view to_string(Pattern pattern) {
  switch (pattern) {
    case Pattern::kImproving:
      return "improving";
    case Pattern::kWorsening:
      return "worsening";
    case Pattern::kSteady:
      return "steady";
    case Pattern::kStirring:
      return "stirring";
    case Pattern::kSuddenGain:
      return "sudden-gain";
    case Pattern::kSuddenLoss:
      return "sudden-loss";
    case Pattern::kSetbackRecovery:
      return "setback-recovery";
    case Pattern::kEarlyResponse:
      return "early-response";
    case Pattern::kAchieved:
      return "achieved";
    case Pattern::kSustaining:
      return "sustaining";
  }
  return "";
}

std::string_view to_string(SignalType type) {
  switch (type) {
    case SignalType::kCrisis:
      return "crisis";
    case SignalType::kNotOnTrack:
      return "not-on-track";
    case SignalType::kAllianceRupture:
      return "alliance-rupture";
    case SignalType::kDropoutRisk:
      return "dropout-risk";
    case SignalType::kPerceptionGap:
      return "perception-gap";
    case SignalType::kReviewDue:
      return "review-due";
    case SignalType::kReturnedAfterHardSession:
      return "returned-after-hard-session";
  }
  return "";
}

std::string_view to_string(DimensionKind kind) {
  switch (kind) {
    case DimensionKind::kSymptoms:
      return "symptoms";
    case DimensionKind::kGoal:
      return "goal";
    case DimensionKind::kAlliance:
      return "alliance";
    case DimensionKind::kEngagement:
      return "engagement";
  }
  return "";
}

std::string_view to_string(GapTrend trend) {
  switch (trend) {
    case GapTrend::kInsufficientData:
      return "insufficient-data";
    case GapTrend::kConverging:
      return "converging";
    case GapTrend::kStable:
      return "stable";
    case GapTrend::kDiverging:
      return "diverging";
  }
  return "";
}

std::optional<double> EvidenceValues::get(std::string_view name) const {
  for (std::size_t i = 0; i < size_; ++i) {
    if (items_[i].name == name) return items_[i].value;
  }
  return std::nullopt;
}

const PatternFinding* Profile::find(Pattern pattern) const {
  for (const PatternFinding& finding : patterns) {
    if (finding.pattern == pattern) return &finding;
  }
  return nullptr;
}

const Dimension* Profile::dimension(std::string_view name) const {
  for (const Dimension& d : dimensions) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

int Profile::count(SignalType type) const {
  return static_cast<int>(std::count_if(signals.begin(), signals.end(),
                                        [type](const Signal& s) { return s.type == type; }));
}

const Signal* Profile::first(SignalType type) const {
  for (const Signal& signal : signals) {
    if (signal.type == type) return &signal;
  }
  return nullptr;
}

// ---- options ----------------------------------------------------------------------------

Status validate(const ProfileOptions& o) {
  const auto bad = [](const char* field, const char* what) {
    return Status::invalid_argument(std::string(field) + " " + what, field);
  };
  constexpr const char* kPositive = "must be a positive number";
  constexpr const char* kWeight = "must be a weight between 0 and 1";
  if (!is_missing(o.reliable_change) && !positive(o.reliable_change)) {
    return bad("reliable_change", kPositive);
  }
  if (o.window < 2) return bad("window", "must be at least 2 scores");
  if (!(o.trend_confidence > 0.0 && o.trend_confidence < 1.0)) {
    return bad("trend_confidence", "must be between 0 and 1");
  }
  if (!is_missing(o.sudden_cutoff) && !positive(o.sudden_cutoff)) {
    return bad("sudden_cutoff", kPositive);
  }
  if (!(std::isfinite(o.sudden_pct) && o.sudden_pct >= 0.0)) {
    return bad("sudden_pct", "must be a number of at least 0");
  }
  if (o.early_response_by < 1) return bad("early_response_by", "must be a session number");
  if (!positive(o.gbo_reliable_change)) return bad("gbo_reliable_change", kPositive);
  if (!positive(o.gas_reliable_change)) return bad("gas_reliable_change", kPositive);
  if (!(std::isfinite(o.gbo_achieved) && o.gbo_achieved >= 0.0 && o.gbo_achieved <= 10.0)) {
    return bad("gbo_achieved", "must be a rating from 0 to 10");
  }
  if (!(std::isfinite(o.gas_achieved) && o.gas_achieved >= -2.0 && o.gas_achieved <= 2.0)) {
    return bad("gas_achieved", "must be a level from -2 to 2");
  }
  if (o.sustain_sessions < 1) return bad("sustain_sessions", "must be at least 1");
  if (!positive(o.rupture_drop)) return bad("rupture_drop", kPositive);
  if (!positive(o.rupture_below)) return bad("rupture_below", kPositive);
  if (!positive(o.gap_gbo)) return bad("gap_gbo", kPositive);
  if (!positive(o.gap_gas)) return bad("gap_gas", kPositive);
  if (o.gap_run < 1) return bad("gap_run", "must be at least 1");
  if (!positive(o.gap_trend_min)) return bad("gap_trend_min", kPositive);
  if (o.dropout_window < 1) return bad("dropout_window", "must be at least 1");
  if (!unit_weight(o.dropout_weight_dna)) return bad("dropout_weight_dna", kWeight);
  if (!unit_weight(o.dropout_weight_cancelled)) return bad("dropout_weight_cancelled", kWeight);
  if (o.dropout_weight_cancelled > o.dropout_weight_dna) {
    return bad("dropout_weight_cancelled", "must not exceed dropout_weight_dna");
  }
  if (!unit_weight(o.dropout_missed_cap)) return bad("dropout_missed_cap", kWeight);
  if (!positive(o.dropout_gap_factor)) return bad("dropout_gap_factor", kPositive);
  if (!unit_weight(o.dropout_weight_gap)) return bad("dropout_weight_gap", kWeight);
  if (!unit_weight(o.dropout_weight_hard_before)) {
    return bad("dropout_weight_hard_before", kWeight);
  }
  if (!(std::isfinite(o.dropout_flag_at) && o.dropout_flag_at > 0.0 && o.dropout_flag_at <= 1.0)) {
    return bad("dropout_flag_at", "must be in (0, 1]");
  }
  if (o.review_after < 1) return bad("review_after", "must be at least 1");
  if (o.crisis_min_value < 1) return bad("crisis_min_value", "must be at least 1");
  return Status::ok();
}

// ---- workspace --------------------------------------------------------------------------

struct ProfileWorkspace::Scratch : ScratchBuffers {
  using ScratchBuffers::ScratchBuffers;
};

ProfileWorkspace::ProfileWorkspace(int expected_sessions)
    : scratch_(std::make_unique<Scratch>(expected_sessions)) {}
ProfileWorkspace::~ProfileWorkspace() = default;
ProfileWorkspace::ProfileWorkspace(ProfileWorkspace&&) noexcept = default;
ProfileWorkspace& ProfileWorkspace::operator=(ProfileWorkspace&&) noexcept = default;

Status ProfileWorkspace::profile(const Episode& episode, const Instrument& instrument,
                                 const ProfileOptions& options,
                                 const TrajectoryVerdict* not_on_track, Profile& out) {
  out.id = episode.id;
  out.dimensions.clear();
  out.patterns.clear();
  for (Signal& signal : out.signals) {
    if (signal.reason.capacity() > 15) scratch_->spare_strings.push_back(std::move(signal.reason));
    if (signal.subject.capacity() > 15)
      scratch_->spare_strings.push_back(std::move(signal.subject));
  }
  out.signals.clear();
  out.perception_gaps.clear();
  out.dropout_risk = 0.0;
  if (Status st = validate(options); !st.is_ok()) return st;
  const double threshold = std::isfinite(options.reliable_change)
                               ? options.reliable_change
                               : instrument.reliable_change_threshold.value_or(kNaN);
  if (!positive(threshold)) {
    return Status::invalid_argument(
        "instrument '" + instrument.id + "' has no reliable-change threshold; set reliable_change",
        "reliable_change");
  }
  if (Status st = validate(episode); !st.is_ok()) return st;
  if (Status st = validate_scores(episode, instrument); !st.is_ok()) return st;
  Profiler profiler(episode, instrument, options, threshold, *scratch_, out);
  profiler.run(not_on_track);
  return Status::ok();
}

Result<Profile> profile_episode(const Episode& episode, const Instrument& instrument,
                                const ProfileOptions& options,
                                const TrajectoryVerdict* not_on_track) {
  ProfileWorkspace workspace;
  Profile profile;
  if (Status st = workspace.profile(episode, instrument, options, not_on_track, profile);
      !st.is_ok()) {
    return fail(std::move(st));
  }
  return profile;
}

}  // namespace tandem::core
