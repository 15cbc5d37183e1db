#include "service/care_record.hpp"

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

// Every page of a keyset listing.
template <class Fetch>
auto collect_all(Fetch&& fetch) -> decltype(fetch(core::Page{})) {
  using Out = decltype(fetch(core::Page{}));
  typename Out::value_type all;
  core::Page page;
  page.limit = 500;
  for (;;) {
    auto batch = fetch(page);
    if (!batch) return batch;
    all.insert(all.end(), batch->begin(), batch->end());
    if (static_cast<int>(batch->size()) < page.limit) break;
    page.after = batch->back().id;
  }
  return all;
}

// The user must exist in the organisation and have the role.
Status require_role(core::Transaction& tx, Id org, Id user, core::Role role,
                    std::string_view field) {
  auto found = tx.get_user(org, user);
  if (!found) return found.error();
  if (found->role != role) {
    return Status::invalid_argument(std::string(field) + ": user " + std::to_string(user) +
                                        " is not a " + std::string(core::to_string(role)),
                                    std::string(field));
  }
  return Status::ok();
}

// Sessions must run in date order with their numbers (the profile reads them so).
Status check_session_date(const std::vector<core::SessionRecord>& sessions, int number,
                          core::Date date) {
  for (const core::SessionRecord& s : sessions) {
    if (s.number < number && s.date > date) {
      return Status::invalid_argument("date: session " + std::to_string(s.number) + " was on " +
                                          core::format_date(s.date) +
                                          "; a later session cannot be earlier",
                                      "date");
    }
    if (s.number > number && s.date < date) {
      return Status::invalid_argument("date: session " + std::to_string(s.number) + " was on " +
                                          core::format_date(s.date) +
                                          "; an earlier session cannot be later",
                                      "date");
    }
  }
  return Status::ok();
}

}  // namespace

// ---- clients, assignments, supervision ------------------------------------------------------

Result<Id> create_client(const Context& ctx, const Actor& actor, const NewClient& input) {
  return run(
      ctx, note_for(actor, "client.create", "client"),
      [&](core::Transaction& tx, AuditNote& n) -> Result<Id> {
        if (auto s = authorize(actor, Resource::kClient, Action::kCreate, Relation::kOrganisation);
            !s.is_ok()) {
          return core::fail(s);
        }
        std::optional<Id> therapist = input.therapist;
        if (actor.role == core::Role::kTherapist) {
          if (therapist && *therapist != actor.user) {
            return core::fail(Status::permission_denied(
                "as a therapist, you may not assign a new client to someone else"));
          }
          therapist = actor.user;
        }
        if (therapist) {
          if (auto s = require_role(tx, actor.org, *therapist, core::Role::kTherapist, "therapist");
              !s.is_ok()) {
            return core::fail(s);
          }
        }
        core::Client client;
        client.org = actor.org;
        client.display_name = input.display_name;
        client.birth_date = input.birth_date;
        client.consent = input.consent;
        client.created_at = ctx.clock.now();
        if (auto s = core::validate(client); !s.is_ok()) return core::fail(s);
        auto id = tx.create_client(client);
        if (!id) return core::fail(id.error());
        n.record_id = *id;
        if (therapist) {
          core::Assignment assignment{actor.org, *id, *therapist, ctx.clock.now()};
          if (auto s = tx.assign(assignment); !s.is_ok()) return core::fail(s);
        }
        return *id;
      });
}

Result<core::Client> get_client(const Context& ctx, const Actor& actor, Id client) {
  return run(ctx, note_for(actor, "client.read", "client", client),
             [&](core::Transaction& tx, AuditNote&) -> Result<core::Client> {
               auto relation = relation_to_client(tx, actor, client);
               if (!relation) return core::fail(relation.error());
               if (auto s = authorize(actor, Resource::kClient, Action::kRead, *relation);
                   !s.is_ok()) {
                 return core::fail(s);
               }
               return tx.get_client(actor.org, client);
             });
}

