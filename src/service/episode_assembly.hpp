// From the record of care to the analytics' episode: the stored rows of one episode
// (sessions, questionnaires, goal ratings, alliance, moments, definition versions) turned into
// the plain core::Episode that core::profile_episode reads. Loading reads the store; assembling
// is pure.
#pragma once

#include <vector>

#include "core/episode.hpp"
#include "core/instrument.hpp"
#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"

namespace tandem::service {

using core::EpisodeRecords;

// The episode's record; kLeaveSealed for views that show no free text (profiles,
// caseloads), so none of it is opened.
core::Result<EpisodeRecords> load_episode_records(core::Transaction& tx, core::Id org,
                                                  core::Id episode, core::SealedText text);

// The episode as the profile reads it:
// - goals: those of the current definition version (ratings of goals since removed, or not on
//   the goal's current scale, are left out);
// - per session: the tracked instrument's total (the last administration at that session),
//   the crisis item's answer of any instrument in `instruments` that defines one (the
//   highest, clamped to 0..3), felt hard when either side marked it, the last alliance
//   rating, each side's last rating of each goal, and the moments noted at it;
// - definition_revised_session: the session the current version was written at;
// - ended: the episode is closed.
core::Episode assemble_episode(const EpisodeRecords& records,
                               const std::vector<core::Instrument>& instruments);

// The tracked instrument's totals by session number (position n - 1; kMissing when none),
// as the expected trajectory reads them.
std::vector<double> scores_by_session(const core::Episode& episode);

}  // namespace tandem::service
