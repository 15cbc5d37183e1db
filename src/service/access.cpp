#include "service/access.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace tandem::service {
namespace {

using core::Role;
using R = Resource;
using A = Action;
using L = Relation;

constexpr Role kC = Role::kClient;
constexpr Role kT = Role::kTherapist;
constexpr Role kS = Role::kSupervisor;
constexpr Role kA = Role::kAdmin;

// The policy. Read it as: "<role> may <action> <resource> that is <relation>". Every rule is
// checked by a use case; a combination with no use case has no rule.
// Clients see their own record but never the therapist's private notes; therapists work
// with the clients assigned to them; supervisors read their supervisees' clients and comment
// on reflections, and write nothing else; admins run the organisation (users, assignments,
// instruments, anonymised outcomes, audit) and see no client free text.
constexpr auto kRules = std::to_array<AccessRule>({
    // The organisation: everyone reads its name and crisis text; the admin changes them.
    {kC, R::kOrganisation, A::kRead, L::kOrganisation},
    {kT, R::kOrganisation, A::kRead, L::kOrganisation},
    {kS, R::kOrganisation, A::kRead, L::kOrganisation},
    {kA, R::kOrganisation, A::kRead, L::kOrganisation},
    {kA, R::kOrganisation, A::kUpdate, L::kOrganisation},
    // Accounts: one's own; the admin manages everyone's.
    {kC, R::kUser, A::kRead, L::kOwn},
    {kT, R::kUser, A::kRead, L::kOwn},
    {kS, R::kUser, A::kRead, L::kOwn},
    {kA, R::kUser, A::kRead, L::kOwn},
    {kA, R::kUser, A::kRead, L::kOrganisation},
    {kA, R::kUser, A::kCreate, L::kOrganisation},
    // Client records.
    {kC, R::kClient, A::kRead, L::kOwn},
    {kT, R::kClient, A::kRead, L::kAssigned},
    {kS, R::kClient, A::kRead, L::kSupervised},
    {kT, R::kClient, A::kCreate, L::kOrganisation},
    {kA, R::kClient, A::kCreate, L::kOrganisation},
    // Assignments and supervision: the admin's to make.
    {kA, R::kAssignment, A::kCreate, L::kOrganisation},
    {kA, R::kSupervision, A::kCreate, L::kOrganisation},
    // Episodes and sessions.
    {kC, R::kEpisode, A::kRead, L::kOwn},
    {kT, R::kEpisode, A::kRead, L::kAssigned},
    {kS, R::kEpisode, A::kRead, L::kSupervised},
    {kT, R::kEpisode, A::kCreate, L::kAssigned},
    {kT, R::kEpisode, A::kUpdate, L::kAssigned},
    {kC, R::kSession, A::kRead, L::kOwn},
    {kT, R::kSession, A::kRead, L::kAssigned},
    {kS, R::kSession, A::kRead, L::kSupervised},
    {kT, R::kSession, A::kCreate, L::kAssigned},
    {kC, R::kFeltHardMark, A::kUpdate, L::kOwn},
    {kT, R::kFeltHardMark, A::kUpdate, L::kAssigned},
    // The client's check-in (theirs, or their therapist's beside them): today's session is
    // opened for it when there is none, numbered after the last and marked attended.
    {kC, R::kCheckIn, A::kRead, L::kOwn},
    {kT, R::kCheckIn, A::kRead, L::kAssigned},
    {kC, R::kCheckIn, A::kCreate, L::kOwn},
    {kT, R::kCheckIn, A::kCreate, L::kAssigned},
    {kT, R::kTherapistNotes, A::kRead, L::kAssigned},
    {kS, R::kTherapistNotes, A::kRead, L::kSupervised},
    {kT, R::kTherapistNotes, A::kCreate, L::kAssigned},
    // Questionnaires, co-defined progress, ratings and moments: both ends of the room.
    {kC, R::kQuestionnaire, A::kRead, L::kOwn},
    {kT, R::kQuestionnaire, A::kRead, L::kAssigned},
    {kS, R::kQuestionnaire, A::kRead, L::kSupervised},
    {kC, R::kQuestionnaire, A::kCreate, L::kOwn},
    {kT, R::kQuestionnaire, A::kCreate, L::kAssigned},
    {kC, R::kProgressDefinition, A::kRead, L::kOwn},
    {kT, R::kProgressDefinition, A::kRead, L::kAssigned},
    {kS, R::kProgressDefinition, A::kRead, L::kSupervised},
    {kT, R::kProgressDefinition, A::kCreate, L::kAssigned},
    {kC, R::kProgressDefinition, A::kAgree, L::kOwn},
    {kT, R::kProgressDefinition, A::kAgree, L::kAssigned},
    {kC, R::kGoalRating, A::kRead, L::kOwn},
    {kT, R::kGoalRating, A::kRead, L::kAssigned},
    {kS, R::kGoalRating, A::kRead, L::kSupervised},
    {kC, R::kGoalRating, A::kCreate, L::kOwn},
    {kT, R::kGoalRating, A::kCreate, L::kAssigned},
    {kC, R::kAlliance, A::kRead, L::kOwn},
    {kT, R::kAlliance, A::kRead, L::kAssigned},
    {kS, R::kAlliance, A::kRead, L::kSupervised},
    {kC, R::kAlliance, A::kCreate, L::kOwn},
    {kT, R::kAlliance, A::kCreate, L::kAssigned},  // entered from a paper form
    {kC, R::kMoment, A::kRead, L::kOwn},
    {kT, R::kMoment, A::kRead, L::kAssigned},
    {kS, R::kMoment, A::kRead, L::kSupervised},
    {kC, R::kMoment, A::kCreate, L::kOwn},
    {kT, R::kMoment, A::kCreate, L::kAssigned},
    // What Tandem computes.
    {kC, R::kProgressProfile, A::kRead, L::kOwn},
    {kT, R::kProgressProfile, A::kRead, L::kAssigned},
    {kS, R::kProgressProfile, A::kRead, L::kSupervised},
    {kT, R::kCaseload, A::kRead, L::kOwn},
    {kS, R::kCaseload, A::kRead, L::kSupervised},
    // Reflections: a trainee's log, shared with their supervisor, who comments.
    {kT, R::kReflection, A::kRead, L::kOwn},
    {kS, R::kReflection, A::kRead, L::kSupervised},
    {kT, R::kReflection, A::kCreate, L::kOwn, true},
    {kT, R::kReflectionComment, A::kRead, L::kOwn},
    {kS, R::kReflectionComment, A::kRead, L::kSupervised},
    {kS, R::kReflectionComment, A::kCreate, L::kSupervised},
    // The organisation's running.
    {kC, R::kInstrument, A::kRead, L::kOrganisation},
    {kT, R::kInstrument, A::kRead, L::kOrganisation},
    {kS, R::kInstrument, A::kRead, L::kOrganisation},
    {kA, R::kInstrument, A::kRead, L::kOrganisation},
    {kA, R::kInstrument, A::kUpdate, L::kOrganisation},
    {kA, R::kServiceOutcomes, A::kRead, L::kOrganisation},
    {kA, R::kAudit, A::kRead, L::kOrganisation},
});

constexpr auto kResources = std::to_array<Resource>({
    R::kOrganisation,
    R::kUser,
    R::kClient,
    R::kAssignment,
    R::kSupervision,
    R::kEpisode,
    R::kSession,
    R::kFeltHardMark,
    R::kCheckIn,
    R::kTherapistNotes,
    R::kQuestionnaire,
    R::kProgressDefinition,
    R::kGoalRating,
    R::kAlliance,
    R::kMoment,
    R::kProgressProfile,
    R::kCaseload,
    R::kReflection,
    R::kReflectionComment,
    R::kInstrument,
    R::kServiceOutcomes,
    R::kAudit,
});
constexpr auto kActions = std::to_array<Action>({A::kRead, A::kCreate, A::kUpdate, A::kAgree});
constexpr auto kRelations = std::to_array<Relation>(
    {L::kOwn, L::kAssigned, L::kSupervised, L::kOrganisation, L::kOtherOrganisation});
constexpr auto kRoles = std::to_array<Role>({kC, kT, kS, kA});

// "read", "create a", ... for denial messages.
std::string_view verb(Action action) {
  switch (action) {
    case A::kRead:
      return "see";
    case A::kCreate:
      return "add";
    case A::kUpdate:
      return "change";
    case A::kAgree:
      return "agree to";
  }
  return "use";
}

}  // namespace

