#include "core/sudden_gains.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/statistics.hpp"

namespace tandem::core {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Criterion 3 compares the means of up to three scores before and after the interval
// (Tang & DeRubeis 1999, Method): sessions n-2..n and n+1..n+3, cut at the series' ends.
constexpr std::size_t kWindow = 3;
// Lutz et al. (2013): criterion 3 stays testable with one score missing on either side, so
// each window needs at least two scores (suddengains: n_pre >= 2 and n_post >= 2).
constexpr std::size_t kMinWindowScores = 2;

// |qt(0.025, df)| for df = 2, 3, 4: Student's t, two-tailed alpha .05. 2.776 (df 4) is Tang &
// DeRubeis' (1999) value, 3.182 and 4.303 Lutz et al.'s (2013) for one and two missing scores.
// Closed forms for df 2 and 4, bisection on the exact df-3 distribution function.
constexpr std::array<double, 3> kT975 = {4.302652729749464, 3.182446305283706, 2.776445105197793};
constexpr int kFirstTabledDf = 2;

// The options turned into what the inner loop needs, once per call.
struct Criteria {
  double toward;  // +1 if the change looked for is a rise in the score, -1 if a fall
  double cutoff;
  double pct;  // signed so that criterion 2 always reads moved >= pct * pregain
  bool use_crit3;
  bool adjust;
  double fixed_critical_value;
  bool untestable_ends;  // suddengains never tests 1->2 and (S-1)->S, whatever the criteria (S1)

