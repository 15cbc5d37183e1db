// Use cases for the record of care: clients and who sees them (assignments, supervision),
// episodes of care, sessions with attendance and felt-hard marks, and questionnaires scored
// by the core. Each runs in one transaction, authorized by access.hpp's policy, with an audit
// entry (also when denied). Thread-safe as the ports are.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/episode.hpp"
#include "core/instrument.hpp"
#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

// ---- clients, assignments, supervision ----------------------------------------------------

struct NewClient {
  std::string display_name;
  std::optional<core::Date> birth_date;
  core::Consent consent;
  // Whom to assign the client to: a therapist creating a client is assigned to them (leave
  // empty or name themselves); an admin may name any therapist, or assign later.
  std::optional<core::Id> therapist;
};

// Therapist or admin.
core::Result<core::Id> create_client(const Context& ctx, const Actor& actor,
                                     const NewClient& input);
core::Result<core::Client> get_client(const Context& ctx, const Actor& actor, core::Id client);
// The clients the caller may see, by id: a client their own record; a therapist the clients
// assigned to them; a supervisor their supervisees' clients. Admins see no client records.
core::Result<std::vector<core::Client>> list_clients(const Context& ctx, const Actor& actor,
                                                     const core::Page& page);
// Admin only; idempotent. The therapist must have the therapist role.
core::Status assign_client(const Context& ctx, const Actor& actor, core::Id client,
                           core::Id therapist);
// Admin only; idempotent. A supervisor (role supervisor) and a therapist.
core::Status link_supervision(const Context& ctx, const Actor& actor, core::Id supervisor,
                              core::Id therapist);

// ---- episodes and sessions ----------------------------------------------------------------

struct NewEpisode {
  core::Id client = 0;
  std::string instrument = "phq9";   // tracked session by session
  std::optional<core::Date> opened;  // default: today
};

// The assigned therapist; one open episode per client at a time.
core::Result<core::Id> open_episode(const Context& ctx, const Actor& actor,
                                    const NewEpisode& input);
core::Status close_episode(const Context& ctx, const Actor& actor, core::Id episode,
                           core::CloseReason reason, std::optional<core::Date> closed = {});
core::Result<core::EpisodeRecord> get_episode(const Context& ctx, const Actor& actor,
                                              core::Id episode);
core::Result<std::vector<core::EpisodeRecord>> list_episodes(const Context& ctx, const Actor& actor,
                                                             core::Id client);

struct NewSession {
  core::Id episode = 0;
  std::optional<int> number;       // default: after the last one
  std::optional<core::Date> date;  // default: today; not before an earlier session's
  core::Attendance attendance = core::Attendance::kAttended;
  bool felt_hard_client = false;
  bool felt_hard_therapist = false;
  std::string therapist_notes;  // private to the therapist (and supervisor)
};

// The assigned therapist. AlreadyExists when the number is taken.
core::Result<core::Id> record_session(const Context& ctx, const Actor& actor,
                                      const NewSession& input);
// Either side marks (or unmarks) that a session felt hard: the client for themselves, the
// assigned therapist for their side. `side`, when given, must be the actor's own (a client
// marks the client's side, a therapist the therapist's): PermissionDenied otherwise.
core::Status mark_felt_hard(const Context& ctx, const Actor& actor, core::Id session,
                            bool felt_hard, std::optional<core::Rater> side = std::nullopt);
// By number. Therapist notes are blanked for anyone who may not read them (clients).
core::Result<std::vector<core::SessionRecord>> list_sessions(const Context& ctx, const Actor& actor,
                                                             core::Id episode);

// ---- questionnaires -----------------------------------------------------------------------

struct NewQuestionnaire {
  core::Id episode = 0;
  std::optional<core::Id> session;
  std::string instrument;
  std::vector<double> responses;  // one per item, in item order; kMissing when unanswered
  core::Rater answered_by = core::Rater::kClient;  // a client always answers for themselves
};

struct QuestionnaireResult {
  core::Id id = 0;
  core::ScoreResult score;
  // The organisation's crisis text when the answers raised the crisis flag (show it at once).
  std::optional<std::string> crisis_text;
};

// The client (their own) or the assigned therapist (entering the client's answers). Scored
// by core::score; an answer the item does not offer is InvalidArgument naming the item, and
// nothing is stored.
core::Result<QuestionnaireResult> record_questionnaire(const Context& ctx, const Actor& actor,
                                                       const NewQuestionnaire& input);
core::Result<std::vector<core::Administration>> list_questionnaires(const Context& ctx,
                                                                    const Actor& actor,
                                                                    core::Id episode);

// An administration with what its answers mean under the instrument's current definition:
// band, crisis flag, answered and missing counts (the total stays as it was scored).
struct QuestionnaireView {
  core::Administration administration;
  core::ScoreResult score;
};

// list_questionnaires with each administration read as above; an instrument no longer
// defined leaves the band empty and the crisis flag NA.
core::Result<std::vector<QuestionnaireView>> list_questionnaire_views(const Context& ctx,
                                                                      const Actor& actor,
                                                                      core::Id episode);

// Pure: the view of one administration given the organisation's instruments.
QuestionnaireView questionnaire_view(const core::Administration& administration,
                                     const std::vector<core::Instrument>& instruments);

}  // namespace tandem::service