std::span<const AccessRule> access_rules() { return kRules; }
std::span<const Resource> all_resources() { return kResources; }
std::span<const Action> all_actions() { return kActions; }
std::span<const Relation> all_relations() { return kRelations; }
std::span<const core::Role> all_roles() { return kRoles; }

Decision decide(core::Role role, bool trainee, Resource resource, Action action,
                Relation relation) {
  if (relation == L::kOtherOrganisation) return Decision::kNotFound;
  const bool allowed = std::any_of(kRules.begin(), kRules.end(), [&](const AccessRule& r) {
    return r.role == role && r.resource == resource && r.action == action &&
           r.relation == relation && (!r.trainee_only || trainee);
  });
  return allowed ? Decision::kAllow : Decision::kDeny;
}

Decision decide(const Actor& actor, Resource resource, Action action, Relation relation) {
  return decide(actor.role, actor.trainee, resource, action, relation);
}

core::Status authorize(const Actor& actor, Resource resource, Action action, Relation relation) {
  switch (decide(actor, resource, action, relation)) {
    case Decision::kAllow:
      return core::Status::ok();
    case Decision::kNotFound:
      return core::Status::not_found(std::string(to_string(resource)) + " not found");
    case Decision::kDeny:
      break;
  }
  std::string message = "as ";
  message += actor.role == core::Role::kAdmin ? "an " : "a ";
  message += core::to_string(actor.role);
  message += ", you may not ";
  message += verb(action);
  message += " this ";
  message += to_string(resource);
  return core::Status::permission_denied(std::move(message));
}

