#include "service/check_in.hpp"

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

// The highest-numbered session dated `today`, if any (sessions come by number).
const core::SessionRecord* session_on(const std::vector<core::SessionRecord>& sessions,
                                      core::Date today) {
  const core::SessionRecord* found = nullptr;
  for (const core::SessionRecord& s : sessions) {
    if (s.date == today) found = &s;
  }
  return found;
}

Result<CheckInAnswers> answers_at(core::Transaction& tx, const Actor& actor,
                                  const core::EpisodeRecord& episode,
                                  const core::SessionRecord& session) {
  CheckInAnswers out;
  const core::Rater side = detail::rater_of(actor);
  out.felt_hard =
      side == core::Rater::kClient ? session.felt_hard_client : session.felt_hard_therapist;
  auto ratings = tx.goal_ratings_of(actor.org, episode.id);
  if (!ratings) return core::fail(ratings.error());
  for (const core::GoalRatingRecord& r : *ratings) {
    if (r.session == session.id && r.rater == side) out.goals[r.goal_key] = r.value;
  }
  auto alliance = tx.alliance_of(actor.org, episode.id);
  if (!alliance) return core::fail(alliance.error());
  for (const core::AllianceRating& r : *alliance) {
    if (r.session == session.id) out.alliance = r.value;
  }
  auto moments = tx.moments_of(actor.org, episode.id);
  if (!moments) return core::fail(moments.error());
  for (const core::MomentRecord& m : *moments) {
    if (m.session == session.id && m.by == side) ++out.moments;
  }
  auto administrations = tx.administrations_of(actor.org, episode.id);
  if (!administrations) return core::fail(administrations.error());
  for (const core::Administration& a : *administrations) {
    if (a.session == session.id && a.instrument == episode.instrument) out.questionnaire = true;
  }
  return out;
}

}  // namespace

Result<CheckIn> check_in(const Context& ctx, const Actor& actor, Id episode) {
  return run(ctx, note_for(actor, "check-in.read", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<CheckIn> {
               auto scope = detail::authorized_episode(tx, actor, episode, Resource::kCheckIn,
                                                       Action::kRead);
               if (!scope) return core::fail(scope.error());
               CheckIn out;
               auto sessions = tx.sessions_of(actor.org, episode);
               if (!sessions) return core::fail(sessions.error());
               if (const core::SessionRecord* today = session_on(*sessions, ctx.clock.today())) {
                 out.session = *today;
                 out.session->therapist_notes.clear();
                 auto answered = answers_at(tx, actor, scope->episode, *today);
                 if (!answered) return core::fail(answered.error());
                 out.answered = std::move(*answered);
               }
               auto versions = tx.definition_versions(actor.org, episode);
               if (!versions) return core::fail(versions.error());
               if (!versions->empty()) out.goals = versions->back().goals;
               if (!out.answered.questionnaire) {
                 auto instrument = ctx.instruments.find(tx, actor.org, scope->episode.instrument);
                 if (instrument) {
                   out.questionnaire = std::move(*instrument);
                 } else if (instrument.error().code() != core::StatusCode::kNotFound) {
                   return core::fail(instrument.error());
                 }
               }
               auto organisation = tx.get_organisation(actor.org);
               if (!organisation) return core::fail(organisation.error());
               out.crisis_text = organisation->crisis_text;
               return out;
             });
}

Result<OpenedCheckIn> open_check_in(const Context& ctx, const Actor& actor, Id episode) {
  return run(ctx, note_for(actor, "check-in.open", "session"),
             [&](core::Transaction& tx, AuditNote& n) -> Result<OpenedCheckIn> {
               auto scope = detail::authorized_episode(tx, actor, episode, Resource::kCheckIn,
                                                       Action::kCreate);
               if (!scope) return core::fail(scope.error());
               if (auto s = detail::require_open(scope->episode); !s.is_ok()) return core::fail(s);
               auto sessions = tx.sessions_of(actor.org, episode);
               if (!sessions) return core::fail(sessions.error());
               const core::Date today = ctx.clock.today();
               OpenedCheckIn out;
               if (const core::SessionRecord* existing = session_on(*sessions, today)) {
                 out.session = *existing;
                 out.session.therapist_notes.clear();
                 n.record_id = existing->id;
                 return out;
               }
               if (!sessions->empty() && sessions->back().date > today) {
                 return core::fail(Status::failed_precondition(
                     "session " + std::to_string(sessions->back().number) +
                     " is already recorded for " + core::format_date(sessions->back().date) +
                     "; today's check-in cannot come after it"));
               }
               if (today < scope->episode.opened) {
                 return core::fail(Status::failed_precondition(
                     "the episode opens on " + core::format_date(scope->episode.opened)));
               }
               core::SessionRecord session;
               session.org = actor.org;
               session.episode = episode;
               session.number = sessions->empty() ? 1 : sessions->back().number + 1;
               session.date = today;
               session.attendance = core::Attendance::kAttended;
               session.created_at = ctx.clock.now();
               if (auto s = core::validate(session); !s.is_ok()) return core::fail(s);
               auto id = tx.create_session(session);
               if (!id) return core::fail(id.error());
               session.id = *id;
               n.record_id = *id;
               out.session = std::move(session);
               out.created = true;
               return out;
             });
}

}  // namespace tandem::service
