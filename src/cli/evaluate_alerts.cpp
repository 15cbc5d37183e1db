// `tandem evaluate-alerts`: how well "not on track" predicts "no reliable improvement
// at the end" on held-out episodes of a service's own reference, beside a naive
// baseline (no improvement since intake).
#include <fmt/format.h>

#include <fstream>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/trajectory.hpp"
#include "io/instrument_loader.hpp"
#include "io/trajectory_table.hpp"

namespace tandem::cli {
namespace {

struct EvaluateArgs {
  InputOptions input;
  OutputOptions output;
  double holdout = 0.3;
  std::uint64_t seed = 1;
  std::string instrument = "phq9";
  std::string instrument_dir = TANDEM_INSTRUMENT_DIR;
  std::string export_bands;
};

const std::vector<std::string> kColumns = {"predictor",
                                           "evaluated",
                                           "true_positives",
                                           "false_positives",
                                           "true_negatives",
                                           "false_negatives",
                                           "sensitivity",
                                           "specificity",
                                           "positive_predictive_value",
                                           "negative_predictive_value",
                                           "median_lead_time"};

void figures_row(io::RowBuffer& row, std::string_view name, std::size_t evaluated,
                 const core::AlertFigures& f) {
  row.begin_row();
  row.text(name);
  row.integer(static_cast<long long>(evaluated));
  row.integer(static_cast<long long>(f.true_positives));
  row.integer(static_cast<long long>(f.false_positives));
  row.integer(static_cast<long long>(f.true_negatives));
  row.integer(static_cast<long long>(f.false_negatives));
  row.number(f.sensitivity);
  row.number(f.specificity);
  row.number(f.positive_predictive_value);
  row.number(f.negative_predictive_value);
  row.number(f.median_lead_time);
  row.end_row();
}

int run(const EvaluateArgs& args) {
  auto instrument = io::resolve_instrument(args.instrument, args.instrument_dir);
  if (!instrument) return report(instrument.error());
  if (!instrument->reliable_change_threshold) {
    return report(core::Status::invalid_argument(
        "the instrument has no reliable-change threshold to judge improvement at the end",
        "instrument"));
  }
  auto read = read_options(args.input);
  if (!read) return report(read.error());
  auto format = io::parse_format(args.output.format);
  if (!format) return report(format.error());
  auto table = io::read_scores(args.input.input, *read);
  if (!table) return report(table.error());
  report_skipped(table->skipped());
  std::vector<std::vector<double>> reference(table->size());
  for (std::size_t i = 0; i < table->size(); ++i) {
    const auto row = table->row(i);
    reference[i].assign(row.begin(), row.end());
  }
  auto trajectory = core::trajectory_options(*instrument);
  if (!trajectory) return report(trajectory.error());
  core::AlertEvaluationOptions options;
  options.trajectory = *trajectory;
  options.reliable_change_threshold = *instrument->reliable_change_threshold;
  auto evaluation = core::evaluate_alerts(reference, args.holdout, args.seed, options);
  if (!evaluation) return report(evaluation.error());

  if (!args.export_bands.empty()) {
    // Bands fitted on the whole reference, for `--reference` elsewhere.
    auto model = core::fit_expected_trajectory(reference, *trajectory);
    if (!model) return report(model.error());
    std::ofstream bands(args.export_bands, std::ios::binary);
    bands << io::band_table_csv(core::to_table(*model));
    if (!bands) {
      return report(
          core::Status::invalid_argument(args.export_bands + ": cannot write", "export-bands"));
    }
  }
  std::fprintf(
      stderr,
      "tandem: %zu episodes: %zu fitted, %zu held out, %zu evaluated (%zu without reliable "
      "improvement at the end); skipped %zu without an intake score, %zu too short, %zu "
      "outside an available stratum\n",
      evaluation->reference_episodes, evaluation->training_episodes, evaluation->holdout_episodes,
      evaluation->evaluated, evaluation->no_reliable_improvement, evaluation->skipped_no_intake,
      evaluation->skipped_too_short, evaluation->skipped_unavailable);
  io::OutputFile out;
  if (auto status = open_output(out, args.output, *format, kColumns); !status.is_ok()) {
    return report(status);
  }
  io::RowBuffer rows(out.format(), out.columns(), out.selected());
  figures_row(rows, "not-on-track", evaluation->evaluated, evaluation->trajectory);
  figures_row(rows, "no-improvement-since-intake", evaluation->evaluated, evaluation->baseline);
  if (auto status = out.write(rows); !status.is_ok()) return report(status);
  if (auto committed = out.commit(); !committed.is_ok()) return report(committed);
  return kExitOk;
}

}  // namespace

void add_evaluate_alerts_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<EvaluateArgs>();
  CLI::App* command = app.add_subcommand(
      "evaluate-alerts",
      "how well 'not on track' predicts no reliable improvement, on held-out episodes");
  add_input_options(*command, args->input);
  command->add_option("--holdout", args->holdout, "share of episodes held out (default 0.3)");
  command->add_option("--seed", args->seed, "seed of the split (default 1)");
  command->add_option("--instrument", args->instrument, "phq9 (default), gad7 or a file");
  command->add_option("--instrument-dir", args->instrument_dir, "where named instruments are")
      ->envname("TANDEM_INSTRUMENT_DIR");
  command->add_option("--export-bands", args->export_bands,
                      "also write the bands fitted on the whole reference to FILE");
  add_output_options(*command, args->output);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
