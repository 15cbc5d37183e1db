// `tandem analyze sudden-gains`: Tang & DeRubeis (1999) sudden gains, or sudden losses,
// per client, with the per-interval criteria on request.
#include <fmt/format.h>

#include <optional>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/sudden_gains.hpp"

namespace tandem::cli {
namespace {

struct SuddenGainsArgs {
  InputOptions input;
  OutputOptions output;
  std::optional<double> cutoff;
  std::optional<double> sd;
  std::optional<double> reliability;
  double pct = 0.25;
  std::optional<double> critical;
  bool no_adjust = false;
  bool losses = false;
  std::string compat;
  std::string intervals;
  std::string select;
};

const std::vector<std::string> kGainColumns = {"id",
                                               "kind",
                                               "pregain_session",
                                               "postgain_session",
                                               "pregain_score",
                                               "postgain_score",
                                               "magnitude",
                                               "pre_mean",
                                               "post_mean",
                                               "change_proportion",
                                               "reversal_value",
                                               "reversal"};
const std::vector<std::string> kIntervalColumns = {
    "id", "pregain_session", "postgain_session", "crit1", "crit2", "crit3", "sudden"};

core::Result<core::SuddenGainOptions> to_options(const SuddenGainsArgs& args) {
  core::SuddenGainOptions options;
  options.kind = args.losses ? core::ChangeKind::kLoss : core::ChangeKind::kGain;
  if (args.cutoff && (args.sd || args.reliability)) {
    return core::fail(core::Status::invalid_argument(
        "give either --cutoff or --sd with --reliability, not both", "cutoff"));
  }
  if (args.cutoff) {
    if (!(*args.cutoff > 0)) {
      return core::fail(core::Status::invalid_argument("--cutoff must be above 0", "cutoff"));
    }
    options.cutoff = *args.cutoff;
  } else if (args.sd && args.reliability) {
    if (!(*args.sd > 0) || !(*args.reliability >= 0 && *args.reliability < 1)) {
      return core::fail(core::Status::invalid_argument(
          "--sd must be above 0 and --reliability in [0, 1)", "reliability"));
    }
    options.cutoff = core::crit1_cutoff_from_reliability(*args.sd, *args.reliability);
  } else {
    return core::fail(core::Status::invalid_argument(
        "criterion 1 needs a cutoff: give --cutoff C (e.g. 6 for the PHQ-9), or --sd S and "
        "--reliability R to use the reliable change value 1.96*sqrt(2)*S*sqrt(1-R)",
        "cutoff"));
  }
  if (!(args.pct >= 0 && args.pct <= 1)) {
    return core::fail(core::Status::invalid_argument("--pct must be between 0 and 1", "pct"));
  }
  options.pct = args.pct;
  if (args.critical) {
    if (!(*args.critical > 0)) {
      return core::fail(core::Status::invalid_argument("--critical must be above 0", "critical"));
    }
    options.critical_value = *args.critical;
    options.adjust_critical_value = false;
  }
  if (args.no_adjust) options.adjust_critical_value = false;
  options.compat_suddengains = args.compat == "suddengains";
  return options;
}

std::optional<core::Selection> to_selection(const std::string& name) {
  if (name == "first") return core::Selection::kFirst;
  if (name == "last") return core::Selection::kLast;
  if (name == "smallest") return core::Selection::kSmallest;
  if (name == "largest") return core::Selection::kLargest;
  return std::nullopt;
}

void format_change(io::RowBuffer& out, std::string_view id, const core::SuddenChange& change) {
  out.begin_row();
  out.text(id);
  out.text(change.kind == core::ChangeKind::kGain ? "gain" : "loss");
  out.integer(change.pregain_session);
  out.integer(change.postgain_session);
  out.number(change.pregain_score);
  out.number(change.postgain_score);
  out.number(change.magnitude);
  out.number(change.pre_mean);
  out.number(change.post_mean);
  out.number(change.change_proportion);
  out.number(change.reversal_value);
  out.boolean(change.reversal);
  out.end_row();
}

int run(const SuddenGainsArgs& args) {
  auto options = to_options(args);
  if (!options) return report(options.error());
  auto read = read_options(args.input);
  if (!read) return report(read.error());
  auto format = io::parse_format(args.output.format);
  if (!format) return report(format.error());
  auto table = io::read_scores(args.input.input, *read);
  if (!table) return report(table.error());
  report_skipped(table->skipped());

  const unsigned threads = thread_count(args.input.threads);
  io::OutputFile gains;
  if (auto status = open_output(gains, args.output, *format, kGainColumns); !status.is_ok()) {
    return report(status);
  }
  io::OutputFile intervals;
  std::vector<io::OutputFile*> outputs = {&gains};
  if (!args.intervals.empty()) {
    if (auto status = intervals.open(args.intervals, *format, kIntervalColumns); !status.is_ok()) {
      return report(status);
    }
    outputs.push_back(&intervals);
  }
  const auto selection = to_selection(args.select);
  const bool want_intervals = outputs.size() > 1;

  struct Scratch {
    std::vector<core::SuddenChange> changes;
    std::vector<core::IntervalTest> tests;
  };
  std::vector<Scratch> scratch(threads);
  Progress progress("sudden gains", table->size());
  auto status = write_rows(
      table->size(), threads, outputs, &progress,
      [&](std::size_t i, std::vector<io::RowBuffer>& out, std::size_t worker) {
        Scratch& s = scratch[worker];
        const auto scores = table->row(i);
        const std::string_view id = table->id(i);
        core::find_sudden_changes(scores, *options, s.changes);
        if (selection) {
          if (auto chosen = core::select_one(s.changes, *selection, options->compat_suddengains)) {
            format_change(out[0], id, s.changes[*chosen]);
          }
        } else {
          for (const auto& change : s.changes) format_change(out[0], id, change);
        }
        if (want_intervals) {
          core::test_intervals(scores, *options, s.tests);
          for (const auto& test : s.tests) {
            io::RowBuffer& row = out[1];
            row.begin_row();
            row.text(id);
            row.integer(test.pregain_session);
            row.integer(test.pregain_session + 1);
            row.flag(test.crit1);
            row.flag(test.crit2);
            row.flag(test.crit3);
            row.flag(test.sudden);
            row.end_row();
          }
        }
      });
  if (!status.is_ok()) return report(status);
  for (auto* output : outputs) {
    if (auto committed = output->commit(); !committed.is_ok()) return report(committed);
  }
  return kExitOk;
}

}  // namespace

void add_sudden_gains_command(CLI::App& analyze, int& exit_code) {
  auto args = std::make_shared<SuddenGainsArgs>();
  CLI::App* command = analyze.add_subcommand(
      "sudden-gains",
      "sudden gains (or losses) between consecutive sessions, Tang & DeRubeis (1999)");
  add_input_options(*command, args->input);
  command->add_option("--cutoff", args->cutoff, "criterion 1: the smallest change that counts");
  command->add_option("--sd", args->sd, "criterion 1 from the measure's SD (with --reliability)");
  command->add_option("--reliability", args->reliability, "the measure's reliability (with --sd)");
  command->add_option("--pct", args->pct, "criterion 2: share of the pregain score (default 0.25)");
  command->add_option("--critical", args->critical,
                      "criterion 3: a fixed critical value (default: t(.975) for the scores "
                      "present, 2.776 with all six)");
  command->add_flag("--no-adjust", args->no_adjust,
                    "criterion 3: do not adjust the critical value for missing scores (2.776)");
  command->add_flag("--losses", args->losses, "find sudden losses (worsening) instead of gains");
  command->add_option("--compat", args->compat, "reproduce a peer's behaviour exactly")
      ->check(CLI::IsMember({"suddengains"}));
  command->add_option("--intervals", args->intervals,
                      "also write every tested interval with its three criteria to FILE");
  command->add_option("--select", args->select, "one gain per client")
      ->check(CLI::IsMember({"first", "last", "smallest", "largest"}));
  add_output_options(*command, args->output);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
