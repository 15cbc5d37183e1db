// `tandem analyze profile`: every method of the analytics core per client, one row
// each, for one instrument's session totals: change and reliable change, caseness and
// recovery, severity bands, sudden gains and losses, trend and steadiness.
#include <fmt/format.h>

#include <limits>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/reference.hpp"
#include "core/instrument.hpp"
#include "core/progress_profile.hpp"
#include "core/record.hpp"
#include "core/reliable_change.hpp"
#include "core/sudden_gains.hpp"
#include "core/trajectory.hpp"
#include "core/trend.hpp"
#include "io/episode_reader.hpp"
#include "io/instrument_loader.hpp"
#include "io/profile_output.hpp"
#include "io/trajectory_table.hpp"

namespace tandem::cli {
namespace {

struct ProfileArgs {
  InputOptions input;
  OutputOptions output;
  std::string instrument;
  std::string instrument_dir = TANDEM_INSTRUMENT_DIR;
  std::string episodes;
  std::string reference;
  std::string texts;
  std::string as_of;
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
                                           "summary",
                                           "dimensions",
                                           "patterns",
                                           "signals"};

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
  core::Episode episode;
  core::ProfileWorkspace workspace;
  core::Profile profile;
  core::TrajectoryAssessment assessment;
};

// The progress-profile inputs every client's row shares.
struct EpisodeContext {
  const core::Instrument* instrument = nullptr;
  core::ProfileOptions options;
  const core::ExpectedTrajectory* trajectory = nullptr;  // null: no reference given
};

// An episode from a plain score series: one attended session per scored session, at
// weekly dates (no dates are known, so the gap rule of dropout risk cannot fire).
void episode_from_scores(std::string_view id, std::span<const double> scores, core::Episode& out) {
  out.id.assign(id);
  out.goals.clear();
  out.definition_revised_session.reset();
  out.ended = false;
  out.sessions.resize(scores.size());
  for (std::size_t k = 0; k < scores.size(); ++k) {
    core::EpisodeSession& s = out.sessions[k];
    s.n = static_cast<int>(k) + 1;
    s.day = static_cast<int>(k) * 7;
    s.attendance = core::Attendance::kAttended;
    s.score = scores[k];
    s.item9 = core::kMissing;
    s.felt_hard = false;
    s.alliance = core::kMissing;
    s.goals.clear();
    s.moments.clear();
  }
}

// Profiles `episode` into worker.profile, with the trajectory verdict when a reference
// was given. Returns false (and leaves the profile empty) when the episode is invalid.
core::Status profile_with_trajectory(const EpisodeContext& context, Worker& worker,
                                     std::span<const double> scores) {
  core::TrajectoryVerdict verdict;
  const core::TrajectoryVerdict* verdict_ptr = nullptr;
  if (context.trajectory != nullptr) {
    core::assess(scores, *context.trajectory, worker.assessment);
    verdict = core::to_verdict<core::TrajectoryVerdict>(worker.assessment);
    verdict_ptr = &verdict;
  }
  return worker.workspace.profile(worker.episode, *context.instrument, context.options, verdict_ptr,
                                  worker.profile);
}

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
}

core::Result<core::ProfileOptions> profile_options(const ProfileArgs& args) {
  core::ProfileOptions options;
  if (!args.as_of.empty()) {
    const auto day = core::parse_date(args.as_of);
    if (!day) {
      return core::fail(core::Status::invalid_argument(
          fmt::format("--as-of: '{}' is not a date (YYYY-MM-DD)", args.as_of), "as-of"));
    }
    options.as_of_day = *day;
  }
  return options;
}