Result<std::vector<core::Client>> list_clients(const Context& ctx, const Actor& actor,
                                               const core::Page& page) {
  return run(ctx, note_for(actor, "client.list", "client"),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<core::Client>> {
               if (page.limit < 1) {
                 return core::fail(Status::invalid_argument("limit: must be at least 1", "limit"));
               }
               switch (actor.role) {
                 case core::Role::kClient: {
                   std::vector<core::Client> out;
                   if (actor.client_id && *actor.client_id > page.after) {
                     auto own = tx.get_client(actor.org, *actor.client_id);
                     if (!own) return core::fail(own.error());
                     out.push_back(std::move(*own));
                   }
                   return out;
                 }
                 case core::Role::kTherapist:
                   return tx.clients_of(actor.org, actor.user, page);
                 case core::Role::kSupervisor: {
                   auto supervisees = tx.supervisees_of(actor.org, actor.user);
                   if (!supervisees) return core::fail(supervisees.error());
                   std::vector<core::Client> all;
                   for (Id therapist : *supervisees) {
                     auto theirs = collect_all([&](const core::Page& p) {
                       return tx.clients_of(actor.org, therapist, p);
                     });
                     if (!theirs) return core::fail(theirs.error());
                     all.insert(all.end(), theirs->begin(), theirs->end());
                   }
                   std::sort(all.begin(), all.end(),
                             [](const auto& a, const auto& b) { return a.id < b.id; });
                   all.erase(std::unique(all.begin(), all.end(),
                                         [](const auto& a, const auto& b) { return a.id == b.id; }),
                             all.end());
                   std::vector<core::Client> out;
                   for (core::Client& c : all) {
                     if (c.id <= page.after) continue;
                     if (static_cast<int>(out.size()) >= page.limit) break;
                     out.push_back(std::move(c));
                   }
                   return out;
                 }
                 case core::Role::kAdmin:
                   break;
               }
               return core::fail(
                   authorize(actor, Resource::kClient, Action::kRead, Relation::kOrganisation));
             });
}

Status assign_client(const Context& ctx, const Actor& actor, Id client, Id therapist) {
  return detail::to_status(run(
      ctx, note_for(actor, "assignment.create", "client", client),
      [&](core::Transaction& tx, AuditNote&) -> Result<void> {
        // Another organisation's client is not acknowledged, whoever asks.
        if (auto found = tx.get_client(actor.org, client); !found) {
          return core::fail(found.error());
        }
        if (auto s =
                authorize(actor, Resource::kAssignment, Action::kCreate, Relation::kOrganisation);
            !s.is_ok()) {
          return core::fail(s);
        }
        if (auto s = require_role(tx, actor.org, therapist, core::Role::kTherapist, "therapist");
            !s.is_ok()) {
          return core::fail(s);
        }
        if (auto s = tx.assign({actor.org, client, therapist, ctx.clock.now()}); !s.is_ok()) {
          return core::fail(s);
        }
        return {};
      }));
}

Status link_supervision(const Context& ctx, const Actor& actor, Id supervisor, Id therapist) {
  return detail::to_status(run(
      ctx, note_for(actor, "supervision.create", "user", therapist),
      [&](core::Transaction& tx, AuditNote&) -> Result<void> {
        if (auto s =
                authorize(actor, Resource::kSupervision, Action::kCreate, Relation::kOrganisation);
            !s.is_ok()) {
          return core::fail(s);
        }
        if (auto s = require_role(tx, actor.org, supervisor, core::Role::kSupervisor, "supervisor");
            !s.is_ok()) {
          return core::fail(s);
        }
        if (auto s = require_role(tx, actor.org, therapist, core::Role::kTherapist, "therapist");
            !s.is_ok()) {
          return core::fail(s);
        }
        core::SupervisionLink link{actor.org, supervisor, therapist, ctx.clock.now()};
        if (auto s = tx.link_supervision(link); !s.is_ok()) return core::fail(s);
        return {};
      }));
}

