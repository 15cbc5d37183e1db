#include "service/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "service/access.hpp"
#include "service/care_record.hpp"
#include "service/lookups.hpp"
#include "service/unit_of_work.hpp"

namespace tandem::service {
namespace {

using core::Id;
using core::Result;
using core::Status;

struct SessionAt {
  int number = 0;
  core::Date date = 0;
};

std::map<Id, SessionAt> sessions_by_id(const std::vector<core::SessionRecord>& sessions) {
  std::map<Id, SessionAt> out;
  for (const core::SessionRecord& s : sessions) out.emplace(s.id, SessionAt{s.number, s.date});
  return out;
}

std::vector<TimelineScore> scores_of(const EpisodeRecords& records,
                                     const std::vector<core::Instrument>& instruments,
                                     const std::map<Id, SessionAt>& at) {
  std::map<int, TimelineScore> by_number;  // rows come in id order: the last one stays
  for (const core::Administration& a : records.administrations) {
    if (a.instrument != records.episode.instrument || !a.session) continue;
    auto session = at.find(*a.session);
    if (session == at.end() || core::is_missing(a.total)) continue;
    const QuestionnaireView view = questionnaire_view(a, instruments);
    by_number[session->second.number] = TimelineScore{
        session->second.number, session->second.date, a.total,
        view.score.band,        a.answered_by,        view.score.crisis == core::Flag::kYes};
  }
  std::vector<TimelineScore> out;
  for (auto& [number, score] : by_number) out.push_back(std::move(score));
  return out;
}

// The latest definition of `key` in any version, if one has it.
const core::GoalDefinition* latest_definition(const std::vector<core::ProgressDefinition>& versions,
                                              const std::string& key) {
  for (auto version = versions.rbegin(); version != versions.rend(); ++version) {
    for (const core::GoalDefinition& goal : version->goals) {
      if (goal.key == key) return &goal;
    }
  }
  return nullptr;
}

std::vector<TimelineGoal> goals_of(const EpisodeRecords& records,
                                   const std::map<Id, SessionAt>& at) {
  std::vector<TimelineGoal> out;
  std::map<std::string, std::size_t> index;
  if (!records.definitions.empty()) {
    for (const core::GoalDefinition& goal : records.definitions.back().goals) {
      index.emplace(goal.key, out.size());
      out.push_back({goal, {}});
    }
  }
  // (goal, session number, rater) -> the last value.
  std::map<std::tuple<std::size_t, int, core::Rater>, double> last;
  for (const core::GoalRatingRecord& r : records.goal_ratings) {
    auto session = at.find(r.session);
    if (session == at.end()) continue;
    auto goal = index.find(r.goal_key);
    if (goal == index.end()) {
      core::GoalDefinition definition;
      definition.key = r.goal_key;
      definition.text = r.goal_key;
      if (const core::GoalDefinition* known = latest_definition(records.definitions, r.goal_key)) {
        definition = *known;
      }
      goal = index.emplace(r.goal_key, out.size()).first;
      out.push_back({std::move(definition), {}});
    }
    last[{goal->second, session->second.number, r.rater}] = r.value;
  }
  for (const auto& [key, value] : last) {
    const auto& [goal, session, rater] = key;
    out[goal].ratings.push_back({session, rater, value});
  }
  return out;
}

std::vector<TimelinePoint> alliance_of(const EpisodeRecords& records,
                                       const std::map<Id, SessionAt>& at) {
  std::map<int, double> last;
  for (const core::AllianceRating& r : records.alliance) {
    if (auto session = at.find(r.session); session != at.end()) {
      last[session->second.number] = r.value;
    }
  }
  std::vector<TimelinePoint> out;
  for (const auto& [session, value] : last) out.push_back({session, value});
  return out;
}

std::vector<TimelineMoment> moments_of(const EpisodeRecords& records,
                                       const std::map<Id, SessionAt>& at, bool with_text) {
  std::vector<TimelineMoment> out;
  for (const core::MomentRecord& m : records.moments) {
    if (!m.session) continue;
    auto session = at.find(*m.session);
    if (session == at.end()) continue;
    TimelineMoment moment{session->second.number, m.tag, m.by, std::nullopt};
    if (with_text) moment.text = m.text;
    out.push_back(std::move(moment));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.session < b.session; });
  return out;
}

// The profile's reliable-change threshold: the options' own, else the instrument's.
double reliable_change_of(const core::Instrument& instrument, const InsightOptions& options) {
  if (std::isfinite(options.profile.reliable_change)) return options.profile.reliable_change;
  return instrument.reliable_change_threshold.value_or(core::kMissing);
}

std::vector<core::SuddenChange> sudden_changes_of(std::span<const double> scores,
                                                  const core::Instrument& instrument,
                                                  const InsightOptions& options) {
  core::SuddenGainOptions gain;
  gain.direction = instrument.direction;
  gain.cutoff = std::isfinite(options.profile.sudden_cutoff)
                    ? options.profile.sudden_cutoff
                    : reliable_change_of(instrument, options);
  gain.pct = options.profile.sudden_pct;
  if (!core::validate(gain).is_ok()) return {};
  core::SuddenGainOptions loss = gain;
  loss.kind = core::ChangeKind::kLoss;
  std::vector<core::SuddenChange> gains;
  std::vector<core::SuddenChange> losses;
  core::find_sudden_changes(scores, gain, gains);
  core::find_sudden_changes(scores, loss, losses);
  gains.insert(gains.end(), losses.begin(), losses.end());
  std::stable_sort(gains.begin(), gains.end(), [](const auto& a, const auto& b) {
    return a.pregain_session < b.pregain_session;
  });
  return gains;
}

std::optional<ReliableChangeBand> band_around_intake(const std::vector<TimelineScore>& scores,
                                                     double threshold) {
  if (scores.empty() || !std::isfinite(threshold) || threshold <= 0.0) return std::nullopt;
  const double intake = scores.front().total;
  return ReliableChangeBand{intake, intake - threshold, intake + threshold};
}

std::optional<std::vector<ExpectedPoint>> expected_of(std::span<const double> scores,
                                                      const core::Instrument& instrument,
                                                      const InsightOptions& options) {
  if (!options.expected) return std::nullopt;
  auto model = options.expected->find(instrument.id);
  if (model == options.expected->end() || scores.empty()) return std::nullopt;
  const int stratum = model->second.stratum_for(scores.front());
  if (stratum < 0 || !model->second.strata()[static_cast<std::size_t>(stratum)].available) {
    return std::nullopt;
  }
  std::vector<ExpectedPoint> out;
  for (int session = 1; session <= model->second.max_session(); ++session) {
    if (model->second.has_band(stratum, session)) {
      out.push_back({session, model->second.band(stratum, session)});
    }
  }
  return out;
}

}  // namespace

