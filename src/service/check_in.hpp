// Use cases for the client's one-minute check-in: what today's check-in holds (today's
// session, the goals to rate, the questionnaire still due, what has been answered already and
// the organisation's crisis text) and opening today's session for it. The ratings, alliance,
// moments, questionnaire and felt-hard mark are then recorded by the usual use cases
// (progress.hpp, care_record.hpp). Each runs in one transaction with an audit entry.
// Thread-safe as the ports are.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/instrument.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

// What the caller's side has answered at today's session.
struct CheckInAnswers {
  std::map<std::string, double> goals;  // goal key -> the caller's side's latest rating
  std::optional<double> alliance;       // the latest alliance rating at the session
  bool felt_hard = false;               // the caller's side's mark
  int moments = 0;                      // moments the caller's side noted at the session
  bool questionnaire = false;           // the episode's instrument answered at the session
};

struct CheckIn {
  std::optional<core::SessionRecord> session;  // today's (by the clock), if there is one yet
  std::vector<core::GoalDefinition> goals;     // of the current definition version
  // The episode's instrument, unless today's session already has it answered.
  std::optional<core::Instrument> questionnaire;
  CheckInAnswers answered;
  std::string crisis_text;  // the organisation's, to show whenever a client needs it
};

// The client (own) or the assigned therapist.
core::Result<CheckIn> check_in(const Context& ctx, const Actor& actor, core::Id episode);

struct OpenedCheckIn {
  core::SessionRecord session;
  bool created = false;
};

// Today's session of an open episode: the existing one (the highest-numbered dated today), or
// a new one numbered after the last, dated today and attended. The client (own) or the
// assigned therapist. FailedPrecondition when the episode is closed or a later-dated session
// is already recorded.
core::Result<OpenedCheckIn> open_check_in(const Context& ctx, const Actor& actor, core::Id episode);

}  // namespace tandem::service