// ---- episodes and sessions ------------------------------------------------------------------

Result<Id> open_episode(const Context& ctx, const Actor& actor, const NewEpisode& input) {
  return run(
      ctx, note_for(actor, "episode.create", "episode"),
      [&](core::Transaction& tx, AuditNote& n) -> Result<Id> {
        auto relation = relation_to_client(tx, actor, input.client);
        if (!relation) return core::fail(relation.error());
        if (auto s = authorize(actor, Resource::kEpisode, Action::kCreate, *relation); !s.is_ok()) {
          return core::fail(s);
        }
        if (auto instrument = ctx.instruments.find(tx, actor.org, input.instrument); !instrument) {
          if (instrument.error().code() != core::StatusCode::kNotFound) {
            return core::fail(instrument.error());
          }
          return core::fail(Status::invalid_argument(
              "instrument: '" + input.instrument + "' is not a known instrument", "instrument"));
        }
        auto episodes = tx.episodes_of_client(actor.org, input.client);
        if (!episodes) return core::fail(episodes.error());
        for (const core::EpisodeRecord& e : *episodes) {
          if (!e.closed) {
            return core::fail(Status::failed_precondition(
                "this client already has an open episode (" + std::to_string(e.id) +
                "); close it before opening another"));
          }
        }
        core::EpisodeRecord episode;
        episode.org = actor.org;
        episode.client = input.client;
        episode.therapist = actor.user;
        episode.instrument = input.instrument;
        episode.opened = input.opened.value_or(ctx.clock.today());
        episode.created_at = ctx.clock.now();
        auto id = tx.create_episode(episode);
        if (!id) return core::fail(id.error());
        n.record_id = *id;
        return *id;
      });
}

Status close_episode(const Context& ctx, const Actor& actor, Id episode, core::CloseReason reason,
                     std::optional<core::Date> closed) {
  return detail::to_status(run(
      ctx, note_for(actor, "episode.close", "episode", episode),
      [&](core::Transaction& tx, AuditNote&) -> Result<void> {
        auto scope =
            detail::authorized_episode(tx, actor, episode, Resource::kEpisode, Action::kUpdate);
        if (!scope) return core::fail(scope.error());
        if (auto s = detail::require_open(scope->episode); !s.is_ok()) return core::fail(s);
        const core::Date date = closed.value_or(ctx.clock.today());
        if (date < scope->episode.opened) {
          return core::fail(Status::invalid_argument("closed: the episode opened on " +
                                                         core::format_date(scope->episode.opened) +
                                                         "; it cannot close before that",
                                                     "closed"));
        }
        if (auto s = tx.close_episode(actor.org, episode, date, reason); !s.is_ok()) {
          return core::fail(s);
        }
        return {};
      }));
}