Timeline build_timeline(const EpisodeRecords& records, const core::Instrument& instrument,
                        const std::vector<core::Instrument>& instruments,
                        const InsightOptions& options, bool with_moment_text) {
  Timeline out;
  out.episode = records.episode;
  out.instrument = instrument;
  out.sessions = records.sessions;
  for (core::SessionRecord& s : out.sessions) s.therapist_notes.clear();
  const std::map<Id, SessionAt> at = sessions_by_id(records.sessions);
  out.scores = scores_of(records, instruments, at);
  out.goals = goals_of(records, at);
  out.alliance = alliance_of(records, at);
  out.moments = moments_of(records, at, with_moment_text);
  const std::vector<double> scores = scores_by_session(assemble_episode(records, instruments));
  out.sudden_changes = sudden_changes_of(scores, instrument, options);
  out.reliable_change_band =
      band_around_intake(out.scores, reliable_change_of(instrument, options));
  out.expected = expected_of(scores, instrument, options);
  return out;
}

Result<Timeline> episode_timeline(const Context& ctx, const Actor& actor, Id episode,
                                  const InsightOptions& options) {
  return detail::run(
      ctx, detail::note_for(actor, "timeline.read", "episode", episode),
      [&](core::Transaction& tx, detail::AuditNote&) -> Result<Timeline> {
        auto scope = detail::authorized_episode(tx, actor, episode, Resource::kProgressProfile,
                                                Action::kRead);
        if (!scope) return core::fail(scope.error());
        auto instruments = ctx.instruments.list(tx, actor.org);
        if (!instruments) return core::fail(instruments.error());
        const core::Instrument* tracked = nullptr;
        for (const core::Instrument& i : *instruments) {
          if (i.id == scope->episode.instrument) tracked = &i;
        }
        if (!tracked) {
          return core::fail(
              Status::failed_precondition("the episode's instrument '" + scope->episode.instrument +
                                          "' is no longer defined in this organisation"));
        }
        auto records = load_episode_records(tx, actor.org, episode, core::SealedText::kOpen);
        if (!records) return core::fail(records.error());
        const bool with_text =
            decide(actor, Resource::kMoment, Action::kRead, scope->relation) == Decision::kAllow;
        return build_timeline(*records, *tracked, *instruments, options, with_text);
      });
}

}  // namespace tandem::service
