// Sudden gains and sudden losses in session-by-session scores (Tang & DeRubeis 1999;
// Lutz et al. 2013), reproducing the R package suddengains 0.7.2 on the project's peer
// cases (docs/methods/sudden_gains.md). Pure functions over one client's series; thread-safe.
// The kernels write into caller-owned buffers so that bulk runs allocate nothing per client.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

enum class ChangeKind : std::int8_t { kGain, kLoss };

struct SuddenGainOptions {
  ChangeKind kind = ChangeKind::kGain;
  // A gain is an improvement: a fall when lower is better.
  Direction direction = Direction::kLowerIsBetter;
  double cutoff = 7.0;  // criterion 1 magnitude (> 0), Tang & DeRubeis' 7 BDI points
  double pct = 0.25;    // criterion 2 relative magnitude
  bool use_crit3 = true;
  bool adjust_critical_value = true;  // qt(0.975, n_pre + n_post - 2) vs a fixed value
  double critical_value = 2.776;      // used when adjust_critical_value is false
  // Reproduce quirks S3 (loss crit 2) and S8 (byperson on losses); with use_crit3 off, also S1
  // (the first and last intervals are never tested).
  bool compat_suddengains = false;
};

// InvalidArgument (with the option's name as field) unless cutoff > 0, pct >= 0 and, when
// criterion 3 uses a fixed critical value, critical_value > 0; all finite. The kernels do not
// check.
Status validate(const SuddenGainOptions& options);

// Criterion 1 cutoff from a measure's SD and reliability: z * sqrt(2 * (sd * sqrt(1 - r))^2),
// the reliable change value (Lutz et al. 2013; suddengains::define_crit1_cutoff uses z = 1.96).
// NaN unless sd >= 0 and 0 <= reliability <= 1.
double crit1_cutoff_from_reliability(double sd, double reliability, double z = 1.96);

// Two-tailed 5% critical value of Student's t, |qt(0.025, df)|; df 2..4 (the only ones the
// criterion-3 windows produce) come from a table, others from student_t_quantile.
double crit3_critical_value(int df);

// Sessions numbered from 1; postgain = pregain + 1.
struct IntervalTest {
  int pregain_session;
  Flag crit1, crit2, crit3, sudden;
};

// One entry per interval 1->2 ... (S-1)->S; untestable ends come out NA exactly as the
// missing-data rules give. Writes into `out` (cleared first) so bulk callers can reuse the
// buffer: no allocation per client in steady state.
void test_intervals(std::span<const double> scores, const SuddenGainOptions& options,
                    std::vector<IntervalTest>& out);

struct SuddenChange {
  ChangeKind kind;
  int pregain_session;
  int postgain_session;
  // Scores at sessions n-2, n-1, n, n+1, n+2, n+3 (NaN when missing/outside).
  std::array<double, 6> around;
  double pregain_score, postgain_score;
  // The improvement from pregain to postgain: pregain - postgain when lower is better, as
  // suddengains; positive for gains and negative for losses in either direction.
  double magnitude;
  double pre_mean, post_mean;  // means of the criterion-3 windows
  // magnitude (|magnitude| for losses) over the improvement from the first to the last session
  // column, as suddengains (S7): NaN when undefined, +Inf when total change is 0.
  double change_proportion;
  // Midpoint of pregain and postgain; reversal: a later score (session n+2 on) beyond it,
  // back toward the pregain side.
  double reversal_value;
  bool reversal;
};

// Every interval whose combined flag is kYes, in session order. Writes into `out` (cleared first).
void find_sudden_changes(std::span<const double> scores, const SuddenGainOptions& options,
                         std::vector<SuddenChange>& out);

enum class Selection : std::int8_t { kFirst, kLast, kSmallest, kLargest };

// Index into `changes` (one person's, one kind) of the one change chosen per person, or nullopt
// if there are none. Smallest/largest compare |magnitude|; with compat_suddengains the signed
// magnitude, so for losses "largest" is the smallest loss (S8). Ties: the earliest session wins.
std::optional<std::size_t> select_one(std::span<const SuddenChange> changes, Selection selection,
                                      bool compat_suddengains);

}  // namespace tandem::core