  explicit Criteria(const SuddenGainOptions& options)
      : toward(options.kind == ChangeKind::kGain ? improvement_sign(options.direction)
                                                 : -improvement_sign(options.direction)),
        cutoff(options.cutoff),
        // suddengains' identify_sl tests pre - post <= pct * pre (S3): with lower is better that
        // is rise >= -pct * pre, which every rise passes when pct > 0.
        pct(options.kind == ChangeKind::kLoss && options.compat_suddengains ? -options.pct
                                                                            : options.pct),
        use_crit3(options.use_crit3),
        adjust(options.adjust_critical_value),
        fixed_critical_value(options.critical_value),
        untestable_ends(options.compat_suddengains) {}
};

struct WindowStats {
  std::size_t n = 0;
  double mean = kNaN;
  double sum_squares = 0.0;  // of deviations from the mean
};

WindowStats window_stats(std::span<const double> scores, std::size_t first, std::size_t last) {
  WindowStats stats;
  double sum = 0.0;
  for (std::size_t i = first; i <= last; ++i) {
    if (is_missing(scores[i])) continue;
    sum += scores[i];
    ++stats.n;
  }
  if (stats.n == 0) return stats;
  stats.mean = sum / static_cast<double>(stats.n);
  for (std::size_t i = first; i <= last; ++i) {
    if (is_missing(scores[i])) continue;
    const double deviation = scores[i] - stats.mean;
    stats.sum_squares += deviation * deviation;
  }
  return stats;
}

struct Windows {
  WindowStats pre, post;
};

// pregain is a 0-based index; the interval is pregain -> pregain + 1.
Windows criterion3_windows(std::span<const double> scores, std::size_t pregain) {
  const std::size_t pre_first = pregain >= kWindow - 1 ? pregain - (kWindow - 1) : 0;
  const std::size_t post_last = std::min(scores.size() - 1, pregain + kWindow);
  return {window_stats(scores, pre_first, pregain), window_stats(scores, pregain + 1, post_last)};
}

// Flags combine like suddengains' product crit1 * crit2 * crit3: NA if any is NA, even when
// another already fails (R: NA * 0 = NA) (S5).
Flag combine(Flag a, Flag b) {
  if (a == Flag::kNa || b == Flag::kNa) return Flag::kNa;
  return to_flag(a == Flag::kYes && b == Flag::kYes);
}

Flag criterion3(const Windows& windows, const Criteria& criteria) {
  const WindowStats& pre = windows.pre;
  const WindowStats& post = windows.post;
  if (pre.n < kMinWindowScores || post.n < kMinWindowScores) return Flag::kNa;
  const int df = static_cast<int>(pre.n + post.n) - 2;
  const double critical_value =
      criteria.adjust ? crit3_critical_value(df) : criteria.fixed_critical_value;
  // Pooled SD, not a standard error: Tang & DeRubeis (1999), as suddengains.
  const double pooled_sd = std::sqrt((pre.sum_squares + post.sum_squares) / df);
  // Strict: with zero variance any shift passes and no shift fails (S4, S6).
  return to_flag(criteria.toward * (post.mean - pre.mean) > critical_value * pooled_sd);
}

// Criteria 1 and 2 (S4: both >=); NA when the pregain or postgain score is missing (S5).
void test_magnitude(std::span<const double> scores, std::size_t pregain, const Criteria& criteria,
                    IntervalTest& test) {
  const double before = scores[pregain];
  const double after = scores[pregain + 1];
  if (is_missing(before) || is_missing(after)) return;
  // toward * (after - before) is bit-for-bit suddengains' pre - post (gains, lower is better)
  // or -(pre - post) (losses): IEEE subtraction is antisymmetric.
  const double moved = criteria.toward * (after - before);
  test.crit1 = to_flag(moved >= criteria.cutoff);
  test.crit2 = to_flag(moved >= criteria.pct * before);
}

// Criterion 3 and the combined flag, given criteria 1 and 2 in `test`.
void test_shift(std::span<const double> scores, std::size_t pregain, const Criteria& criteria,
                const Windows& windows, IntervalTest& test) {
  if (criteria.use_crit3) {
    test.crit3 = criterion3(windows, criteria);
    test.sudden = combine(combine(test.crit1, test.crit2), test.crit3);
    return;
  }
  const bool at_end = pregain == 0 || pregain + 2 == scores.size();
  if (!(criteria.untestable_ends && at_end)) test.sudden = combine(test.crit1, test.crit2);
}

IntervalTest untested(std::size_t pregain) {
  return {static_cast<int>(pregain) + 1, Flag::kNa, Flag::kNa, Flag::kNa, Flag::kNa};
}

// How much better `after` is than `before`; written as the difference itself, not as a sign
// times it, so that no change is +0 (as in R) and not -0, which would turn x / 0 into -Inf.
double improvement(double before, double after, Direction direction) {
  return direction == Direction::kLowerIsBetter ? before - after : after - before;
}

double session_score(std::span<const double> scores, std::ptrdiff_t index) {
  if (index < 0 || index >= static_cast<std::ptrdiff_t>(scores.size())) return kMissing;
  return scores[static_cast<std::size_t>(index)];
}

SuddenChange describe(std::span<const double> scores, std::size_t pregain, const Windows& windows,
                      const SuddenGainOptions& options, const Criteria& criteria) {
  SuddenChange change{};
  change.kind = options.kind;
  change.pregain_session = static_cast<int>(pregain) + 1;
  change.postgain_session = change.pregain_session + 1;
  const auto n = static_cast<std::ptrdiff_t>(pregain);
  for (std::ptrdiff_t k = 0; k < static_cast<std::ptrdiff_t>(change.around.size()); ++k) {
    change.around[static_cast<std::size_t>(k)] = session_score(scores, n - 2 + k);
  }
  const double before = scores[pregain];
  const double after = scores[pregain + 1];
  change.pregain_score = before;
  change.postgain_score = after;
  change.magnitude = improvement(before, after, options.direction);
  change.pre_mean = windows.pre.mean;
  change.post_mean = windows.post.mean;

  // Treatment change from the first to the last session column, present or not (S7).
  const double total_improvement = improvement(scores.front(), scores.back(), options.direction);
  const double numerator =
      options.kind == ChangeKind::kGain ? change.magnitude : std::fabs(change.magnitude);
  change.change_proportion = numerator / total_improvement;
  // suddengains turns only -Inf into NA; +Inf (no total change) is kept (S7).
  if (change.change_proportion == -std::numeric_limits<double>::infinity()) {
    change.change_proportion = kNaN;
  }

  // suddengains: postgain + magnitude / 2, the midpoint of pregain and postgain.
  change.reversal_value = after + (before - after) / 2.0;
  change.reversal = false;
  for (std::size_t i = pregain + 2; i < scores.size(); ++i) {
    if (is_missing(scores[i])) continue;
    // Back past the midpoint, toward the pregain score.
    if (criteria.toward * (scores[i] - change.reversal_value) < 0.0) {
      change.reversal = true;
      break;
    }
  }
  return change;
}

}  // namespace

