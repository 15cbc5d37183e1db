#include "core/episode.hpp"

#include <cmath>
#include <cstddef>

namespace tandem::core {
namespace {

constexpr double kAllianceMin = 0.0;
constexpr double kAllianceMax = 10.0;
constexpr double kGboMin = 0.0;
constexpr double kGboMax = 10.0;
constexpr double kGasMin = -2.0;
constexpr double kGasMax = 2.0;
constexpr double kItem9Min = 0.0;
constexpr double kItem9Max = 3.0;  // PHQ-9 answers run 0 (not at all) .. 3 (nearly every day)

std::string session_path(std::size_t index) { return "sessions[" + std::to_string(index) + "]"; }

// Whole and finite; values beyond +-1e9 are not whole answers anyway. Avoids a libm call.
bool is_whole(double value) {
  return value > -1e9 && value < 1e9 && value == static_cast<double>(static_cast<long>(value));
}

Status invalid(std::string message, std::string field) {
  return Status::invalid_argument(std::move(message), std::move(field));
}

// Field paths and messages are built only when something is wrong: validation runs per
// episode in bulk jobs and must not allocate on the happy path.
std::string where(const EpisodeSession& session) { return "session " + std::to_string(session.n); }

bool rating_ok(double rating, GoalScale scale) {
  if (is_missing(rating)) return true;
  if (scale == GoalScale::kGbo) {
    return std::isfinite(rating) && rating >= kGboMin && rating <= kGboMax;
  }
  return is_whole(rating) && rating >= kGasMin && rating <= kGasMax;
}

Status bad_rating(const EpisodeSession& session, std::size_t index, const EpisodeGoal& goal,
                  const char* rater) {
  const std::string field = session_path(index) + ".goals." + goal.id + "." + rater;
  return invalid(where(session) + (goal.scale == GoalScale::kGbo
                                       ? ": a GBO rating must be between 0 and 10"
                                       : ": a GAS rating must be a whole level from -2 to +2"),
                 field);
}

Status validate_goals(const Episode& episode) {
  for (std::size_t g = 0; g < episode.goals.size(); ++g) {
    const std::string& id = episode.goals[g].id;
    const auto field = [g] { return "goals[" + std::to_string(g) + "].id"; };
    if (id.empty()) return invalid("a goal needs an id", field());
    for (std::size_t h = 0; h < g; ++h) {
      if (episode.goals[h].id == id) return invalid("goal id '" + id + "' is repeated", field());
    }
  }
  return Status::ok();
}

Status validate_session(const Episode& episode, std::size_t index) {
  const EpisodeSession& s = episode.sessions[index];
  const auto path = [index](const char* field) { return session_path(index) + "." + field; };
  if (s.n < 1 || s.n > kMaxSessionNumber) {
    return invalid("session number " + std::to_string(s.n) + " is not between 1 and " +
                       std::to_string(kMaxSessionNumber),
                   path("n"));
  }
  if (index > 0) {
    const EpisodeSession& previous = episode.sessions[index - 1];
    if (s.n <= previous.n) {
      return invalid(where(s) + ": sessions must be in order of n without repeats (previous is " +
                         std::to_string(previous.n) + ")",
                     path("n"));
    }
    if (s.day < previous.day) {
      return invalid(where(s) + ": date is before the previous session's", path("date"));
    }
  }
  if (!is_missing(s.score) && !std::isfinite(s.score)) {
    return invalid(where(s) + ": score must be a finite number", path("score"));
  }
  if (!is_missing(s.item9) &&
      !(is_whole(s.item9) && s.item9 >= kItem9Min && s.item9 <= kItem9Max)) {
    return invalid(where(s) + ": item9 must be a whole answer from 0 to 3", path("item9"));
  }
  if (!is_missing(s.alliance) &&
      !(std::isfinite(s.alliance) && s.alliance >= kAllianceMin && s.alliance <= kAllianceMax)) {
    return invalid(where(s) + ": alliance must be between 0 and 10", path("alliance"));
  }
  if (s.goals.size() > episode.goals.size()) {
    return invalid(where(s) + ": a rating for a goal the episode does not define", path("goals"));
  }
  for (std::size_t g = 0; g < s.goals.size(); ++g) {
    const EpisodeGoal& goal = episode.goals[g];
    if (!rating_ok(s.goals[g].client, goal.scale)) return bad_rating(s, index, goal, "client");
    if (!rating_ok(s.goals[g].therapist, goal.scale)) {
      return bad_rating(s, index, goal, "therapist");
    }
  }
  for (std::size_t m = 0; m < s.moments.size(); ++m) {
    if (s.moments[m].tag.empty()) {
      return invalid(where(s) + ": a moment needs a tag",
                     session_path(index) + ".moments[" + std::to_string(m) + "].tag");
    }
  }
  return Status::ok();
}

}  // namespace

std::string_view to_string(Attendance attendance) {
  switch (attendance) {
    case Attendance::kAttended:
      return "attended";
    case Attendance::kCancelled:
      return "cancelled";
    case Attendance::kDidNotAttend:
      return "dna";
  }
  return "";
}

std::string_view to_string(Rater rater) { return rater == Rater::kClient ? "client" : "therapist"; }

std::string_view to_string(GoalScale scale) { return scale == GoalScale::kGbo ? "gbo" : "gas"; }

std::optional<Attendance> parse_attendance(std::string_view text) {
  if (text == "attended") return Attendance::kAttended;
  if (text == "cancelled") return Attendance::kCancelled;
  if (text == "dna") return Attendance::kDidNotAttend;
  return std::nullopt;
}

std::optional<Rater> parse_rater(std::string_view text) {
  if (text == "client") return Rater::kClient;
  if (text == "therapist") return Rater::kTherapist;
  return std::nullopt;
}

std::optional<GoalScale> parse_goal_scale(std::string_view text) {
  if (text == "gbo") return GoalScale::kGbo;
  if (text == "gas") return GoalScale::kGas;
  return std::nullopt;
}

bool is_well_known_moment_tag(std::string_view tag) {
  return tag == moment_tag::kLaughed || tag == moment_tag::kRespondedNotReacted ||
         tag == moment_tag::kHonest || tag == moment_tag::kReturnedAfterHardSession ||
         tag == moment_tag::kMoreBreathingSpace;
}

Status validate(const Episode& episode) {
  if (Status st = validate_goals(episode); !st.is_ok()) return st;
  for (std::size_t i = 0; i < episode.sessions.size(); ++i) {
    if (Status st = validate_session(episode, i); !st.is_ok()) return st;
  }
  if (episode.definition_revised_session) {
    const int revised = *episode.definition_revised_session;
    const int last = episode.sessions.empty() ? 0 : episode.sessions.back().n;
    if (revised < 0 || revised > last) {
      return invalid("the progress definition was revised at session " + std::to_string(revised) +
                         ", outside 0 (intake).." + std::to_string(last),
                     "definition_revised_session");
    }
  }
  return Status::ok();
}

}  // namespace tandem::core