// `--episodes FILE.jsonl`: one profile per episode, as JSON Lines (or one CSV row).
int run_episodes(const ProfileArgs& args, const io::ReadOptions& read) {
  auto episodes = io::read_episodes_jsonl(args.episodes, read);
  if (!episodes) return report(episodes.error());
  report_skipped(episodes->skipped);
  auto options = profile_options(args);
  if (!options) return report(options.error());
  std::optional<io::Texts> texts;
  if (!args.texts.empty()) {
    auto loaded = io::Texts::load(args.texts);
    if (!loaded) return report(loaded.error());
    texts = std::move(*loaded);
  }
  // Instruments and their expected trajectories, resolved once per name.
  std::map<std::string, core::Instrument> instruments;
  std::map<std::string, core::ExpectedTrajectory> trajectories;
  for (const auto& input : episodes->episodes) {
    if (instruments.count(input.instrument) != 0) continue;
    auto instrument = io::resolve_instrument(input.instrument, args.instrument_dir);
    if (!instrument) {
      return report(
          core::Status::invalid_argument(fmt::format("{}:{}: instrument: {}", args.episodes,
                                                     input.line, instrument.error().message()),
                                         "instrument"));
    }
    if (!args.reference.empty()) {
      auto model = load_reference(args.reference, *instrument, read);
      if (!model) return report(model.error());
      trajectories.emplace(input.instrument, std::move(*model));
    }
    instruments.emplace(input.instrument, std::move(*instrument));
  }
  const std::string format_name = args.output.format == "csv" && !args.output.format_given
                                      ? std::string("jsonl")
                                      : args.output.format;
  auto format = io::parse_format(format_name);
  if (!format) return report(format.error());
  static const std::vector<std::string> kEpisodeColumns = {
      "id", "instrument", "dimensions", "patterns", "signals", "dropout_risk"};
  io::OutputFile out;
  if (auto status = open_output(out, args.output, *format, kEpisodeColumns); !status.is_ok()) {
    return report(status);
  }
  const unsigned threads = thread_count(args.input.threads);
  std::vector<Worker> workers(threads);
  std::vector<std::string> errors(threads);
  std::vector<double> scores;
  Progress progress("profiles", episodes->episodes.size());
  auto status =
      write_rows(episodes->episodes.size(), threads, {&out}, &progress,
                 [&](std::size_t i, std::vector<io::RowBuffer>& rows, std::size_t w) {
                   const io::EpisodeInput& input = episodes->episodes[i];
                   Worker& worker = workers[w];
                   EpisodeContext context;
                   context.instrument = &instruments.at(input.instrument);
                   context.options = *options;
                   auto model = trajectories.find(input.instrument);
                   if (model != trajectories.end()) context.trajectory = &model->second;
                   worker.episode = input.episode;
                   // The trajectory reads scores by session number.
                   std::vector<double> series;
                   for (const auto& session : input.episode.sessions) {
                     if (static_cast<std::size_t>(session.n) > series.size()) {
                       series.resize(static_cast<std::size_t>(session.n), core::kMissing);
                     }
                     series[static_cast<std::size_t>(session.n) - 1] = session.score;
                   }
                   if (auto s = profile_with_trajectory(context, worker, series); !s.is_ok()) {
                     if (errors[w].empty()) {
                       errors[w] = fmt::format("{}:{}: {}", args.episodes, input.line, s.message());
                     }
                     return;
                   }
                   if (*format == io::Format::kJsonLines || *format == io::Format::kJson) {
                     nlohmann::json json = io::profile_to_json(worker.profile, input.instrument,
                                                               texts ? &*texts : nullptr);
                     if (*format == io::Format::kJsonLines) {
                       rows[0].append_raw(json.dump());
                       rows[0].append_raw("\n");
                     } else {
                       rows[0].append_raw(json.dump());
                       rows[0].append_raw("\n");
                     }
                     return;
                   }
                   io::RowBuffer& row = rows[0];
                   row.begin_row();
                   row.text(worker.profile.id);
                   row.text(input.instrument);
                   row.text(io::dimensions_cell(worker.profile));
                   row.text(io::patterns_cell(worker.profile));
                   row.text(io::signals_cell(worker.profile));
                   row.number(worker.profile.dropout_risk);
                   row.end_row();
                 });
  for (const auto& error : errors) {
    if (!error.empty()) return report(core::Status::invalid_argument(error));
  }
  if (!status.is_ok()) return report(status);
  if (auto committed = out.commit(); !committed.is_ok()) return report(committed);
  return kExitOk;
}

