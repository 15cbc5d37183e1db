// The timeline of an episode: everything the client page charts, session by session, in one
// read (sessions, the tracked instrument's scores, goal ratings from both sides, alliance,
// moments, sudden gains and losses, the reliable-change band around the intake and the
// expected trajectory when one is configured). Whoever may read the episode's profile may read
// its timeline; the read is audited. Thread-safe as the ports are; build_timeline() is pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/instrument.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "core/sudden_gains.hpp"
#include "core/trajectory.hpp"
#include "service/context.hpp"
#include "service/episode_assembly.hpp"
#include "service/insight.hpp"

namespace tandem::service {

struct TimelineScore {
  int session = 0;  // the session number (the chart's x)
  core::Date date = 0;
  double total = 0.0;
  std::string band;
  core::Rater answered_by = core::Rater::kClient;
  bool crisis = false;
};

struct TimelineRating {
  int session = 0;
  core::Rater rater = core::Rater::kClient;
  double value = 0.0;
};

struct TimelineGoal {
  // From the current definition version; for a key seen only in ratings, from the latest
  // version that had it, else the key as its text on a GBO scale.
  core::GoalDefinition definition;
  std::vector<TimelineRating> ratings;  // each side's last rating per session, by session
};

struct TimelinePoint {
  int session = 0;
  double value = 0.0;
};

struct TimelineMoment {
  int session = 0;
  std::string tag;
  core::Rater by = core::Rater::kClient;
  std::optional<std::string> text;  // only for callers who may read moments
};

struct ReliableChangeBand {
  double intake = 0.0;  // the first score
  double lower = 0.0;   // intake - the reliable-change threshold
  double upper = 0.0;   // intake + the threshold
};

struct ExpectedPoint {
  int session = 0;
  core::PercentileBand band;
};

struct Timeline {
  core::EpisodeRecord episode;
  core::Instrument instrument;
  std::vector<core::SessionRecord> sessions;  // by number; therapist notes left out
  std::vector<TimelineScore> scores;          // one per scored session, by number
  std::vector<TimelineGoal> goals;
  std::vector<TimelinePoint> alliance;  // the last rating per session
  std::vector<TimelineMoment> moments;  // those noted at a session, by session
  // Gains and losses on the session scores (criterion 1: the sudden cut-off of the profile
  // options, else their reliable change, else the instrument's threshold), by pregain session.
  std::vector<core::SuddenChange> sudden_changes;
  std::optional<ReliableChangeBand> reliable_change_band;  // none without scores or threshold
  // The expected band per session for the episode's intake, when InsightOptions::expected has
  // a model for the instrument and the intake falls in one of its available strata.
  std::optional<std::vector<ExpectedPoint>> expected;
};

// Pure: the timeline from the episode's records and its tracked instrument.
Timeline build_timeline(const EpisodeRecords& records, const core::Instrument& instrument,
                        const std::vector<core::Instrument>& instruments,
                        const InsightOptions& options, bool with_moment_text);

// The client (own), the assigned therapist, or the supervisor of one (the profile's readers).
// Audited as timeline.read on the episode.
core::Result<Timeline> episode_timeline(const Context& ctx, const Actor& actor, core::Id episode,
                                        const InsightOptions& options = {});

}  // namespace tandem::service
