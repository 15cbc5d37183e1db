#include "core/trajectory.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <random>
#include <utility>

namespace tandem::core {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxStrata = 1000;

// Short numbers for sentences: whole numbers without decimals, others to one decimal.
std::string number_text(double value) {
  if (std::isnan(value)) return "missing";
  char buffer[64];
  if (std::isfinite(value) && value == std::round(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
  }
  return buffer;
}

std::string range_text(double lower, double upper, bool upper_inclusive) {
  return number_text(lower) + (upper_inclusive ? " to " : " to under ") + number_text(upper);
}

Status invalid(const std::string& field, const std::string& problem) {
  return Status::invalid_argument(field + ": " + problem, field);
}

std::array<double, kBandPercentiles> as_array(const PercentileBand& band) {
  return {band.p10, band.p25, band.p50, band.p75, band.p90};
}

PercentileBand band_at(const std::vector<double>& values, std::size_t cell) {
  const double* v = values.data() + cell * kBandPercentiles;
  return {v[0], v[1], v[2], v[3], v[4]};
}

// Position of the alert edge in a band (p10 p25 p50 p75 p90) and its name for sentences.
std::size_t edge_index(const TrajectoryOptions& options) {
  const bool p90 = options.alert_edge == AlertEdge::kP90;
  if (options.direction == Direction::kLowerIsBetter) return p90 ? 4 : 3;
  return p90 ? 0 : 1;
}

const char* edge_name(const TrajectoryOptions& options) {
  static constexpr std::array<const char*, kBandPercentiles> kNames = {"10th", "25th", "50th",
                                                                       "75th", "90th"};
  return kNames[edge_index(options)];
}

bool is_worse(double score, double edge, Direction direction) {
  return direction == Direction::kLowerIsBetter ? score > edge : score < edge;
}

// Index of the stratum holding `intake` among increasing, non-overlapping strata given by
// their bounds; the top one is closed above. -1 when none (or the intake is missing).
template <class Stratum>
int find_stratum(const std::vector<Stratum>& strata, double intake) {
  if (strata.empty() || !std::isfinite(intake)) return -1;
  const auto after =
      std::upper_bound(strata.begin(), strata.end(), intake,
                       [](double value, const Stratum& stratum) { return value < stratum.lower; });
  if (after == strata.begin()) return -1;
  const auto index = static_cast<int>(after - strata.begin()) - 1;
  const Stratum& found = strata[static_cast<std::size_t>(index)];
  const bool top = static_cast<std::size_t>(index) + 1 == strata.size();
  if (intake < found.upper || (top && intake == found.upper)) return index;
  return -1;
}

// Tukey's running median of 3, end values copied, in place over a run.
void running_median3(std::span<double> run, std::vector<double>& scratch) {
  if (run.size() < 3) return;
  scratch.assign(run.begin(), run.end());
  for (std::size_t i = 1; i + 1 < run.size(); ++i) {
    const double a = scratch[i - 1];
    const double b = scratch[i];
    const double c = scratch[i + 1];
    run[i] = std::max(std::min(a, b), std::min(std::max(a, b), c));
  }
}

// Hanning: (x[i-1] + 2 x[i] + x[i+1]) / 4, end values copied, in place over a run.
void hanning(std::span<double> run, std::vector<double>& scratch) {
  if (run.size() < 3) return;
  scratch.assign(run.begin(), run.end());
  for (std::size_t i = 1; i + 1 < run.size(); ++i) {
    run[i] = 0.25 * scratch[i - 1] + 0.5 * scratch[i] + 0.25 * scratch[i + 1];
  }
}

Status check_columns(const EpisodeColumns& episodes) {
  if (episodes.offsets.empty()) return Status::ok();
  std::size_t previous = episodes.offsets.front();
  for (std::size_t i = 0; i < episodes.offsets.size(); ++i) {
    const std::size_t offset = episodes.offsets[i];
    if (offset < previous || offset > episodes.scores.size()) {
      return invalid("offsets[" + std::to_string(i) + "]",
                     "offsets must be non-decreasing and within the scores");
    }
    previous = offset;
  }
  return Status::ok();
}

// Every score finite (or missing) and, when the options give a scale, on it.
Status check_scores(const EpisodeColumns& episodes, const TrajectoryOptions& options) {
  const bool check_scale = !std::isnan(options.scale_min);
  for (std::size_t i = 0; i < episodes.size(); ++i) {
    const std::span<const double> scores = episodes.episode(i);
    for (std::size_t k = 0; k < scores.size(); ++k) {
      const double score = scores[k];
      if (is_missing(score)) continue;
      if (std::isinf(score) ||
          (check_scale && (score < options.scale_min || score > options.scale_max))) {
        return invalid("episodes[" + std::to_string(i) + "].session[" + std::to_string(k + 1) + "]",
                       "score " + number_text(score) + " is not a finite score on the scale");
      }
    }
  }
  return Status::ok();
}

// Flattens a vector-of-vectors reference into columns that the first overloads take.
struct OwnedColumns {
  std::vector<double> scores;
  std::vector<std::size_t> offsets;
  [[nodiscard]] EpisodeColumns view() const { return {scores, offsets}; }
};

OwnedColumns flatten(std::span<const std::vector<double>> episodes) {
  OwnedColumns columns;
  columns.offsets.reserve(episodes.size() + 1);
  columns.offsets.push_back(0);
  for (const std::vector<double>& episode : episodes) {
    columns.scores.insert(columns.scores.end(), episode.begin(), episode.end());
    columns.offsets.push_back(columns.scores.size());
  }
  return columns;
}

// Uniform integer in [0, bound) from a 64-bit engine, without modulo bias: draws below
// 2^64 mod bound are rejected (the arc4random_uniform construction). Engine output is fixed
// by the standard, so this is reproducible across standard libraries, unlike
// std::uniform_int_distribution and std::shuffle.
std::uint64_t bounded_draw(std::mt19937_64& engine, std::uint64_t bound) {
  const std::uint64_t threshold = (std::uint64_t{0} - bound) % bound;
  for (;;) {
    const std::uint64_t r = engine();
    if (r >= threshold) return r % bound;
  }
}

double ratio(std::size_t numerator, std::size_t denominator) {
  return denominator == 0 ? kNaN
                          : static_cast<double>(numerator) / static_cast<double>(denominator);
}

double median_of(std::vector<double>& values) {
  std::sort(values.begin(), values.end());
  return type7_quantile(values, 0.5);
}

}  // namespace

double type7_quantile(std::span<const double> sorted, double p) {
  if (sorted.empty()) return kNaN;
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const double below = std::floor(h);
  const auto j = static_cast<std::size_t>(below);
  if (j + 1 >= sorted.size()) return sorted.back();
  return sorted[j] + (h - below) * (sorted[j + 1] - sorted[j]);
}

Result<std::vector<IntakeStratum>> band_strata(const Instrument& instrument) {
  if (instrument.bands.empty()) {
    return fail(invalid("bands", "instrument '" + instrument.id + "' has no severity bands"));
  }
  std::vector<IntakeStratum> strata;
  strata.reserve(instrument.bands.size());
  for (std::size_t i = 0; i < instrument.bands.size(); ++i) {
    const SeverityBand& band = instrument.bands[i];
    const bool last = i + 1 == instrument.bands.size();
    strata.push_back({band.min, last ? band.max : instrument.bands[i + 1].min, band.label});
  }
  return strata;
}

Result<std::vector<IntakeStratum>> fixed_width_strata(double scale_min, double scale_max,
                                                      double width) {
  if (!std::isfinite(scale_min) || !std::isfinite(scale_max) || !(scale_min < scale_max)) {
    return fail(invalid("scale", "expected a finite range with min < max"));
  }
  if (!std::isfinite(width) || !(width > 0.0)) {
    return fail(invalid("width", "expected a finite width > 0"));
  }
  const double count = std::ceil((scale_max - scale_min) / width);
  if (count > static_cast<double>(kMaxStrata)) {
    return fail(invalid("width", "more than " + std::to_string(kMaxStrata) + " strata"));
  }
  std::vector<IntakeStratum> strata;
  for (int k = 0; k < static_cast<int>(count); ++k) {
    const double lower = scale_min + k * width;
    const double upper = std::min(scale_max, scale_min + (k + 1) * width);
    if (!(lower < upper)) break;
    strata.push_back({lower, upper, {}});
  }
  return strata;
}

Status validate(const TrajectoryOptions& options) {
  if (options.strata.empty()) return invalid("strata", "expected at least one stratum");
  if (options.strata.size() > kMaxStrata) {
    return invalid("strata", "more than " + std::to_string(kMaxStrata) + " strata");
  }
  for (std::size_t i = 0; i < options.strata.size(); ++i) {
    const IntakeStratum& stratum = options.strata[i];
    const std::string at = "strata[" + std::to_string(i) + "]";
    if (!std::isfinite(stratum.lower) || !std::isfinite(stratum.upper) ||
        !(stratum.lower < stratum.upper)) {
      return invalid(at, "expected finite bounds with lower < upper");
    }
    if (i > 0 && stratum.lower != options.strata[i - 1].upper) {
      return invalid(at + ".lower",
                     "strata must be contiguous: lower must equal the previous upper");
    }
  }
  if (std::isnan(options.scale_min) != std::isnan(options.scale_max) ||
      std::isinf(options.scale_min) || std::isinf(options.scale_max) ||
      options.scale_min > options.scale_max) {
    return invalid("scale", "expected both scale bounds (min <= max) or neither");
  }
  if (options.min_episodes_per_stratum < 1) {
    return invalid("min_episodes_per_stratum", "expected at least 1");
  }
  if (options.min_scores_per_cell < 1) return invalid("min_scores_per_cell", "expected at least 1");
  if (options.max_sessions < 2 || options.max_sessions > 1000) {
    return invalid("max_sessions", "expected 2 to 1000");
  }
  if (options.first_judged_session < 2 || options.first_judged_session > options.max_sessions) {
    return invalid("first_judged_session", "expected 2 to max_sessions");
  }
  return Status::ok();
}

Result<TrajectoryOptions> trajectory_options(const Instrument& instrument) {
  auto strata = band_strata(instrument);
  if (!strata) return fail(strata.error());
  TrajectoryOptions options;
  options.direction = instrument.direction;
  options.scale_min = instrument.min_total;
  options.scale_max = instrument.max_total;
  options.strata = std::move(*strata);
  return options;
}

Result<TrajectoryOptions> trajectory_options(const Instrument& instrument, double width) {
  auto strata = fixed_width_strata(instrument.min_total, instrument.max_total, width);
  if (!strata) return fail(strata.error());
  TrajectoryOptions options;
  options.direction = instrument.direction;
  options.scale_min = instrument.min_total;
  options.scale_max = instrument.max_total;
  options.strata = std::move(*strata);
  return options;
}

// --- The model ------------------------------------------------------------------------

int ExpectedTrajectory::stratum_for(double intake) const { return find_stratum(strata_, intake); }

std::size_t ExpectedTrajectory::cell_n(int stratum, int session) const {
  if (stratum < 0 || static_cast<std::size_t>(stratum) >= strata_.size() || session < 1 ||
      session > max_session_) {
    return 0;
  }
  return n_[cell(stratum, session)];
}

double ExpectedTrajectory::worse_edge(int stratum, int session) const {
  if (cell_n(stratum, session) == 0) return kNaN;
  return edge_[cell(stratum, session)];
}

bool ExpectedTrajectory::has_band(int stratum, int session) const {
  if (cell_n(stratum, session) == 0) return false;
  return !std::isnan(edge_[cell(stratum, session)]);
}

PercentileBand ExpectedTrajectory::band(int stratum, int session) const {
  if (!has_band(stratum, session)) return {};
  return band_at(smoothed_, cell(stratum, session));
}

PercentileBand ExpectedTrajectory::raw_band(int stratum, int session) const {
  if (!has_band(stratum, session)) return {};
  return band_at(raw_, cell(stratum, session));
}

// Builds the private state of an ExpectedTrajectory, for the fit and the table import.
class TrajectoryBuilder {
 public:
  TrajectoryBuilder(const TrajectoryOptions& options, std::vector<TrajectoryStratum> strata,
                    int max_session) {
    model_.options_ = options;
    model_.strata_ = std::move(strata);
    model_.max_session_ = max_session;
    const std::size_t cells = model_.strata_.size() * static_cast<std::size_t>(max_session);
    model_.n_.assign(cells, 0);
    model_.edge_.assign(cells, kNaN);
    model_.smoothed_.assign(cells * kBandPercentiles, kNaN);
    model_.raw_.assign(cells * kBandPercentiles, kNaN);
  }