int run(const ProfileArgs& args) {
  auto read = read_options(args.input);
  if (!read) return report(read.error());
  if (args.episodes.empty() == args.input.input.empty()) {
    return report(core::Status::invalid_argument(
        "give either INPUT (session totals, with --instrument) or --episodes FILE.jsonl", "input"));
  }
  if (!args.episodes.empty()) return run_episodes(args, *read);
  if (args.instrument.empty()) {
    return report(core::Status::invalid_argument(
        "--instrument is required with INPUT: phq9, gad7 or a definition file", "instrument"));
  }
  auto instrument = io::resolve_instrument(args.instrument, args.instrument_dir);
  if (!instrument) return report(instrument.error());
  auto format = io::parse_format(args.output.format);
  if (!format) return report(format.error());
  auto options = profile_options(args);
  if (!options) return report(options.error());
  std::optional<core::ExpectedTrajectory> trajectory;
  if (!args.reference.empty()) {
    auto model = load_reference(args.reference, *instrument, *read);
    if (!model) return report(model.error());
    trajectory = std::move(*model);
  }
  auto table = io::read_scores(args.input.input, *read);
  if (!table) return report(table.error());
  report_skipped(table->skipped());
  // A long file with episode columns (date, attendance, item 9, alliance, goals,
  // moments) gives each client's whole episode; a plain score file gives scores only.
  std::optional<io::EpisodeFile> episodes;
  if (args.input.input != "-") {
    auto file = io::MappedFile::open(args.input.input);
    if (!file) return report(file.error());
    const std::string_view text = file->text();
    if (io::has_episode_columns(text.substr(0, text.find('\n')))) {
      auto read_episodes = io::read_episodes_csv(std::move(*file), *read);
      if (!read_episodes) return report(read_episodes.error());
      if (read_episodes->episodes.size() != table->size()) {
        return report(core::Status::invalid_argument(
            args.input.input +
            ": rows were skipped differently for scores and episodes; fix "
            "the rows named above instead of skipping them"));
      }
      episodes = std::move(*read_episodes);
    }
  }

  // Sudden gains use the instrument's reliable-change threshold as criterion 1
  // (Lutz et al. 2013); without one they are not computed.
  core::SuddenGainOptions gain_options;
  gain_options.direction = instrument->direction;
  gain_options.cutoff = instrument->reliable_change_threshold.value_or(0.0);
  core::SuddenGainOptions loss_options = gain_options;
  loss_options.kind = core::ChangeKind::kLoss;
  EpisodeContext context;
  context.instrument = &*instrument;
  context.options = *options;
  // A score file says nothing about when progress was last defined together: no
  // review-due signal can be grounded in it.
  context.options.review_after = std::numeric_limits<int>::max();
  context.options.review_after_sudden_change = false;
  if (trajectory) context.trajectory = &*trajectory;

  const unsigned threads = thread_count(args.input.threads);
  io::OutputFile out;
  if (auto status = open_output(out, args.output, *format, kColumns); !status.is_ok()) {
    return report(status);
  }
  std::vector<Worker> workers(threads);
  Progress progress("profile", table->size());
  auto status =
      write_rows(table->size(), threads, {&out}, &progress,
                 [&](std::size_t i, std::vector<io::RowBuffer>& rows, std::size_t w) {
                   ClientProfile profile;
                   Worker& worker = workers[w];
                   compute(*instrument, gain_options, loss_options, table->row(i), worker, profile);
                   format_row(rows[0], table->id(i), *instrument, profile);
                   if (episodes) {
                     worker.episode = episodes->episodes[i].episode;
                   } else {
                     episode_from_scores(table->id(i), table->row(i), worker.episode);
                   }
                   if (profile_with_trajectory(context, worker, table->row(i)).is_ok()) {
                     rows[0].text(io::dimensions_cell(worker.profile));
                     rows[0].text(io::patterns_cell(worker.profile));
                     rows[0].text(io::signals_cell(worker.profile));
                   } else {
                     rows[0].missing();
                     rows[0].missing();
                     rows[0].missing();
                   }
                   rows[0].end_row();
                 });
  if (!status.is_ok()) return report(status);
  if (auto committed = out.commit(); !committed.is_ok()) return report(committed);
  return kExitOk;
}

}  // namespace

void add_profile_command(CLI::App& analyze, int& exit_code) {
  auto args = std::make_shared<ProfileArgs>();
  CLI::App* command = analyze.add_subcommand(
      "profile",
      "every method per client (INPUT: session totals), or the progress profile of each episode "
      "(--episodes FILE.jsonl: statuses, patterns, signals and their evidence)");
  add_input_options(*command, args->input, true, false);
  command->add_option("--instrument", args->instrument,
                      "with INPUT: phq9, gad7, or a definition file (.json)");
  command->add_option("--episodes", args->episodes,
                      "episodes as JSON Lines (docs/episode.schema.json); writes JSON Lines");
  command->add_option("--reference", args->reference,
                      "completed episodes (id,session,score) or an exported band table: adds the "
                      "expected-trajectory verdict (not on track)");
  command->add_option("--texts", args->texts,
                      "with --episodes: add the plain-language sentences from this file "
                      "(e.g. texts/en.json)");
  command->add_option("--as-of", args->as_of,
                      "today's date (YYYY-MM-DD) for the gap since the last attended session");
  command
      ->add_option("--instrument-dir", args->instrument_dir,
                   "where named instruments are looked up")
      ->envname("TANDEM_INSTRUMENT_DIR");
  add_output_options(*command, args->output);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
