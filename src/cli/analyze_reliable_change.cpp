// `tandem analyze reliable-change`: reliable change (Jacobson & Truax 1991 and the five
// other RCI methods of clinicalsignificance) and clinical significance categories, one
// row per client, from pre/post pairs or from the first and last score of a series.
#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <optional>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "core/clinical_significance.hpp"
#include "core/rci_variants.hpp"
#include "core/reliable_change.hpp"

namespace tandem::cli {
namespace {

struct ReliableChangeArgs {
  InputOptions input;
  OutputOptions output;
  double reliability = core::kMissing;
  std::optional<double> reliability_post;
  std::optional<double> sd;
  bool sample_sd = false;
  std::string method = "jt";
  std::optional<double> clinical_mean;
  std::optional<double> clinical_sd;
  std::optional<double> functional_mean;
  std::optional<double> functional_sd;
  std::optional<std::string> cutoff;
  std::optional<double> critical_value;
  bool higher_is_better = false;
  std::string compat;
};

const std::vector<std::string> kColumns = {
    "id",       "pre",      "post",   "change",         "rci",
    "reliable", "category", "cutoff", "critical_value", "s_diff"};

// One client's row; `outcome` empty when pre or post is missing.
struct Row {
  std::optional<core::ReliableChange> reliable;
  double rci = core::kMissing;
  std::string category;
};

const char* reliable_text(core::ReliableChange change) {
  switch (change) {
    case core::ReliableChange::kImproved:
      return "improved";
    case core::ReliableChange::kDeteriorated:
      return "deteriorated";
    case core::ReliableChange::kNone:
      return "none";
  }
  return "none";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

double value_or_missing(const std::optional<double>& value) {
  return value ? *value : core::kMissing;
}

core::Status check_arguments(const ReliableChangeArgs& args) {
  using core::Status;
  if (!(args.reliability >= 0.0 && args.reliability < 1.0)) {
    return Status::invalid_argument("--reliability must be in [0, 1)", "reliability");
  }
  if (args.sd.has_value() == args.sample_sd) {
    return Status::invalid_argument(
        "give exactly one of --sd S (the SD of the clinical population) or --sample-sd (the SD "
        "of the complete-case pre scores)",
        "sd");
  }
  if (args.sd && !(*args.sd > 0.0)) return Status::invalid_argument("--sd must be above 0", "sd");
  for (const auto* sd : {&args.clinical_sd, &args.functional_sd}) {
    if (*sd && !(**sd > 0.0)) {
      return Status::invalid_argument("norm SDs must be above 0", "norms");
    }
  }
  if (args.functional_mean.has_value() != args.functional_sd.has_value()) {
    return Status::invalid_argument("give --functional-mean and --functional-sd together",
                                    "functional");
  }
  if (args.clinical_mean.has_value() != args.clinical_sd.has_value()) {
    return Status::invalid_argument("give --clinical-mean and --clinical-sd together", "clinical");
  }
  if (args.critical_value && !(*args.critical_value > 0.0)) {
    return Status::invalid_argument("--critical-value must be above 0", "critical-value");
  }
  return Status::ok();
}

int run(const ReliableChangeArgs& args) {
  if (auto status = check_arguments(args); !status.is_ok()) return report(status);
  auto read = read_options(args.input);
  if (!read) return report(read.error());
  auto format = io::parse_format(args.output.format);
  if (!format) return report(format.error());
  auto table = io::read_pre_post(args.input.input, *read);
  if (!table) return report(table.error());
  report_skipped(table->skipped);

  const auto direction =
      args.higher_is_better ? core::Direction::kHigherIsBetter : core::Direction::kLowerIsBetter;
  std::string method_code = args.method;
  for (char& c : method_code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto method = core::parse_method(method_code);
  if (!method) {
    return report(core::Status::invalid_argument(
        fmt::format("--method: '{}' is not one of jt, gln, hll, en, nk, ha", args.method),
        "method"));
  }
  const bool compat = args.compat == "clinicalsignificance";
  const bool has_functional = args.functional_mean.has_value();
  const bool has_clinical = args.clinical_mean.has_value();
  // Default cut-off: c when both norms exist (Jacobson & Truax's advice for overlapping
  // distributions), a when only the clinical norms are known.
  core::CutoffType cutoff_type = has_functional ? core::CutoffType::kC : core::CutoffType::kA;
  if (args.cutoff) {
    const auto parsed = core::parse_cutoff(*args.cutoff);
    if (!parsed) {
      return report(core::Status::invalid_argument(
          fmt::format("--cutoff: '{}' is not one of a, b, c", *args.cutoff), "cutoff"));
    }
    cutoff_type = *parsed;
  }

  std::vector<Row> rows(table->ids.size());
  double cutoff = core::kMissing;
  double critical = core::kMissing;
  double s_diff = core::kMissing;

  const bool reliable_change_only = *method == core::RciMethod::kJacobsonTruax && args.sd &&
                                    !has_clinical && !has_functional && !args.cutoff && !compat;
  if (reliable_change_only) {
    // No norms: reliable change alone, the categories improved / unchanged / deteriorated.
    auto index = core::JacobsonTruaxIndex::make(*args.sd, args.reliability);
    if (!index) return report(index.error());
    critical = args.critical_value.value_or(core::kJacobsonTruaxCriticalValue);
    s_diff = index->s_diff();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const core::PrePost pair{table->pre[i], table->post[i]};
      if (!core::is_complete(pair)) continue;
      rows[i].rci = index->index(pair);
      rows[i].reliable = core::classify_index(rows[i].rci, direction, critical);
      if (rows[i].reliable) {
        rows[i].category = *rows[i].reliable == core::ReliableChange::kImproved ? "improved"
                           : *rows[i].reliable == core::ReliableChange::kNone   ? "unchanged"
                                                                                : "deteriorated";
      }
    }
  } else {
    core::SampleOptions options;
    if (compat) {
      options = core::clinicalsignificance_options(*method, cutoff_type, args.reliability,
                                                   value_or_missing(args.functional_mean),
                                                   value_or_missing(args.functional_sd), direction);
    } else {
      options.method = *method;
      options.cutoff = cutoff_type;
      options.reliability = args.reliability;
      options.functional_mean = value_or_missing(args.functional_mean);
      options.functional_sd = value_or_missing(args.functional_sd);
      options.rules = core::jacobson_truax_rules(direction);
    }
    // clinicalsignificance always takes the clinical norms from the sample (quirk C2);
    // by default Tandem uses the norms given, and the sample's only when none are.
    if (!compat || has_clinical) {
      options.clinical_mean = value_or_missing(args.clinical_mean);
      options.clinical_sd = value_or_missing(args.clinical_sd);
    }
    options.rci_sd = value_or_missing(args.sd);
    if (args.reliability_post) options.reliability_post = *args.reliability_post;
    if (args.critical_value) {
      options.rules.critical_value = *args.critical_value;
      options.rules.true_score_critical_value = *args.critical_value;
    }
    if (!has_functional && cutoff_type != core::CutoffType::kA) {
      return report(core::Status::invalid_argument(
          fmt::format("cut-off {} needs the functional norms: give --functional-mean and "
                      "--functional-sd, or use --cutoff a",
                      core::cutoff_code(cutoff_type)),
          "functional-mean"));
    }
    const core::ClientList clients{table->ids, table->pre, table->post};
    auto analysis = core::analyse_sample(clients, options);
    if (!analysis) return report(analysis.error());
    cutoff = analysis->parameters.cutoff;
    critical = analysis->parameters.critical_value;
    s_diff = analysis->parameters.s_diff;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& outcome = analysis->clients[i];
      if (!outcome) continue;
      rows[i].rci = outcome->rci;
      rows[i].reliable = outcome->change;
      rows[i].category = lower(core::category_name(outcome->category));
    }
  }

  io::OutputFile out;
  if (auto status = open_output(out, args.output, *format, kColumns); !status.is_ok()) {
    return report(status);
  }
  auto status = write_rows(rows.size(), 1, {&out}, nullptr,
                           [&](std::size_t i, std::vector<io::RowBuffer>& buffers, std::size_t) {
                             io::RowBuffer& row = buffers[0];
                             const double pre = table->pre[i];
                             const double post = table->post[i];
                             row.begin_row();
                             row.text(table->ids[i]);
                             row.number(pre);
                             row.number(post);
                             row.number(post - pre);
                             row.number(rows[i].rci);
                             if (rows[i].reliable)
                               row.text(reliable_text(*rows[i].reliable));
                             else
                               row.missing();
                             row.text(rows[i].category);
                             row.number(cutoff);
                             row.number(critical);
                             row.number(s_diff);
                             row.end_row();
                           });
  if (!status.is_ok()) return report(status);
  if (auto committed = out.commit(); !committed.is_ok()) return report(committed);
  return kExitOk;
}

}  // namespace

void add_reliable_change_command(CLI::App& analyze, int& exit_code) {
  auto args = std::make_shared<ReliableChangeArgs>();
  CLI::App* command = analyze.add_subcommand(
      "reliable-change",
      "reliable change and clinical significance, Jacobson & Truax (1991) and five other RCIs");
  add_input_options(*command, args->input);
  command->add_option("--reliability", args->reliability, "the measure's reliability")->required();
  command->add_option("--reliability-post", args->reliability_post,
                      "reliability of the post score (NK; default: --reliability)");
  command->add_option("--sd", args->sd, "SD for the standard error (clinical population)");
  command->add_flag("--sample-sd", args->sample_sd,
                    "take the SD from the complete-case pre scores instead");
  command->add_option("--method", args->method, "jt (default), gln, hll, en, nk or ha")
      ->check(CLI::IsMember({"jt", "gln", "hll", "en", "nk", "ha"}));
  command->add_option("--clinical-mean", args->clinical_mean, "clinical population mean (M1)");
  command->add_option("--clinical-sd", args->clinical_sd, "clinical population SD (s1)");
  command->add_option("--functional-mean", args->functional_mean,
                      "functional population mean (M0)");
  command->add_option("--functional-sd", args->functional_sd, "functional population SD (s0)");
  command->add_option("--cutoff", args->cutoff, "a, b or c (default c; a without functional norms)")
      ->check(CLI::IsMember({"a", "b", "c"}));
  command->add_option("--critical-value", args->critical_value,
                      "critical value for |RCI| (default 1.96; HA 1.645 one-sided)");
  command->add_flag("--higher-is-better", args->higher_is_better,
                    "higher scores are better (default: lower is better, as PHQ-9)");
  command->add_option("--compat", args->compat, "reproduce a peer's rules exactly")
      ->check(CLI::IsMember({"clinicalsignificance"}));
  add_output_options(*command, args->output);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
