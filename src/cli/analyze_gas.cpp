// `tandem analyze gas`: Goal Attainment Scaling T-scores (Kiresuk & Sherman 1968),
// one row per client from long goal input (id, goal, score, weight).
#include <fmt/format.h>

#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/goal_attainment.hpp"

namespace tandem::cli {
namespace {

struct GasArgs {
  InputOptions input;
  OutputOptions output;
  double rho = core::kGasDefaultRho;
  bool unweighted = false;
};

const std::vector<std::string> kColumns = {"id", "n_goals", "t_score"};

int run(const GasArgs& args) {
  if (!(args.rho >= 0.0 && args.rho <= 1.0)) {
    return report(core::Status::invalid_argument("--rho must be between 0 and 1", "rho"));
  }
  auto read = read_options(args.input);
  if (!read) return report(read.error());
  auto format = io::parse_format(args.output.format);
  if (!format) return report(format.error());
  auto table = io::read_goals(args.input.input, *read);
  if (!table) return report(table.error());
  report_skipped(table->skipped);

  core::GasOptions options;
  options.rho = args.rho;
  options.weighted = !args.unweighted;
  // Validate every client before writing anything, so bad input leaves no output.
  std::vector<core::GasResult> results(table->ids.size());
  std::vector<core::GasGoal> goals;
  for (std::size_t i = 0; i < table->ids.size(); ++i) {
    goals.clear();
    for (std::size_t g = table->offsets[i]; g < table->offsets[i + 1]; ++g) {
      goals.push_back({table->scores[g], table->weights[g]});
    }
    auto result = core::gas_t_score(goals, options);
    if (!result) {
      return report(
          core::Status::invalid_argument(fmt::format("{}: client '{}': {}", args.input.input,
                                                     table->ids[i], result.error().message()),
                                         result.error().field()));
    }
    results[i] = *result;
  }
  io::OutputFile out;
  if (auto status = open_output(out, args.output, *format, kColumns); !status.is_ok()) {
    return report(status);
  }
  auto status = write_rows(results.size(), 1, {&out}, nullptr,
                           [&](std::size_t i, std::vector<io::RowBuffer>& rows, std::size_t) {
                             rows[0].begin_row();
                             rows[0].text(table->ids[i]);
                             rows[0].integer(results[i].n_goals);
                             rows[0].number(results[i].t_score);
                             rows[0].end_row();
                           });
  if (!status.is_ok()) return report(status);
  if (auto committed = out.commit(); !committed.is_ok()) return report(committed);
  return kExitOk;
}

}  // namespace

void add_gas_command(CLI::App& analyze, int& exit_code) {
  auto args = std::make_shared<GasArgs>();
  CLI::App* command =
      analyze.add_subcommand("gas", "Goal Attainment Scaling T-scores, Kiresuk & Sherman (1968)");
  add_input_options(*command, args->input, false);
  command->add_option("--rho", args->rho, "assumed correlation between goal scales (default 0.3)");
  command->add_flag("--unweighted", args->unweighted, "give every goal weight 1");
  add_output_options(*command, args->output);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
