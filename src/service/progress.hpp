// Use cases for co-defined progress and the check-ins against it: writing and revising the
// progress definition (each revision a new version; every version kept), each side marking
// their agreement, reading the history with what changed between versions, rating goals,
// rating the alliance and noting moments that matter. Each runs in one transaction with an
// audit entry. Thread-safe as the ports are; diff_definitions() is pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

// What the client and therapist write down together (a new version each time).
struct DefinitionDraft {
  std::string hopes;
  std::string better_looks_like;
  std::string small_shifts;
  std::vector<core::GoalDefinition> goals;  // keys stay the same across versions
  std::string change_note;                  // what changed and why
};

// The assigned therapist writes it (with the client, in the room); the new version records
// the last session held, so the profile knows when progress was last revisited. Returns the
// version number (1 for the first).
core::Result<int> define_progress(const Context& ctx, const Actor& actor, core::Id episode,
                                  const DefinitionDraft& draft);

// The client (for their side) or the assigned therapist (for theirs) agrees to the current
// version. FailedPrecondition for an earlier version: agree to what is current.
core::Status agree_progress(const Context& ctx, const Actor& actor, core::Id episode, int version);

struct GoalRewording {
  std::string key;
  std::string before;
  std::string after;
};

// What changed from one version to the next.
struct DefinitionChanges {
  // "hopes", "better_looks_like", "small_shifts", "goals", in that order.
  std::vector<std::string> fields;
  std::vector<std::string> goals_added;    // keys, in the new version's order
  std::vector<std::string> goals_removed;  // keys, in the old version's order
  std::vector<GoalRewording> goals_reworded;
  // Same words, but the scale, a GAS level description or the weight changed.
  std::vector<std::string> goals_retuned;

  [[nodiscard]] bool empty() const { return fields.empty(); }
};

DefinitionChanges diff_definitions(const core::ProgressDefinition& before,
                                   const core::ProgressDefinition& after);

struct DefinitionVersionView {
  core::ProgressDefinition definition;
  DefinitionChanges changes;  // since the previous version; empty for version 1
};

// Every version, oldest first.
core::Result<std::vector<DefinitionVersionView>> progress_history(const Context& ctx,
                                                                  const Actor& actor,
                                                                  core::Id episode);

struct NewGoalRating {
  core::Id episode = 0;
  core::Id session = 0;
  std::string goal_key;
  double value = 0.0;  // on the goal's scale: GBO 0..10, GAS -2..+2
};

// The client rates as the client, the assigned therapist as the therapist. The goal must be
// in the current definition; the value is checked on its scale.
core::Result<core::Id> rate_goal(const Context& ctx, const Actor& actor,
                                 const NewGoalRating& input);
core::Result<std::vector<core::GoalRatingRecord>> list_goal_ratings(const Context& ctx,
                                                                    const Actor& actor,
                                                                    core::Id episode);

struct NewAlliance {
  core::Id episode = 0;
  core::Id session = 0;
  double value = 0.0;  // the client's 0..10 rating of working together
};

core::Result<core::Id> record_alliance(const Context& ctx, const Actor& actor,
                                       const NewAlliance& input);
core::Result<std::vector<core::AllianceRating>> list_alliance(const Context& ctx,
                                                              const Actor& actor, core::Id episode);

struct NewMoment {
  core::Id episode = 0;
  std::optional<core::Id> session;
  std::string tag;  // a well-known tag (core::moment_tag) or the person's own
  std::string text;
};

// Either side notes a moment; it is marked as the client's or the therapist's by who notes it.
core::Result<core::Id> note_moment(const Context& ctx, const Actor& actor, const NewMoment& input);
core::Result<std::vector<core::MomentRecord>> list_moments(const Context& ctx, const Actor& actor,
                                                           core::Id episode);

}  // namespace tandem::service
