// An episode of care as plain values: the sessions offered (attended, cancelled or missed),
// the questionnaire totals and item 9, the co-defined goals rated by client and therapist,
// the alliance, the moments either side noted and whether a session felt hard. The IO layer
// parses files into these values; the progress profile (progress_profile.hpp) reads them.
// Values, thread-safe to copy; the functions are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

enum class Attendance : std::int8_t { kAttended, kCancelled, kDidNotAttend };
enum class Rater : std::int8_t { kClient, kTherapist };
// Goal-Based Outcome 0..10 (higher is better) or Goal Attainment Scaling -2..+2.
enum class GoalScale : std::int8_t { kGbo, kGas };

// The spellings of the episode schema (docs/episode.schema.json): attended | cancelled | dna,
// client | therapist, gbo | gas. Parsing is exact (lower case); nullopt for anything else.
std::string_view to_string(Attendance attendance);
std::string_view to_string(Rater rater);
std::string_view to_string(GoalScale scale);
std::optional<Attendance> parse_attendance(std::string_view text);
std::optional<Rater> parse_rater(std::string_view text);
std::optional<GoalScale> parse_goal_scale(std::string_view text);

// Well-known moment tags; any other non-empty tag is a free tag and is allowed.
namespace moment_tag {
inline constexpr std::string_view kLaughed = "laughed";
inline constexpr std::string_view kRespondedNotReacted = "responded-not-reacted";
inline constexpr std::string_view kHonest = "honest";
inline constexpr std::string_view kReturnedAfterHardSession = "returned-after-hard-session";
inline constexpr std::string_view kMoreBreathingSpace = "more-breathing-space";
}  // namespace moment_tag

bool is_well_known_moment_tag(std::string_view tag);

struct EpisodeGoal {
  std::string id;  // the goal's key in the session ratings; unique, non-empty
  GoalScale scale = GoalScale::kGbo;
};

// One goal's ratings at one session; kMissing when that side did not rate it.
struct GoalRating {
  double client = kMissing;
  double therapist = kMissing;
};

struct Moment {
  std::string tag;  // a moment_tag or a free tag; non-empty
  Rater by = Rater::kClient;
  std::string text;  // optional words of whoever noted it
};

struct EpisodeSession {
  int n = 0;    // appointment number, from 1, strictly increasing (cancelled and missed count)
  int day = 0;  // days since 1970-01-01 (the IO layer parses dates); non-decreasing
  Attendance attendance = Attendance::kAttended;
  double score = kMissing;     // the instrument's total
  double item9 = kMissing;     // PHQ-9 item 9 (0..3), the crisis item
  bool felt_hard = false;      // read from attended sessions only
  double alliance = kMissing;  // client's 0..10 alliance rating; read from attended sessions only
  // Index = goal index in Episode::goals; may be shorter than the goal list (missing ratings).
  std::vector<GoalRating> goals;
  std::vector<Moment> moments;
};

struct Episode {
  std::string id;
  std::vector<EpisodeGoal> goals;
  std::vector<EpisodeSession> sessions;  // in order of n
  // The last session at which client and therapist (re)agreed what progress means;
  // nullopt or 0 = at intake, before session 1.
  std::optional<int> definition_revised_session;
  // The episode has ended (discharge): goal and symptom statuses become final
  // (achieved / sustaining / not-achieved / no-progress) and the forward-looking signals
  // (dropout-risk, review-due) are not raised.
  bool ended = false;
};

// Session numbers above this are refused, so a typo cannot make a series of a billion slots.
inline constexpr int kMaxSessionNumber = 10000;

// InvalidArgument whose field() is the path of the offending value in the episode schema,
// e.g. "sessions[3].goals.sleep.client" (sessions by 0-based position, goals by id):
// a goal with an empty or repeated id; a session number outside 1..kMaxSessionNumber or not
// above the previous one; a day before the previous session's; a score or alliance that is
// not finite; a GBO rating outside 0..10; a GAS rating that is not a whole level in -2..+2;
// an alliance rating outside 0..10; item 9 that is not a whole answer 0..3; more ratings than
// goals ("sessions[i].goals"); a moment without a tag; a definition revision outside
// 0..last session number.
Status validate(const Episode& episode);

}  // namespace tandem::core