  std::size_t cell(int stratum, int session) const { return model_.cell(stratum, session); }
  std::size_t& n(std::size_t cell) { return model_.n_[cell]; }
  double* raw(std::size_t cell) { return model_.raw_.data() + cell * kBandPercentiles; }
  double* smoothed(std::size_t cell) { return model_.smoothed_.data() + cell * kBandPercentiles; }
  const std::vector<TrajectoryStratum>& strata() const { return model_.strata_; }

  void set_accounting(std::size_t reference, std::size_t without_intake, std::size_t outside) {
    model_.reference_episodes_ = reference;
    model_.without_intake_ = without_intake;
    model_.outside_strata_ = outside;
  }

  // A stratum is available with enough episodes; a cell has a band when its stratum is
  // available and it has enough scores. Cells without one are blanked so that every
  // accessor (and the smoother) agrees.
  void mark_availability() {
    const TrajectoryOptions& options = model_.options_;
    for (std::size_t s = 0; s < model_.strata_.size(); ++s) {
      TrajectoryStratum& stratum = model_.strata_[s];
      stratum.available = stratum.episodes >= options.min_episodes_per_stratum;
      for (int session = 1; session <= model_.max_session_; ++session) {
        const std::size_t c = cell(static_cast<int>(s), session);
        if (!has_band(c, stratum)) {
          std::fill_n(smoothed(c), kBandPercentiles, kNaN);
          std::fill_n(raw(c), kBandPercentiles, kNaN);
        }
      }
    }
  }

