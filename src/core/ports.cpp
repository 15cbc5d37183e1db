#include "core/ports.hpp"

#include <utility>

namespace tandem::core {

void clear_sealed_text(EpisodeRecords& records) {
  for (SessionRecord& s : records.sessions) s.therapist_notes.clear();
  for (ProgressDefinition& d : records.definitions) {
    d.hopes.clear();
    d.better_looks_like.clear();
    d.small_shifts.clear();
    d.change_note.clear();
    for (GoalDefinition& g : d.goals) {
      g.text.clear();
      for (std::string& level : g.gas_levels) level.clear();
    }
  }
  for (MomentRecord& m : records.moments) m.text.clear();
}

Result<EpisodeRecords> Transaction::episode_records(Id org, Id episode, SealedText text) {
  EpisodeRecords records;
  auto e = get_episode(org, episode);
  if (!e) return fail(e.error());
  records.episode = std::move(*e);
  auto sessions = sessions_of(org, episode);
  if (!sessions) return fail(sessions.error());
  records.sessions = std::move(*sessions);
  auto administrations = administrations_of(org, episode);
  if (!administrations) return fail(administrations.error());
  records.administrations = std::move(*administrations);
  auto definitions = definition_versions(org, episode);
  if (!definitions) return fail(definitions.error());
  records.definitions = std::move(*definitions);
  auto ratings = goal_ratings_of(org, episode);
  if (!ratings) return fail(ratings.error());
  records.goal_ratings = std::move(*ratings);
  auto alliance = alliance_of(org, episode);
  if (!alliance) return fail(alliance.error());
  records.alliance = std::move(*alliance);
  auto moments = moments_of(org, episode);
  if (!moments) return fail(moments.error());
  records.moments = std::move(*moments);
  if (text == SealedText::kLeaveSealed) clear_sealed_text(records);
  return records;
}

}  // namespace tandem::core