std::string_view to_string(Resource resource) {
  switch (resource) {
    case R::kOrganisation:
      return "organisation";
    case R::kUser:
      return "user";
    case R::kClient:
      return "client";
    case R::kAssignment:
      return "assignment";
    case R::kSupervision:
      return "supervision";
    case R::kEpisode:
      return "episode";
    case R::kSession:
      return "session";
    case R::kFeltHardMark:
      return "felt-hard-mark";
    case R::kCheckIn:
      return "check-in";
    case R::kTherapistNotes:
      return "therapist-notes";
    case R::kQuestionnaire:
      return "questionnaire";
    case R::kProgressDefinition:
      return "progress-definition";
    case R::kGoalRating:
      return "goal-rating";
    case R::kAlliance:
      return "alliance";
    case R::kMoment:
      return "moment";
    case R::kProgressProfile:
      return "progress-profile";
    case R::kCaseload:
      return "caseload";
    case R::kReflection:
      return "reflection";
    case R::kReflectionComment:
      return "reflection-comment";
    case R::kInstrument:
      return "instrument";
    case R::kServiceOutcomes:
      return "service-outcomes";
    case R::kAudit:
      return "audit";
  }
  return "unknown";
}

std::string_view to_string(Action action) {
  switch (action) {
    case A::kRead:
      return "read";
    case A::kCreate:
      return "create";
    case A::kUpdate:
      return "update";
    case A::kAgree:
      return "agree";
  }
  return "unknown";
}

std::string_view to_string(Relation relation) {
  switch (relation) {
    case L::kOwn:
      return "own";
    case L::kAssigned:
      return "assigned";
    case L::kSupervised:
      return "supervised";
    case L::kOrganisation:
      return "organisation";
    case L::kOtherOrganisation:
      return "other-organisation";
  }
  return "unknown";
}

std::string_view to_string(Decision decision) {
  switch (decision) {
    case Decision::kAllow:
      return "allow";
    case Decision::kDeny:
      return "deny";
    case Decision::kNotFound:
      return "not-found";
  }
  return "unknown";
}

std::string policy_table_markdown() {
  std::string out = "| resource | action | client | therapist | supervisor | admin |\n";
  out += "|---|---|---|---|---|---|\n";
  for (Resource resource : kResources) {
    for (Action action : kActions) {
      std::string row =
          "| " + std::string(to_string(resource)) + " | " + std::string(to_string(action)) + " |";
      bool any = false;
      for (Role role : kRoles) {
        std::string cell;
        for (const AccessRule& rule : kRules) {
          if (rule.role != role || rule.resource != resource || rule.action != action) continue;
          if (!cell.empty()) cell += ", ";
          cell += to_string(rule.relation);
          if (rule.trainee_only) cell += " (trainee)";
          any = true;
        }
        row += " " + (cell.empty() ? std::string("-") : cell) + " |";
      }
      if (any) out += row + "\n";
    }
  }
  return out;
}

core::Result<Relation> relation_to_client(core::Transaction& tx, const Actor& actor,
                                          core::Id client) {
  auto record = tx.get_client(actor.org, client);
  if (!record) return core::fail(record.error());
  if (actor.role == Role::kClient) {
    return actor.client_id == client ? L::kOwn : L::kOrganisation;
  }
  if (actor.role != Role::kTherapist && actor.role != Role::kSupervisor) {
    return L::kOrganisation;
  }
  auto therapists = tx.therapists_of(actor.org, client);
  if (!therapists) return core::fail(therapists.error());
  if (actor.role == Role::kTherapist) {
    const bool assigned =
        std::find(therapists->begin(), therapists->end(), actor.user) != therapists->end();
    return assigned ? L::kAssigned : L::kOrganisation;
  }
  auto supervisees = tx.supervisees_of(actor.org, actor.user);
  if (!supervisees) return core::fail(supervisees.error());
  for (core::Id therapist : *therapists) {
    if (std::find(supervisees->begin(), supervisees->end(), therapist) != supervisees->end()) {
      return L::kSupervised;
    }
  }
  return L::kOrganisation;
}

core::Result<Relation> relation_to_therapist(core::Transaction& tx, const Actor& actor,
                                             core::Id therapist) {
  auto user = tx.get_user(actor.org, therapist);
  if (!user) return core::fail(user.error());
  if (therapist == actor.user) return L::kOwn;
  if (actor.role != Role::kSupervisor) return L::kOrganisation;
  auto supervisees = tx.supervisees_of(actor.org, actor.user);
  if (!supervisees) return core::fail(supervisees.error());
  const bool supervised =
      std::find(supervisees->begin(), supervisees->end(), therapist) != supervisees->end();
  return supervised ? L::kSupervised : L::kOrganisation;
}

}  // namespace tandem::service