  // The worse edge of every band, for the verdicts' one comparison per session.
  void set_edges() {
    const std::size_t edge = edge_index(model_.options_);
    for (std::size_t c = 0; c < model_.edge_.size(); ++c) model_.edge_[c] = smoothed(c)[edge];
  }

  // Smooths each percentile across sessions 2.. of each stratum, run by run.
  void smooth() {
    const TrajectoryOptions& options = model_.options_;
    std::vector<double> run;
    std::vector<double> scratch;
    for (std::size_t s = 0; s < model_.strata_.size(); ++s) {
      const int stratum = static_cast<int>(s);
      const TrajectoryStratum& info = model_.strata_[s];
      for (int session = 1; session <= model_.max_session_; ++session) {
        const std::size_t c = cell(stratum, session);
        std::copy_n(raw(c), kBandPercentiles, smoothed(c));
      }
      if (options.smoothing == BandSmoothing::kNone) continue;
      int session = 2;
      while (session <= model_.max_session_) {
        if (!has_band(cell(stratum, session), info)) {
          ++session;
          continue;
        }
        int end = session;
        while (end + 1 <= model_.max_session_ && has_band(cell(stratum, end + 1), info)) ++end;
        for (std::size_t k = 0; k < kBandPercentiles; ++k) {
          run.clear();
          for (int t = session; t <= end; ++t) run.push_back(raw(cell(stratum, t))[k]);
          running_median3(run, scratch);
          hanning(run, scratch);
          for (int t = session; t <= end; ++t) {
            smoothed(cell(stratum, t))[k] = run[static_cast<std::size_t>(t - session)];
          }
        }
        session = end + 1;
      }
    }
  }

