// Who may do what: the access policy of Tandem in one table (least privilege, issue 5).
// A decision depends on the actor's role (and trainee flag), the resource, the action and the
// actor's relation to the record: their own, a client assigned to them, a client (or
// reflection, or caseload) of a therapist they supervise, anything else in their organisation,
// or another organisation. Everything the table does not allow is denied; another
// organisation's records are never even acknowledged (NotFound). The API's authorization
// matrix test and docs/service.md are generated from access_rules(). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

enum class Resource : std::int8_t {
  kOrganisation,        // name and crisis text
  kUser,                // accounts
  kClient,              // a client's record: name, date of birth, consent
  kAssignment,          // which therapist sees which client
  kSupervision,         // supervisor-to-therapist links
  kEpisode,             // episodes of care
  kSession,             // date, number, attendance, the therapist's felt-hard mark
  kFeltHardMark,        // either side marking that a session felt hard
  kCheckIn,             // today's check-in: what is due, and opening today's session for it
  kTherapistNotes,      // the therapist's private session notes
  kQuestionnaire,       // administrations: item answers and totals
  kProgressDefinition,  // the co-defined hopes and goals, all versions
  kGoalRating,
  kAlliance,
  kMoment,
  kProgressProfile,  // the computed profile of an episode
  kCaseload,         // a therapist's caseload summary
  kReflection,       // a trainee's reflection log
  kReflectionComment,
  kInstrument,       // questionnaire definitions
  kServiceOutcomes,  // anonymised service-level figures
  kAudit,            // the audit log
};

enum class Action : std::int8_t { kRead, kCreate, kUpdate, kAgree };

enum class Relation : std::int8_t {
  kOwn,           // the client's own record; one's own account, caseload or reflections
  kAssigned,      // a client assigned to the therapist
  kSupervised,    // a client, caseload or reflection of a therapist the supervisor supervises
  kOrganisation,  // anything else in the actor's organisation (and organisation-wide records)
  kOtherOrganisation,
};

enum class Decision : std::int8_t { kAllow, kDeny, kNotFound };

struct AccessRule {
  core::Role role = core::Role::kClient;
  Resource resource = Resource::kOrganisation;
  Action action = Action::kRead;
  Relation relation = Relation::kOwn;
  bool trainee_only = false;  // only therapists in training
};

// Every allowed combination; nothing else is allowed.
std::span<const AccessRule> access_rules();

// kNotFound for another organisation; kAllow when a rule matches; else kDeny.
Decision decide(core::Role role, bool trainee, Resource resource, Action action, Relation relation);
Decision decide(const Actor& actor, Resource resource, Action action, Relation relation);

// Ok, PermissionDenied (in plain words) or NotFound, as decide() says.
core::Status authorize(const Actor& actor, Resource resource, Action action, Relation relation);

// Every resource, action, relation and role, for tables and generated tests.
std::span<const Resource> all_resources();
std::span<const Action> all_actions();
std::span<const Relation> all_relations();
std::span<const core::Role> all_roles();

// Stable spellings: "progress-definition", "create", "supervised", "allow", ...
std::string_view to_string(Resource resource);
std::string_view to_string(Action action);
std::string_view to_string(Relation relation);
std::string_view to_string(Decision decision);

// The policy as a Markdown table (resource, action, then per role the relations allowed),
// as docs/service.md shows it; a test keeps the two the same.
std::string policy_table_markdown();

// The actor's relation to a client of their organisation. NotFound when the client does not
// exist in the actor's organisation (another organisation's client is not acknowledged).
core::Result<Relation> relation_to_client(core::Transaction& tx, const Actor& actor,
                                          core::Id client);
// The actor's relation to a therapist's caseload or reflections: own, supervised or
// organisation. NotFound when the user is not in the actor's organisation.
core::Result<Relation> relation_to_therapist(core::Transaction& tx, const Actor& actor,
                                             core::Id therapist);

}  // namespace tandem::service
