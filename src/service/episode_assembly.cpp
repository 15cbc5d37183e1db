#include "service/episode_assembly.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>

namespace tandem::service {
namespace {

const core::Instrument* find_instrument(const std::vector<core::Instrument>& instruments,
                                        const std::string& id) {
  for (const core::Instrument& i : instruments) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

}  // namespace

core::Result<EpisodeRecords> load_episode_records(core::Transaction& tx, core::Id org,
                                                  core::Id episode, core::SealedText text) {
  return tx.episode_records(org, episode, text);
}

core::Episode assemble_episode(const EpisodeRecords& records,
                               const std::vector<core::Instrument>& instruments) {
  core::Episode out;
  out.id = std::to_string(records.episode.id);
  out.ended = records.episode.closed.has_value();

  std::map<std::string, std::size_t> goal_index;
  const core::ProgressDefinition* current =
      records.definitions.empty() ? nullptr : &records.definitions.back();
  if (current) {
    for (const core::GoalDefinition& goal : current->goals) {
      goal_index.emplace(goal.key, out.goals.size());
      out.goals.push_back({goal.key, goal.scale});
    }
    out.definition_revised_session = current->revised_at_session;
  }

  std::map<core::Id, std::size_t> position;  // session id -> index in out.sessions
  for (const core::SessionRecord& s : records.sessions) {
    core::EpisodeSession session;
    session.n = s.number;
    session.day = s.date;
    session.attendance = s.attendance;
    session.felt_hard = s.felt_hard_client || s.felt_hard_therapist;
    session.goals.resize(out.goals.size());
    position.emplace(s.id, out.sessions.size());
    out.sessions.push_back(std::move(session));
  }
  auto at = [&](std::optional<core::Id> session) -> core::EpisodeSession* {
    if (!session) return nullptr;
    auto found = position.find(*session);
    return found == position.end() ? nullptr : &out.sessions[found->second];
  };

  // Rows come in id order, so a later row of the same kind replaces an earlier one.
  for (const core::Administration& a : records.administrations) {
    core::EpisodeSession* session = at(a.session);
    if (!session) continue;
    if (a.instrument == records.episode.instrument) session->score = a.total;
    const core::Instrument* instrument = find_instrument(instruments, a.instrument);
    if (!instrument || !instrument->crisis_item) continue;
    const std::size_t item = *instrument->crisis_item;
    if (item >= a.responses.size() || core::is_missing(a.responses[item])) continue;
    const double answer = std::clamp(std::round(a.responses[item]), 0.0, 3.0);
    if (core::is_missing(session->item9) || answer > session->item9) session->item9 = answer;
  }
  for (const core::AllianceRating& r : records.alliance) {
    if (core::EpisodeSession* session = at(r.session)) session->alliance = r.value;
  }
  for (const core::GoalRatingRecord& r : records.goal_ratings) {
    core::EpisodeSession* session = at(r.session);
    auto goal = goal_index.find(r.goal_key);
    if (!session || goal == goal_index.end()) continue;
    if (!core::validate(r, out.goals[goal->second].scale).is_ok()) continue;
    core::GoalRating& rating = session->goals[goal->second];
    (r.rater == core::Rater::kClient ? rating.client : rating.therapist) = r.value;
  }
  for (const core::MomentRecord& m : records.moments) {
    if (core::EpisodeSession* session = at(m.session)) {
      session->moments.push_back({m.tag, m.by, m.text});
    }
  }
  return out;
}

std::vector<double> scores_by_session(const core::Episode& episode) {
  std::vector<double> scores;
  for (const core::EpisodeSession& s : episode.sessions) {
    if (s.n < 1) continue;
    const auto index = static_cast<std::size_t>(s.n - 1);
    if (scores.size() <= index) scores.resize(index + 1, core::kMissing);
    scores[index] = s.score;
  }
  return scores;
}

}  // namespace tandem::service