  ExpectedTrajectory finish(std::string empty_reason = {}) {
    std::size_t available = 0;
    std::size_t largest = 0;
    for (const TrajectoryStratum& stratum : model_.strata_) {
      if (stratum.available) ++available;
      largest = std::max(largest, stratum.episodes);
    }
    model_.available_ = available > 0;
    if (!model_.available_ && !empty_reason.empty()) {
      model_.reason_ = std::move(empty_reason);
    } else if (!model_.available_) {
      model_.reason_ = "the reference is too small: its largest stratum has " +
                       std::to_string(largest) + " episodes and at least " +
                       std::to_string(model_.options_.min_episodes_per_stratum) + " are needed";
    }
    return std::move(model_);
  }

 private:
  bool has_band(std::size_t c, const TrajectoryStratum& stratum) const {
    return stratum.available && model_.n_[c] >= model_.options_.min_scores_per_cell;
  }

  ExpectedTrajectory model_;
};

namespace {

// Groups of configured strata after merging: [first, last] indices and their episode count.
struct StratumGroup {
  std::size_t first;
  std::size_t last;
  std::size_t episodes;
};

std::vector<StratumGroup> merge_strata(const std::vector<std::size_t>& counts,
                                       const TrajectoryOptions& options) {
  std::vector<StratumGroup> groups;
  for (std::size_t i = 0; i < counts.size(); ++i) groups.push_back({i, i, counts[i]});
  if (!options.merge_small_strata) return groups;
  while (groups.size() > 1) {
    std::size_t smallest = groups.size();
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (groups[i].episodes >= options.min_episodes_per_stratum) continue;
      if (smallest == groups.size() || groups[i].episodes < groups[smallest].episodes) {
        smallest = i;
      }
    }
    if (smallest == groups.size()) break;
    std::size_t neighbour = 0;
    if (smallest == 0) {
      neighbour = 1;
    } else if (smallest + 1 == groups.size()) {
      neighbour = smallest - 1;
    } else {
      neighbour = groups[smallest + 1].episodes < groups[smallest - 1].episodes ? smallest + 1
                                                                                : smallest - 1;
    }
    const std::size_t low = std::min(smallest, neighbour);
    groups[low] = {groups[low].first, groups[low + 1].last,
                   groups[low].episodes + groups[low + 1].episodes};
    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(low) + 1);
  }
  return groups;
}

std::string merged_label(const std::vector<IntakeStratum>& strata, const StratumGroup& group) {
  const std::string& first = strata[group.first].label;
  const std::string& last = strata[group.last].label;
  if (group.first == group.last || first.empty() || last.empty()) {
    return group.first == group.last ? first : std::string();
  }
  return first + " to " + last;
}

}  // namespace