Status validate(const SuddenGainOptions& options) {
  if (!std::isfinite(options.cutoff) || options.cutoff <= 0.0) {
    return Status::invalid_argument("criterion 1 cutoff must be a positive number", "cutoff");
  }
  if (!std::isfinite(options.pct) || options.pct < 0.0) {
    return Status::invalid_argument("criterion 2 proportion must be a number >= 0", "pct");
  }
  if (options.use_crit3 && !options.adjust_critical_value &&
      (!std::isfinite(options.critical_value) || options.critical_value <= 0.0)) {
    return Status::invalid_argument("criterion 3 critical value must be a positive number",
                                    "critical_value");
  }
  return Status::ok();
}

double crit1_cutoff_from_reliability(double sd, double reliability, double z) {
  if (!(sd >= 0.0) || !(reliability >= 0.0 && reliability <= 1.0)) return kNaN;
  // Same operations in the same order as suddengains::define_crit1_cutoff (Jacobson & Truax 1991).
  const double standard_error = sd * std::sqrt(1.0 - reliability);
  const double s_diff = std::sqrt(2.0 * (standard_error * standard_error));
  return z * s_diff;
}

double crit3_critical_value(int df) {
  const int slot = df - kFirstTabledDf;
  if (slot >= 0 && slot < static_cast<int>(kT975.size())) {
    return kT975[static_cast<std::size_t>(slot)];
  }
  return student_t_quantile(0.975, df);
}

void test_intervals(std::span<const double> scores, const SuddenGainOptions& options,
                    std::vector<IntervalTest>& out) {
  out.clear();
  if (scores.size() < 2) return;
  out.reserve(scores.size() - 1);
  const Criteria criteria(options);
  for (std::size_t pregain = 0; pregain + 1 < scores.size(); ++pregain) {
    IntervalTest test = untested(pregain);
    test_magnitude(scores, pregain, criteria, test);
    test_shift(scores, pregain, criteria, criterion3_windows(scores, pregain), test);
    out.push_back(test);
  }
}

void find_sudden_changes(std::span<const double> scores, const SuddenGainOptions& options,
                         std::vector<SuddenChange>& out) {
  out.clear();
  if (scores.size() < 2) return;
  const Criteria criteria(options);
  for (std::size_t pregain = 0; pregain + 1 < scores.size(); ++pregain) {
    IntervalTest test = untested(pregain);
    test_magnitude(scores, pregain, criteria, test);
    // Only a Yes on both can combine to Yes: skip criterion 3 for the rest (most intervals).
    if (test.crit1 != Flag::kYes || test.crit2 != Flag::kYes) continue;
    const Windows windows = criterion3_windows(scores, pregain);
    test_shift(scores, pregain, criteria, windows, test);
    if (test.sudden == Flag::kYes) {
      out.push_back(describe(scores, pregain, windows, options, criteria));
    }
  }
}

std::optional<std::size_t> select_one(std::span<const SuddenChange> changes, Selection selection,
                                      bool compat_suddengains) {
  if (changes.empty()) return std::nullopt;
  auto size = [compat_suddengains](const SuddenChange& change) {
    return compat_suddengains ? change.magnitude : std::fabs(change.magnitude);
  };
  // true when candidate should replace best; equal keys keep the earlier session.
  auto better = [&](const SuddenChange& candidate, const SuddenChange& best) {
    const bool earlier = candidate.pregain_session < best.pregain_session;
    switch (selection) {
      case Selection::kFirst:
        return earlier;
      case Selection::kLast:
        return candidate.pregain_session > best.pregain_session;
      case Selection::kSmallest:
        return size(candidate) < size(best) || (size(candidate) == size(best) && earlier);
      case Selection::kLargest:
        return size(candidate) > size(best) || (size(candidate) == size(best) && earlier);
    }
    return false;
  };
  std::size_t best = 0;
  for (std::size_t i = 1; i < changes.size(); ++i) {
    if (better(changes[i], changes[best])) best = i;
  }
  return best;
}

}  // namespace tandem::core