Result<core::EpisodeRecord> get_episode(const Context& ctx, const Actor& actor, Id episode) {
  return run(ctx, note_for(actor, "episode.read", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<core::EpisodeRecord> {
               auto scope = detail::authorized_episode(tx, actor, episode, Resource::kEpisode,
                                                       Action::kRead);
               if (!scope) return core::fail(scope.error());
               return scope->episode;
             });
}

Result<std::vector<core::EpisodeRecord>> list_episodes(const Context& ctx, const Actor& actor,
                                                       Id client) {
  return run(ctx, note_for(actor, "episode.list", "client", client),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<core::EpisodeRecord>> {
               auto relation = relation_to_client(tx, actor, client);
               if (!relation) return core::fail(relation.error());
               if (auto s = authorize(actor, Resource::kEpisode, Action::kRead, *relation);
                   !s.is_ok()) {
                 return core::fail(s);
               }
               return tx.episodes_of_client(actor.org, client);
             });
}

Result<Id> record_session(const Context& ctx, const Actor& actor, const NewSession& input) {
  return run(
      ctx, note_for(actor, "session.create", "session"),
      [&](core::Transaction& tx, AuditNote& n) -> Result<Id> {
        auto scope = detail::authorized_episode(tx, actor, input.episode, Resource::kSession,
                                                Action::kCreate);
        if (!scope) return core::fail(scope.error());
        if (!input.therapist_notes.empty()) {
          if (auto s =
                  authorize(actor, Resource::kTherapistNotes, Action::kCreate, scope->relation);
              !s.is_ok()) {
            return core::fail(s);
          }
        }
        if (auto s = detail::require_open(scope->episode); !s.is_ok()) return core::fail(s);
        auto sessions = tx.sessions_of(actor.org, input.episode);
        if (!sessions) return core::fail(sessions.error());
        core::SessionRecord session;
        session.org = actor.org;
        session.episode = input.episode;
        session.number = input.number.value_or(sessions->empty() ? 1 : sessions->back().number + 1);
        session.date = input.date.value_or(ctx.clock.today());
        session.attendance = input.attendance;
        session.felt_hard_client = input.felt_hard_client;
        session.felt_hard_therapist = input.felt_hard_therapist;
        session.therapist_notes = input.therapist_notes;
        session.created_at = ctx.clock.now();
        if (auto s = core::validate(session); !s.is_ok()) return core::fail(s);
        if (session.date < scope->episode.opened) {
          return core::fail(Status::invalid_argument(
              "date: the episode opened on " + core::format_date(scope->episode.opened), "date"));
        }
        if (auto s = check_session_date(*sessions, session.number, session.date); !s.is_ok()) {
          return core::fail(s);
        }
        auto id = tx.create_session(session);
        if (!id) return core::fail(id.error());
        n.record_id = *id;
        return *id;
      });
}

Status mark_felt_hard(const Context& ctx, const Actor& actor, Id session, bool felt_hard,
                      std::optional<core::Rater> side) {
  return detail::to_status(
      run(ctx, note_for(actor, "session.update", "session", session),
          [&](core::Transaction& tx, AuditNote&) -> Result<void> {
            auto record = tx.get_session(actor.org, session);
            if (!record) return core::fail(record.error());
            auto scope = detail::authorized_episode(tx, actor, record->episode,
                                                    Resource::kFeltHardMark, Action::kUpdate);
            if (!scope) return core::fail(scope.error());
            const core::Rater own = detail::rater_of(actor);
            if (side && *side != own) {
              return core::fail(
                  Status::permission_denied(std::string("you may mark only your own side (") +
                                            std::string(core::to_string(own)) + ") as felt hard"));
            }
            if (auto s = detail::require_open(scope->episode); !s.is_ok()) return core::fail(s);
            (own == core::Rater::kClient ? record->felt_hard_client : record->felt_hard_therapist) =
                felt_hard;
            if (auto s = tx.update_session(*record); !s.is_ok()) return core::fail(s);
            return {};
          }));
}

Result<std::vector<core::SessionRecord>> list_sessions(const Context& ctx, const Actor& actor,
                                                       Id episode) {
  return run(ctx, note_for(actor, "session.list", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<core::SessionRecord>> {
               auto scope = detail::authorized_episode(tx, actor, episode, Resource::kSession,
                                                       Action::kRead);
               if (!scope) return core::fail(scope.error());
               auto sessions = tx.sessions_of(actor.org, episode);
               if (!sessions) return sessions;
               if (decide(actor, Resource::kTherapistNotes, Action::kRead, scope->relation) !=
                   Decision::kAllow) {
                 for (core::SessionRecord& s : *sessions) s.therapist_notes.clear();
               }
               return sessions;
             });
}

// ---- questionnaires ---------------------------------------------------------------------------

Result<QuestionnaireResult> record_questionnaire(const Context& ctx, const Actor& actor,
                                                 const NewQuestionnaire& input) {
  return run(
      ctx, note_for(actor, "questionnaire.create", "administration"),
      [&](core::Transaction& tx, AuditNote& n) -> Result<QuestionnaireResult> {
        auto scope = detail::authorized_episode(tx, actor, input.episode, Resource::kQuestionnaire,
                                                Action::kCreate);
        if (!scope) return core::fail(scope.error());
        if (auto s = detail::require_open(scope->episode); !s.is_ok()) return core::fail(s);
        if (input.session) {
          auto session = detail::session_of(tx, actor.org, input.episode, *input.session);
          if (!session) return core::fail(session.error());
        }
        auto instrument = ctx.instruments.find(tx, actor.org, input.instrument);
        if (!instrument) {
          if (instrument.error().code() != core::StatusCode::kNotFound) {
            return core::fail(instrument.error());
          }
          return core::fail(Status::invalid_argument(
              "instrument: '" + input.instrument + "' is not a known instrument", "instrument"));
        }
        auto scored = core::score(*instrument, input.responses);
        if (!scored) return core::fail(scored.error());

        core::Administration administration;
        administration.org = actor.org;
        administration.episode = input.episode;
        administration.session = input.session;
        administration.instrument = instrument->id;
        administration.responses = input.responses;
        administration.total = scored->total;
        administration.answered_by =
            actor.role == core::Role::kClient ? core::Rater::kClient : input.answered_by;
        administration.recorded_by = actor.user;
        administration.at = ctx.clock.now();
        auto id = tx.add_administration(administration);
        if (!id) return core::fail(id.error());
        n.record_id = *id;

        QuestionnaireResult result;
        result.id = *id;
        result.score = std::move(*scored);
        if (result.score.crisis == core::Flag::kYes) {
          auto organisation = tx.get_organisation(actor.org);
          if (!organisation) return core::fail(organisation.error());
          result.crisis_text = organisation->crisis_text;
        }
        return result;
      });
}

namespace {

Result<std::vector<core::Administration>> readable_administrations(core::Transaction& tx,
                                                                   const Actor& actor, Id episode) {
  auto scope =
      detail::authorized_episode(tx, actor, episode, Resource::kQuestionnaire, Action::kRead);
  if (!scope) return core::fail(scope.error());
  return tx.administrations_of(actor.org, episode);
}

}  // namespace

Result<std::vector<core::Administration>> list_questionnaires(const Context& ctx,
                                                              const Actor& actor, Id episode) {
  return run(ctx, note_for(actor, "questionnaire.list", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<core::Administration>> {
               return readable_administrations(tx, actor, episode);
             });
}

QuestionnaireView questionnaire_view(const core::Administration& administration,
                                     const std::vector<core::Instrument>& instruments) {
  QuestionnaireView view;
  view.administration = administration;
  for (const core::Instrument& instrument : instruments) {
    if (instrument.id != administration.instrument) continue;
    if (auto scored = core::score(instrument, administration.responses)) view.score = *scored;
  }
  view.score.total = administration.total;
  view.score.answered = 0;
  view.score.missing = 0;
  for (double answer : administration.responses) {
    ++(core::is_missing(answer) ? view.score.missing : view.score.answered);
  }
  return view;
}

Result<std::vector<QuestionnaireView>> list_questionnaire_views(const Context& ctx,
                                                                const Actor& actor, Id episode) {
  return run(ctx, note_for(actor, "questionnaire.list", "episode", episode),
             [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<QuestionnaireView>> {
               auto administrations = readable_administrations(tx, actor, episode);
               if (!administrations) return core::fail(administrations.error());
               auto instruments = ctx.instruments.list(tx, actor.org);
               if (!instruments) return core::fail(instruments.error());
               std::vector<QuestionnaireView> out;
               out.reserve(administrations->size());
               for (const core::Administration& a : *administrations) {
                 out.push_back(questionnaire_view(a, *instruments));
               }
               return out;
             });
}

}  // namespace tandem::service