Result<ExpectedTrajectory> fit_expected_trajectory(const EpisodeColumns& reference,
                                                   const TrajectoryOptions& options) {
  if (Status status = validate(options); !status.is_ok()) return fail(std::move(status));
  if (Status status = check_columns(reference); !status.is_ok()) return fail(std::move(status));
  if (Status status = check_scores(reference, options); !status.is_ok()) {
    return fail(std::move(status));
  }
  const std::size_t episodes = reference.size();
  // Configured stratum of each episode (-1: left out), and the longest modelled length.
  std::vector<int> configured(episodes, -1);
  std::vector<std::size_t> counts(options.strata.size(), 0);
  std::size_t without_intake = 0;
  std::size_t outside = 0;
  int longest = 0;
  for (std::size_t i = 0; i < episodes; ++i) {
    const std::span<const double> scores = reference.episode(i);
    if (scores.empty() || is_missing(scores[0])) {
      ++without_intake;
      continue;
    }
    const int stratum = find_stratum(options.strata, scores[0]);
    if (stratum < 0) {
      ++outside;
      continue;
    }
    configured[i] = stratum;
    ++counts[static_cast<std::size_t>(stratum)];
    longest =
        std::max(longest, static_cast<int>(std::min<std::size_t>(
                              scores.size(), static_cast<std::size_t>(options.max_sessions))));
  }

  const std::vector<StratumGroup> groups = merge_strata(counts, options);
  std::vector<int> group_of(options.strata.size(), 0);
  std::vector<TrajectoryStratum> strata;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const StratumGroup& group = groups[g];
    for (std::size_t c = group.first; c <= group.last; ++c) group_of[c] = static_cast<int>(g);
    TrajectoryStratum stratum;
    stratum.lower = options.strata[group.first].lower;
    stratum.upper = options.strata[group.last].upper;
    stratum.upper_inclusive = group.last + 1 == options.strata.size();
    stratum.label = merged_label(options.strata, group);
    stratum.episodes = group.episodes;
    strata.push_back(std::move(stratum));
  }

  const int max_session = std::max(longest, 1);
  TrajectoryBuilder builder(options, std::move(strata), max_session);
  builder.set_accounting(episodes, without_intake, outside);

  // Counting sort of the scores into cells, then one sort per cell.
  for (std::size_t i = 0; i < episodes; ++i) {
    if (configured[i] < 0) continue;
    const int group = group_of[static_cast<std::size_t>(configured[i])];
    const std::span<const double> scores = reference.episode(i);
    const std::size_t length = std::min<std::size_t>(scores.size(), max_session);
    for (std::size_t k = 0; k < length; ++k) {
      if (!is_missing(scores[k])) ++builder.n(builder.cell(group, static_cast<int>(k) + 1));
    }
  }
  const std::size_t cells = groups.size() * static_cast<std::size_t>(max_session);
  std::vector<std::size_t> start(cells + 1, 0);
  for (std::size_t c = 0; c < cells; ++c) start[c + 1] = start[c] + builder.n(c);
  std::vector<double> values(start[cells]);
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < episodes; ++i) {
    if (configured[i] < 0) continue;
    const int group = group_of[static_cast<std::size_t>(configured[i])];
    const std::span<const double> scores = reference.episode(i);
    const std::size_t length = std::min<std::size_t>(scores.size(), max_session);
    for (std::size_t k = 0; k < length; ++k) {
      if (!is_missing(scores[k])) {
        values[fill[builder.cell(group, static_cast<int>(k) + 1)]++] = scores[k];
      }
    }
  }
  for (std::size_t c = 0; c < cells; ++c) {
    const auto begin = values.begin() + static_cast<std::ptrdiff_t>(start[c]);
    const auto end = values.begin() + static_cast<std::ptrdiff_t>(start[c + 1]);
    if (begin == end) continue;
    std::sort(begin, end);
    const std::span<const double> sorted(values.data() + start[c], start[c + 1] - start[c]);
    for (std::size_t k = 0; k < kBandPercentiles; ++k) {
      builder.raw(c)[k] = type7_quantile(sorted, kBandProbabilities[k]);
    }
  }
  builder.mark_availability();
  builder.smooth();
  builder.set_edges();
  return builder.finish();
}

Result<ExpectedTrajectory> fit_expected_trajectory(std::span<const std::vector<double>> reference,
                                                   const TrajectoryOptions& options) {
  const OwnedColumns columns = flatten(reference);
  return fit_expected_trajectory(columns.view(), options);
}

// --- The table --------------------------------------------------------------------------

ExpectedTrajectoryTable to_table(const ExpectedTrajectory& model) {
  ExpectedTrajectoryTable table;
  for (std::size_t s = 0; s < model.strata().size(); ++s) {
    const TrajectoryStratum& stratum = model.strata()[s];
    for (int session = 1; session <= model.max_session(); ++session) {
      if (!model.has_band(static_cast<int>(s), session)) continue;
      table.rows.push_back({stratum.lower, stratum.upper, stratum.episodes, session,
                            model.cell_n(static_cast<int>(s), session),
                            model.band(static_cast<int>(s), session)});
    }
  }
  return table;
}

