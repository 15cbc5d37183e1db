// `tandem analyze profile`: every method of the analytics core per client, one row
// each, for one instrument's session totals: change and reliable change, caseness and
// recovery, severity bands, sudden gains and losses, trend and steadiness.
#include <fmt/format.h>

#include <optional>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/instrument.hpp"
#include "core/reliable_change.hpp"
#include "core/sudden_gains.hpp"
#include "core/trend.hpp"
#include "io/instrument_loader.hpp"

namespace tandem::cli {
namespace {

struct ProfileArgs {
  InputOptions input;
  OutputOptions output;
  std::string instrument;
  std::string instrument_dir = TANDEM_INSTRUMENT_DIR;
};

const std::vector<std::string> kColumns = {"id",
                                           "n_scores",
                                           "first_session",
                                           "last_session",
                                           "first_score",
                                           "last_score",
                                           "change",
                                           "first_band",
                                           "last_band",
                                           "reliable_change",
                                           "rci",
                                           "case_first",
                                           "case_last",
                                           "recovered",
                                           "reliable_recovery",
                                           "sudden_gains",
                                           "first_gain_session",
                                           "sudden_losses",
                                           "first_loss_session",
                                           "slope",
                                           "slope_lower",
                                           "slope_upper",
                                           "steady",
                                           "summary"};

// What one client's row holds; computed per worker without allocation.
struct ClientProfile {
  int n_scores = 0;
  int first_session = 0;
  int last_session = 0;
  double first = core::kMissing;
  double last = core::kMissing;
  std::optional<core::ReliableChange> reliable;
  double rci = core::kMissing;
  core::Flag case_first = core::Flag::kNa;
  core::Flag case_last = core::Flag::kNa;
  core::Flag recovered = core::Flag::kNa;
  core::Flag reliable_recovery = core::Flag::kNa;
  int gains = 0;
  int first_gain = 0;
  int losses = 0;
  int first_loss = 0;
  core::Trend trend;
  core::Flag steady = core::Flag::kNa;
};

struct Worker {
  std::vector<core::SuddenChange> changes;
  core::TrendEstimator trend;
};

const char* reliable_text(const std::optional<core::ReliableChange>& reliable) {
  if (!reliable) return "";
  switch (*reliable) {
    case core::ReliableChange::kImproved:
      return "improved";
    case core::ReliableChange::kDeteriorated:
      return "deteriorated";
    case core::ReliableChange::kNone:
      return "none";
  }
  return "";
}

// A short plain-words line for people reading the table.
std::string summary(const ClientProfile& p) {
  if (p.n_scores < 2) return "not enough scores yet";
  std::string text;
  if (p.reliable == core::ReliableChange::kImproved) {
    text = p.recovered == core::Flag::kYes ? "reliably improved, below the clinical cut-off"
                                           : "reliably improved";
  } else if (p.reliable == core::ReliableChange::kDeteriorated) {
    text = "reliably worse: worth talking about";
  } else if (p.steady == core::Flag::kYes) {
    text = "steady";
  } else {
    text = "no reliable change yet";
  }
  if (p.gains > 0) text += fmt::format("; sudden gain after session {}", p.first_gain);
  if (p.losses > 0) text += fmt::format("; sudden loss after session {}", p.first_loss);
  return text;
}

void compute(const core::Instrument& instrument, const core::SuddenGainOptions& gain_options,
             const core::SuddenGainOptions& loss_options, std::span<const double> scores,
             Worker& worker, ClientProfile& p) {
  p = ClientProfile{};
  for (std::size_t k = 0; k < scores.size(); ++k) {
    if (core::is_missing(scores[k])) continue;
    if (p.n_scores == 0) {
      p.first_session = static_cast<int>(k) + 1;
      p.first = scores[k];
    }
    p.last_session = static_cast<int>(k) + 1;
    p.last = scores[k];
    ++p.n_scores;
  }
  if (p.n_scores == 0) return;
  p.case_first = core::is_case(instrument, p.first);
  if (p.n_scores >= 2) {
    const core::PrePost pair{p.first, p.last};
    p.case_last = core::is_case(instrument, p.last);
    if (instrument.reliable_change_threshold) {
      p.reliable = core::classify_fixed_threshold(pair, *instrument.reliable_change_threshold,
                                                  instrument.direction);
    }
    if (instrument.reliability && instrument.rci_sd) {
      if (auto index =
              core::JacobsonTruaxIndex::make(*instrument.rci_sd, *instrument.reliability)) {
        p.rci = index->index(pair);
      }
    }
    if (p.case_first == core::Flag::kYes && p.case_last != core::Flag::kNa) {
      p.recovered = core::to_flag(p.case_last == core::Flag::kNo);
      if (p.reliable) {
        p.reliable_recovery = core::to_flag(p.recovered == core::Flag::kYes &&
                                            *p.reliable == core::ReliableChange::kImproved);
      }
    }
  }
  if (gain_options.cutoff > 0) {
    core::find_sudden_changes(scores, gain_options, worker.changes);
    p.gains = static_cast<int>(worker.changes.size());
    if (p.gains > 0) p.first_gain = worker.changes.front().pregain_session;
    core::find_sudden_changes(scores, loss_options, worker.changes);
    p.losses = static_cast<int>(worker.changes.size());
    if (p.losses > 0) p.first_loss = worker.changes.front().pregain_session;
  }
  core::SteadinessOptions steady_options;
  steady_options.reliable_change = instrument.reliable_change_threshold.value_or(core::kMissing);
  if (auto steadiness = worker.trend.steadiness(scores, steady_options)) {
    p.trend = steadiness->trend;
    if (steadiness->state != core::SteadyState::kInsufficientData) {
      p.steady = core::to_flag(steadiness->steady());
    }
  } else if (auto trend = worker.trend.estimate(scores)) {
    p.trend = *trend;
  }
}

void format_row(io::RowBuffer& row, std::string_view id, const core::Instrument& instrument,
                const ClientProfile& p) {
  row.begin_row();
  row.text(id);
  row.integer(p.n_scores);
  if (p.n_scores > 0) {
    row.integer(p.first_session);
    row.integer(p.last_session);
  } else {
    row.missing();
    row.missing();
  }
  row.number(p.first);
  row.number(p.last);
  row.number(p.n_scores >= 2 ? p.last - p.first : core::kMissing);
  row.text(p.n_scores > 0 ? core::band_for(instrument, p.first) : "");
  row.text(p.n_scores > 0 ? core::band_for(instrument, p.last) : "");
  row.text(reliable_text(p.reliable));
  row.number(p.rci);
  row.flag(p.case_first);
  row.flag(p.case_last);
  row.flag(p.recovered);
  row.flag(p.reliable_recovery);
  row.integer(p.gains);
  if (p.gains > 0)
    row.integer(p.first_gain);
  else
    row.missing();
  row.integer(p.losses);
  if (p.losses > 0)
    row.integer(p.first_loss);
  else
    row.missing();
  row.number(p.trend.slope);
  row.number(p.trend.lower);
  row.number(p.trend.upper);
  row.flag(p.steady);
  row.text(summary(p));
  row.end_row();
}

int run(const ProfileArgs& args) {
  auto instrument = io::resolve_instrument(args.instrument, args.instrument_dir);
  if (!instrument) return report(instrument.error());
  auto read = read_options(args.input);
  if (!read) return report(read.error());
  auto format = io::parse_format(args.output.format);
  if (!format) return report(format.error());
  auto table = io::read_scores(args.input.input, *read);
  if (!table) return report(table.error());
  report_skipped(table->skipped());

  // Sudden gains use the instrument's reliable-change threshold as criterion 1
  // (Lutz et al. 2013); without one they are not computed.
  core::SuddenGainOptions gain_options;
  gain_options.direction = instrument->direction;
  gain_options.cutoff = instrument->reliable_change_threshold.value_or(0.0);
  core::SuddenGainOptions loss_options = gain_options;
  loss_options.kind = core::ChangeKind::kLoss;

  const unsigned threads = thread_count(args.input.threads);
  io::OutputFile out;
  if (auto status = open_output(out, args.output, *format, kColumns); !status.is_ok()) {
    return report(status);
  }
  std::vector<Worker> workers(threads);
  Progress progress("profile", table->size());
  auto status = write_rows(table->size(), threads, {&out}, &progress,
                           [&](std::size_t i, std::vector<io::RowBuffer>& rows, std::size_t w) {
                             ClientProfile profile;
                             compute(*instrument, gain_options, loss_options, table->row(i),
                                     workers[w], profile);
                             format_row(rows[0], table->id(i), *instrument, profile);
                           });
  if (!status.is_ok()) return report(status);
  if (auto committed = out.commit(); !committed.is_ok()) return report(committed);
  return kExitOk;
}

}  // namespace

void add_profile_command(CLI::App& analyze, int& exit_code) {
  auto args = std::make_shared<ProfileArgs>();
  CLI::App* command = analyze.add_subcommand(
      "profile", "every method per client, one row each, for one instrument's totals");
  add_input_options(*command, args->input);
  command->add_option("--instrument", args->instrument, "phq9, gad7, or a definition file (.json)")
      ->required();
  command
      ->add_option("--instrument-dir", args->instrument_dir,
                   "where named instruments are looked up")
      ->envname("TANDEM_INSTRUMENT_DIR");
  add_output_options(*command, args->output);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
