#include "service/progress.hpp"

#include <algorithm>
#include <utility>

#include "service/access.hpp"
#include "service/lookups.hpp"
#include "service/unit_of_work.hpp"

namespace tandem::service {
namespace {

using core::Id;
using core::Result;
using core::Status;
using detail::AuditNote;
using detail::note_for;
using detail::run;

const core::GoalDefinition* find_goal(const core::ProgressDefinition& definition,
                                      const std::string& key) {
  for (const core::GoalDefinition& goal : definition.goals) {
    if (goal.key == key) return &goal;
  }
  return nullptr;
}

Result<std::vector<core::ProgressDefinition>> versions_of(core::Transaction& tx, Id org,
                                                          Id episode) {
  return tx.definition_versions(org, episode);
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

}  // namespace

DefinitionChanges diff_definitions(const core::ProgressDefinition& before,
                                   const core::ProgressDefinition& after) {
  DefinitionChanges changes;
  for (const core::GoalDefinition& goal : after.goals) {
    const core::GoalDefinition* old = find_goal(before, goal.key);
    if (!old) {
      changes.goals_added.push_back(goal.key);
      continue;
    }
    if (old->text != goal.text) changes.goals_reworded.push_back({goal.key, old->text, goal.text});
    if (old->scale != goal.scale || old->gas_levels != goal.gas_levels ||
        old->weight != goal.weight) {
      changes.goals_retuned.push_back(goal.key);
    }
  }
  for (const core::GoalDefinition& goal : before.goals) {
    if (!find_goal(after, goal.key)) changes.goals_removed.push_back(goal.key);
  }
  if (before.hopes != after.hopes) changes.fields.emplace_back("hopes");
  if (before.better_looks_like != after.better_looks_like) {
    changes.fields.emplace_back("better_looks_like");
  }
  if (before.small_shifts != after.small_shifts) changes.fields.emplace_back("small_shifts");
  const bool reordered = [&] {
    if (before.goals.size() != after.goals.size()) return false;
    for (std::size_t i = 0; i < before.goals.size(); ++i) {
      if (before.goals[i].key != after.goals[i].key) return true;
    }
    return false;
  }();
  if (!changes.goals_added.empty() || !changes.goals_removed.empty() ||
      !changes.goals_reworded.empty() || !changes.goals_retuned.empty() || reordered) {
    changes.fields.emplace_back("goals");
  }
  return changes;
}

Result<int> define_progress(const Context& ctx, const Actor& actor, Id episode,
                            const DefinitionDraft& draft) {
  return run(ctx, note_for(actor, "definition.create", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<int> {
               auto scope = detail::authorized_episode(
                   tx, actor, episode, Resource::kProgressDefinition, Action::kCreate);
               if (!scope) return core::fail(scope.error());
               if (auto s = detail::require_open(scope->episode); !s.is_ok()) {
                 return core::fail(s);
               }
               auto sessions = tx.sessions_of(actor.org, episode);
               if (!sessions) return core::fail(sessions.error());
               core::ProgressDefinition definition;
               definition.org = actor.org;
               definition.episode = episode;
               definition.hopes = draft.hopes;
               definition.better_looks_like = draft.better_looks_like;
               definition.small_shifts = draft.small_shifts;
               definition.goals = draft.goals;
               for (core::GoalDefinition& goal : definition.goals) goal.key = trimmed(goal.key);
               definition.change_note = draft.change_note;
               definition.changed_by = actor.user;
               definition.changed_at = ctx.clock.now();
               if (!sessions->empty()) definition.revised_at_session = sessions->back().number;
               if (auto s = core::validate(definition); !s.is_ok()) return core::fail(s);
               return tx.add_definition_version(definition);
             });
}

Status agree_progress(const Context& ctx, const Actor& actor, Id episode, int version) {
  return detail::to_status(
      run(ctx, note_for(actor, "definition.agree", "episode", episode),
          [&](core::Transaction& tx, AuditNote&) -> Result<void> {
            auto scope = detail::authorized_episode(tx, actor, episode,
                                                    Resource::kProgressDefinition, Action::kAgree);
            if (!scope) return core::fail(scope.error());
            auto versions = versions_of(tx, actor.org, episode);
            if (!versions) return core::fail(versions.error());
            if (versions->empty()) {
              return core::fail(Status::failed_precondition("there is no progress definition yet"));
            }
            const int current = versions->back().version;
            if (version != current) {
              return core::fail(Status::failed_precondition(
                  "version " + std::to_string(version) + " is not the current one (" +
                  std::to_string(current) + "); agree to what is current"));
            }
            if (auto s = tx.record_agreement(actor.org, episode, version, detail::rater_of(actor),
                                             ctx.clock.now());
                !s.is_ok()) {
              return core::fail(s);
            }
            return {};
          }));
}

Result<std::vector<DefinitionVersionView>> progress_history(const Context& ctx, const Actor& actor,
                                                            Id episode) {
  return run(ctx, note_for(actor, "definition.read", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<DefinitionVersionView>> {
               auto scope = detail::authorized_episode(
                   tx, actor, episode, Resource::kProgressDefinition, Action::kRead);
               if (!scope) return core::fail(scope.error());
               auto versions = versions_of(tx, actor.org, episode);
               if (!versions) return core::fail(versions.error());
               std::vector<DefinitionVersionView> out;
               out.reserve(versions->size());
               for (std::size_t i = 0; i < versions->size(); ++i) {
                 DefinitionVersionView view;
                 view.definition = (*versions)[i];
                 if (i > 0) view.changes = diff_definitions((*versions)[i - 1], (*versions)[i]);
                 out.push_back(std::move(view));
               }
               return out;
             });
}

Result<Id> rate_goal(const Context& ctx, const Actor& actor, const NewGoalRating& input) {
  return run(ctx, note_for(actor, "goal-rating.create", "goal-rating"),
             [&](core::Transaction& tx, AuditNote& n) -> Result<Id> {
               auto scope = detail::authorized_episode(tx, actor, input.episode,
                                                       Resource::kGoalRating, Action::kCreate);
               if (!scope) return core::fail(scope.error());
               if (auto s = detail::require_open(scope->episode); !s.is_ok()) return core::fail(s);
               auto session = detail::session_of(tx, actor.org, input.episode, input.session);
               if (!session) return core::fail(session.error());
               auto versions = versions_of(tx, actor.org, input.episode);
               if (!versions) return core::fail(versions.error());
               if (versions->empty()) {
                 return core::fail(Status::failed_precondition(
                     "there are no goals yet: define progress together first"));
               }
               const core::GoalDefinition* goal = find_goal(versions->back(), input.goal_key);
               if (!goal) {
                 return core::fail(Status::invalid_argument(
                     "goal_key: '" + input.goal_key + "' is not a goal of the current definition",
                     "goal_key"));
               }
               core::GoalRatingRecord rating;
               rating.org = actor.org;
               rating.episode = input.episode;
               rating.session = input.session;
               rating.goal_key = input.goal_key;
               rating.rater = detail::rater_of(actor);
               rating.value = input.value;
               rating.recorded_by = actor.user;
               rating.at = ctx.clock.now();
               if (auto s = core::validate(rating, goal->scale); !s.is_ok()) return core::fail(s);
               auto id = tx.add_goal_rating(rating);
               if (!id) return core::fail(id.error());
               n.record_id = *id;
               return *id;
             });
}

Result<std::vector<core::GoalRatingRecord>> list_goal_ratings(const Context& ctx,
                                                              const Actor& actor, Id episode) {
  return run(ctx, note_for(actor, "goal-rating.list", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<core::GoalRatingRecord>> {
               auto scope = detail::authorized_episode(tx, actor, episode, Resource::kGoalRating,
                                                       Action::kRead);
               if (!scope) return core::fail(scope.error());
               return tx.goal_ratings_of(actor.org, episode);
             });
}

Result<Id> record_alliance(const Context& ctx, const Actor& actor, const NewAlliance& input) {
  return run(ctx, note_for(actor, "alliance.create", "alliance"),
             [&](core::Transaction& tx, AuditNote& n) -> Result<Id> {
               auto scope = detail::authorized_episode(tx, actor, input.episode,
                                                       Resource::kAlliance, Action::kCreate);
               if (!scope) return core::fail(scope.error());
               if (auto s = detail::require_open(scope->episode); !s.is_ok()) {
                 return core::fail(s);
               }
               auto session = detail::session_of(tx, actor.org, input.episode, input.session);
               if (!session) return core::fail(session.error());
               core::AllianceRating rating;
               rating.org = actor.org;
               rating.episode = input.episode;
               rating.session = input.session;
               rating.value = input.value;
               rating.recorded_by = actor.user;
               rating.at = ctx.clock.now();
               if (auto s = core::validate(rating); !s.is_ok()) return core::fail(s);
               auto id = tx.add_alliance(rating);
               if (!id) return core::fail(id.error());
               n.record_id = *id;
               return *id;
             });
}

Result<std::vector<core::AllianceRating>> list_alliance(const Context& ctx, const Actor& actor,
                                                        Id episode) {
  return run(ctx, note_for(actor, "alliance.list", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<core::AllianceRating>> {
               auto scope = detail::authorized_episode(tx, actor, episode, Resource::kAlliance,
                                                       Action::kRead);
               if (!scope) return core::fail(scope.error());
               return tx.alliance_of(actor.org, episode);
             });
}

Result<Id> note_moment(const Context& ctx, const Actor& actor, const NewMoment& input) {
  return run(
      ctx, note_for(actor, "moment.create", "moment"),
      [&](core::Transaction& tx, AuditNote& n) -> Result<Id> {
        auto scope = detail::authorized_episode(tx, actor, input.episode, Resource::kMoment,
                                                Action::kCreate);
        if (!scope) return core::fail(scope.error());
        if (auto s = detail::require_open(scope->episode); !s.is_ok()) {
          return core::fail(s);
        }
        if (input.session) {
          auto session = detail::session_of(tx, actor.org, input.episode, *input.session);
          if (!session) return core::fail(session.error());
        }
        core::MomentRecord moment;
        moment.org = actor.org;
        moment.episode = input.episode;
        moment.session = input.session;
        moment.tag = trimmed(input.tag);
        if (moment.tag.empty()) {
          return core::fail(Status::invalid_argument("tag: give the moment a short tag", "tag"));
        }
        moment.text = input.text;
        moment.by = detail::rater_of(actor);
        moment.recorded_by = actor.user;
        moment.at = ctx.clock.now();
        auto id = tx.add_moment(moment);
        if (!id) return core::fail(id.error());
        n.record_id = *id;
        return *id;
      });
}

Result<std::vector<core::MomentRecord>> list_moments(const Context& ctx, const Actor& actor,
                                                     Id episode) {
  return run(ctx, note_for(actor, "moment.list", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<core::MomentRecord>> {
               auto scope =
                   detail::authorized_episode(tx, actor, episode, Resource::kMoment, Action::kRead);
               if (!scope) return core::fail(scope.error());
               return tx.moments_of(actor.org, episode);
             });
}

}  // namespace tandem::service