Result<ExpectedTrajectory> from_table(const ExpectedTrajectoryTable& table,
                                      const TrajectoryOptions& options) {
  TrajectoryOptions checked = options;
  if (checked.strata.empty()) checked.strata = {{0.0, 1.0, {}}};  // not used on import
  if (Status status = validate(checked); !status.is_ok()) return fail(std::move(status));

  // Strata: the distinct (lower, upper) pairs, in order of lower bound.
  std::vector<TrajectoryStratum> strata;
  int max_session = 1;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const ExpectedTrajectoryRow& row = table.rows[i];
    const std::string at = "rows[" + std::to_string(i) + "]";
    if (!std::isfinite(row.intake_lower) || !std::isfinite(row.intake_upper) ||
        !(row.intake_lower < row.intake_upper)) {
      return fail(
          invalid(at + ".intake_lower", "expected finite intake bounds with lower < upper"));
    }
    if (row.session < 1 || row.session > options.max_sessions) {
      return fail(
          invalid(at + ".session", "expected 1 to " + std::to_string(options.max_sessions)));
    }
    const std::array<double, kBandPercentiles> p = as_array(row.band);
    for (std::size_t k = 0; k < kBandPercentiles; ++k) {
      if (!std::isfinite(p[k]) || (k > 0 && p[k] < p[k - 1])) {
        return fail(invalid(
            at + ".p" + std::to_string(static_cast<int>(std::lround(kBandProbabilities[k] * 100))),
            "percentiles must be finite and non-decreasing"));
      }
    }
    max_session = std::max(max_session, row.session);
    const auto found = std::find_if(strata.begin(), strata.end(), [&](const auto& stratum) {
      return stratum.lower == row.intake_lower && stratum.upper == row.intake_upper;
    });
    if (found == strata.end()) {
      TrajectoryStratum stratum;
      stratum.lower = row.intake_lower;
      stratum.upper = row.intake_upper;
      stratum.episodes = row.stratum_episodes;
      strata.push_back(stratum);
    } else if (found->episodes != row.stratum_episodes) {
      return fail(invalid(at + ".stratum_episodes", "differs from an earlier row of its stratum"));
    }
  }
  std::sort(strata.begin(), strata.end(),
            [](const auto& a, const auto& b) { return a.lower < b.lower; });
  for (std::size_t s = 1; s < strata.size(); ++s) {
    if (strata[s].lower < strata[s - 1].upper) {
      return fail(invalid(
          "rows",
          "intake strata overlap: " + range_text(strata[s - 1].lower, strata[s - 1].upper, false) +
              " and " + range_text(strata[s].lower, strata[s].upper, false)));
    }
  }
  if (!strata.empty()) strata.back().upper_inclusive = true;

  const std::size_t stratum_count = strata.size();
  TrajectoryBuilder builder(checked, std::move(strata), max_session);
  std::size_t used = 0;
  for (const TrajectoryStratum& stratum : builder.strata()) used += stratum.episodes;
  builder.set_accounting(used, 0, 0);
  std::vector<bool> seen(stratum_count * static_cast<std::size_t>(max_session), false);
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const ExpectedTrajectoryRow& row = table.rows[i];
    const int stratum = find_stratum(builder.strata(), row.intake_lower);
    const std::size_t c = builder.cell(stratum, row.session);
    if (seen[c]) {
      return fail(invalid("rows[" + std::to_string(i) + "].session",
                          "a second row for the same stratum and session"));
    }
    seen[c] = true;
    builder.n(c) = row.n;
    const std::array<double, kBandPercentiles> p = as_array(row.band);
    std::copy(p.begin(), p.end(), builder.raw(c));
    std::copy(p.begin(), p.end(), builder.smoothed(c));
  }
  builder.mark_availability();
  builder.set_edges();
  return builder.finish(table.rows.empty() ? "the expected-trajectory table has no rows" : "");
}

// --- Verdicts ---------------------------------------------------------------------------

namespace {

std::string off_track_sentence(const OffTrackEvidence& e, const TrajectoryStratum& stratum,
                               const TrajectoryOptions& options) {
  const bool lower_better = options.direction == Direction::kLowerIsBetter;
  std::string text = "not on track at session " + std::to_string(e.session) + ": score " +
                     number_text(e.score) + (lower_better ? " is above " : " is below ") +
                     number_text(e.band_edge) + ", the " + edge_name(options) +
                     " percentile at session " + std::to_string(e.session) + " of " +
                     std::to_string(e.n) + " reference clients whose intake was " +
                     range_text(stratum.lower, stratum.upper, stratum.upper_inclusive);
  if (!stratum.label.empty()) text += " (" + stratum.label + ")";
  text += ", as this client's was (" + number_text(e.intake) + "); their median was " +
          number_text(e.expected);
  return text;
}

// Sets availability, intake and stratum; false when the episode cannot be judged.
bool prepare(std::span<const double> scores, const ExpectedTrajectory& model,
             TrajectoryAssessment& out) {
  out.available = false;
  out.first_session_off_track = 0;
  out.reason.clear();
  out.sessions.clear();
  out.evidence = {};
  out.stratum = -1;
  out.intake = scores.empty() || !std::isfinite(scores[0]) ? kMissing : scores[0];
  if (!model.available()) {
    out.availability = TrajectoryAvailability::kNoReference;
    out.reason = "no expected trajectory: " + model.reason();
    return false;
  }
  if (is_missing(out.intake)) {
    out.availability = TrajectoryAvailability::kNoIntake;
    out.reason = "no intake score (session 1), so no expected trajectory to compare with";
    return false;
  }
  out.stratum = model.stratum_for(out.intake);
  if (out.stratum < 0) {
    const auto& strata = model.strata();
    out.availability = TrajectoryAvailability::kIntakeOutside;
    out.reason = "the intake " + number_text(out.intake) +
                 " is outside the reference's intake range (" +
                 range_text(strata.front().lower, strata.back().upper, true) + ")";
    return false;
  }
  const TrajectoryStratum& stratum = model.strata()[static_cast<std::size_t>(out.stratum)];
  if (!stratum.available) {
    out.availability = TrajectoryAvailability::kStratumTooSmall;
    out.reason = "only " + std::to_string(stratum.episodes) +
                 " reference episodes started at an intake of " +
                 range_text(stratum.lower, stratum.upper, stratum.upper_inclusive) + "; at least " +
                 std::to_string(model.options().min_episodes_per_stratum) + " are needed";
    return false;
  }
  out.available = true;
  out.availability = TrajectoryAvailability::kAvailable;
  return true;
}

}  // namespace

void assess(std::span<const double> scores, const ExpectedTrajectory& model,
            TrajectoryAssessment& out) {
  if (!prepare(scores, model, out)) return;
  const Direction direction = model.direction();
  const int first_judged = model.options().first_judged_session;
  out.sessions.reserve(scores.size());
  for (std::size_t k = 0; k < scores.size(); ++k) {
    SessionAssessment session;
    session.session = static_cast<int>(k) + 1;
    session.score = std::isfinite(scores[k]) ? scores[k] : kMissing;
    session.n = model.cell_n(out.stratum, session.session);
    const bool band = model.has_band(out.stratum, session.session);
    if (band) session.band = model.band(out.stratum, session.session);
    if (band && session.session >= first_judged && !is_missing(session.score)) {
      const double edge = model.worse_edge(out.stratum, session.session);
      session.off_track = to_flag(is_worse(session.score, edge, direction));
      if (session.off_track == Flag::kYes && out.first_session_off_track == 0) {
        out.first_session_off_track = session.session;
        const TrajectoryStratum& stratum = model.strata()[static_cast<std::size_t>(out.stratum)];
        out.evidence = {out.intake,    out.stratum,      stratum.lower,
                        stratum.upper, session.session,  session.score,
                        edge,          session.band.p50, session.n};
        out.reason = off_track_sentence(out.evidence, stratum, model.options());
      }
    }
    out.sessions.push_back(session);
  }
}

TrajectoryAssessment assess(std::span<const double> scores, const ExpectedTrajectory& model) {
  TrajectoryAssessment out;
  assess(scores, model, out);
  return out;
}

int first_session_off_track(std::span<const double> scores, const ExpectedTrajectory& model) {
  if (!model.available() || scores.empty() || !std::isfinite(scores[0])) return 0;
  const int stratum = model.stratum_for(scores[0]);
  if (stratum < 0 || !model.strata()[static_cast<std::size_t>(stratum)].available) return 0;
  const Direction direction = model.direction();
  const int last = std::min(static_cast<int>(scores.size()), model.max_session());
  for (int session = model.options().first_judged_session; session <= last; ++session) {
    const double score = scores[static_cast<std::size_t>(session - 1)];
    const double edge = model.worse_edge(stratum, session);
    // NaN edge (no band) or missing score compare false.
    if (std::isfinite(score) && is_worse(score, edge, direction)) return session;
  }
  return 0;
}

// --- Evaluation -------------------------------------------------------------------------

namespace {

struct Tally {
  AlertFigures figures;
  std::vector<double> lead_times;

  void add(bool alerted, bool positive, int lead_time) {
    if (alerted && positive) {
      ++figures.true_positives;
      lead_times.push_back(lead_time);
    } else if (alerted) {
      ++figures.false_positives;
    } else if (positive) {
      ++figures.false_negatives;
    } else {
      ++figures.true_negatives;
    }
  }

  AlertFigures finish() {
    AlertFigures& f = figures;
    f.sensitivity = ratio(f.true_positives, f.true_positives + f.false_negatives);
    f.specificity = ratio(f.true_negatives, f.true_negatives + f.false_positives);
    f.positive_predictive_value = ratio(f.true_positives, f.true_positives + f.false_positives);
    f.negative_predictive_value = ratio(f.true_negatives, f.true_negatives + f.false_negatives);
    f.median_lead_time = median_of(lead_times);
    return f;
  }
};

// First session s in [from, last) whose score is not better than the intake; 0 when none.
int baseline_alert(std::span<const double> scores, int from, int last, Direction direction) {
  const double intake = scores[0];
  for (int s = std::max(from, 2); s < last; ++s) {
    const double score = scores[static_cast<std::size_t>(s - 1)];
    if (!std::isfinite(score)) continue;
    const bool not_better =
        direction == Direction::kLowerIsBetter ? score >= intake : score <= intake;
    if (not_better) return s;
  }
  return 0;
}

// Session by session replay: at session s only scores 1..s are shown to the model.
int replay_first_alert(std::span<const double> scores, int last, const ExpectedTrajectory& model,
                       TrajectoryAssessment& scratch) {
  for (int s = model.options().first_judged_session; s < last; ++s) {
    assess(scores.first(static_cast<std::size_t>(s)), model, scratch);
    if (!scratch.available) return 0;
    if (scratch.sessions[static_cast<std::size_t>(s - 1)].off_track == Flag::kYes) return s;
  }
  return 0;
}

}  // namespace

Result<AlertEvaluation> evaluate_alerts(const EpisodeColumns& reference, double holdout_fraction,
                                        std::uint64_t seed, const AlertEvaluationOptions& options) {
  if (!(holdout_fraction > 0.0 && holdout_fraction < 1.0)) {
    return fail(invalid("holdout", "expected a fraction strictly between 0 and 1"));
  }
  if (!std::isfinite(options.reliable_change_threshold) ||
      !(options.reliable_change_threshold > 0.0)) {
    return fail(invalid("reliable_change_threshold", "expected a finite threshold > 0"));
  }
  if (options.baseline_first_session < 2) {
    return fail(invalid("baseline_first_session", "expected at least 2"));
  }
  if (options.min_sessions < 3) return fail(invalid("min_sessions", "expected at least 3"));
  if (Status status = validate(options.trajectory); !status.is_ok()) return fail(std::move(status));
  if (Status status = check_columns(reference); !status.is_ok()) return fail(std::move(status));
  if (Status status = check_scores(reference, options.trajectory); !status.is_ok()) {
    return fail(std::move(status));
  }
  const std::size_t n = reference.size();
  if (n < 2) return fail(invalid("reference", "expected at least 2 episodes"));

  // The split: Fisher-Yates from the last position down, j uniform in [0, i].
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 engine(seed);
  for (std::size_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::size_t>(bounded_draw(engine, i + 1));
    std::swap(order[i], order[j]);
  }
  const auto wanted =
      static_cast<std::size_t>(std::llround(holdout_fraction * static_cast<double>(n)));
  const std::size_t holdout = std::clamp<std::size_t>(wanted, 1, n - 1);
  std::vector<std::size_t> held(order.begin(),
                                order.begin() + static_cast<std::ptrdiff_t>(holdout));
  std::vector<std::size_t> training(order.begin() + static_cast<std::ptrdiff_t>(holdout),
                                    order.end());
  std::sort(held.begin(), held.end());
  std::sort(training.begin(), training.end());

  OwnedColumns train;
  train.offsets.reserve(training.size() + 1);
  train.offsets.push_back(0);
  for (std::size_t i : training) {
    const std::span<const double> scores = reference.episode(i);
    train.scores.insert(train.scores.end(), scores.begin(), scores.end());
    train.offsets.push_back(train.scores.size());
  }
  Result<ExpectedTrajectory> model = fit_expected_trajectory(train.view(), options.trajectory);
  if (!model) return fail(model.error());
  if (!model->available()) {
    return fail(Status::failed_precondition("cannot evaluate the alerts: " + model->reason()));
  }

  AlertEvaluation result;
  result.holdout_fraction = holdout_fraction;
  result.seed = seed;
  result.reference_episodes = n;
  result.training_episodes = training.size();
  result.holdout_episodes = held.size();
  for (const TrajectoryStratum& stratum : model->strata()) {
    if (stratum.available) ++result.strata_available;
  }
  const Direction direction = options.trajectory.direction;
  Tally trajectory;
  Tally baseline;
  TrajectoryAssessment scratch;
  for (std::size_t i : held) {
    const std::span<const double> scores = reference.episode(i);
    if (scores.empty() || is_missing(scores[0])) {
      ++result.skipped_no_intake;
      continue;
    }
    int last = 0;  // the last scored session: "the end" of the episode
    for (std::size_t k = scores.size(); k > 0; --k) {
      if (!is_missing(scores[k - 1])) {
        last = static_cast<int>(k);
        break;
      }
    }
    if (last < options.min_sessions) {
      ++result.skipped_too_short;
      continue;
    }
    const int stratum = model->stratum_for(scores[0]);
    if (stratum < 0 || !model->strata()[static_cast<std::size_t>(stratum)].available) {
      ++result.skipped_unavailable;
      continue;
    }
    const std::optional<ReliableChange> change =
        classify_fixed_threshold({scores[0], scores[static_cast<std::size_t>(last - 1)]},
                                 options.reliable_change_threshold, direction, options.comparison);
    const bool positive = change != ReliableChange::kImproved;
    ++result.evaluated;
    if (positive) ++result.no_reliable_improvement;
    const int alert = replay_first_alert(scores, last, *model, scratch);
    trajectory.add(alert > 0, positive, last - alert);
    const int naive = baseline_alert(scores, options.baseline_first_session, last, direction);
    baseline.add(naive > 0, positive, last - naive);
  }
  result.trajectory = trajectory.finish();
  result.baseline = baseline.finish();
  return result;
}

Result<AlertEvaluation> evaluate_alerts(std::span<const std::vector<double>> reference,
                                        double holdout_fraction, std::uint64_t seed,
                                        const AlertEvaluationOptions& options) {
  const OwnedColumns columns = flatten(reference);
  return evaluate_alerts(columns.view(), holdout_fraction, seed, options);
}

}  // namespace tandem::core
