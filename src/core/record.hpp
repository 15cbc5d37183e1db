// The record of care: the values Tandem keeps for a practice (organisations, people,
// episodes, sessions, questionnaires, co-defined progress, ratings, moments,
// reflections, audit). Plain values with no behaviour beyond validation; every row
// carries its organisation (tenant) so a deployment can be sharded by organisation.
// Free text fields are plaintext here: stores encrypt them at rest (see ports.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/episode.hpp"
#include "core/status.hpp"

namespace tandem::core {

using Id = std::int64_t;
// Milliseconds since 1970-01-01T00:00:00Z. Time always comes from an injected Clock.
using Timestamp = std::int64_t;
// Days since 1970-01-01 (a calendar date without a time zone).
using Date = std::int32_t;

// "YYYY-MM-DD" <-> days since 1970-01-01 (proleptic Gregorian; Hinnant's civil-days
// algorithm). parse_date rejects impossible dates such as 2026-02-30.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date date);
// "YYYY-MM-DDThh:mm:ss.sssZ".
std::string format_timestamp(Timestamp at);

enum class Role : std::int8_t { kClient, kTherapist, kSupervisor, kAdmin };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

struct Organisation {
  Id id = 0;
  std::string name;
  // Help text shown at once when a client's answers raise a crisis flag (e.g. local
  // crisis lines). Set by the organisation's admin.
  std::string crisis_text;
  Timestamp created_at = 0;
};

struct User {
  Id id = 0;
  Id org = 0;
  std::string email;  // unique across the deployment, lower-cased
  std::string display_name;
  Role role = Role::kTherapist;
  bool trainee = false;         // therapists in training keep a reflection log
  std::string password_hash;    // argon2id encoded string; never leaves the service layer
  std::optional<Id> client_id;  // for role client: their own client record
  bool active = true;
  Timestamp created_at = 0;
};

struct Consent {
  bool care = true;       // use of the record for their own care
  bool research = false;  // de-identified use in service evaluation and research
};

struct Client {
  Id id = 0;
  Id org = 0;
  std::string display_name;        // encrypted at rest
  std::optional<Date> birth_date;  // optional
  Consent consent;
  Timestamp created_at = 0;
};

struct Assignment {
  Id org = 0;
  Id client = 0;
  Id therapist = 0;  // a user with role therapist
  Timestamp since = 0;
};

struct SupervisionLink {
  Id org = 0;
  Id supervisor = 0;  // a user with role supervisor
  Id therapist = 0;   // their supervisee (often a trainee)
  Timestamp since = 0;
};

enum class CloseReason : std::int8_t { kCompleted, kDroppedOut, kTransferred };
std::string_view to_string(CloseReason reason);
std::optional<CloseReason> parse_close_reason(std::string_view text);

struct EpisodeRecord {
  Id id = 0;
  Id org = 0;
  Id client = 0;
  Id therapist = 0;
  std::string instrument;  // the instrument tracked session by session, e.g. "phq9"
  Date opened = 0;
  std::optional<Date> closed;
  std::optional<CloseReason> close_reason;
  Timestamp created_at = 0;
};

struct SessionRecord {
  Id id = 0;
  Id org = 0;
  Id episode = 0;
  int number = 0;  // 1, 2, ... within the episode; cancelled and missed sessions count
  Date date = 0;
  Attendance attendance = Attendance::kAttended;
  bool felt_hard_client = false;
  bool felt_hard_therapist = false;
  std::string therapist_notes;  // private to the therapist (and supervisor); encrypted
  Timestamp created_at = 0;
};

// An organisation's own instrument definition (the JSON file's text), beside the
// shipped ones.
struct InstrumentRecord {
  Id org = 0;
  std::string instrument;  // its id, e.g. "core10"
  std::string definition_json;
  Timestamp updated_at = 0;
};

struct Administration {
  Id id = 0;
  Id org = 0;
  Id episode = 0;
  std::optional<Id> session;
  std::string instrument;
  std::vector<double> responses;  // per item, NaN = missing
  double total = 0.0;             // as scored by the core when recorded (NaN = not scorable)
  Rater answered_by = Rater::kClient;
  Id recorded_by = 0;  // the user who entered it
  Timestamp at = 0;
};

// One goal in the client's own words, tracked on a GBO (0-10) or GAS (-2..+2) scale.
struct GoalDefinition {
  std::string key;   // stable across versions ("g1"), so ratings follow the goal
  std::string text;  // the client's words; encrypted
  GoalScale scale = GoalScale::kGbo;
  // GAS only: what each level looks like, from -2 (much less than expected) to +2.
  std::array<std::string, 5> gas_levels;  // encrypted
  double weight = 1.0;                    // GAS weight
};

// A version of the co-defined progress definition. Versions are append-only: a
// revision writes a new version; every earlier one stays readable.
struct ProgressDefinition {
  Id org = 0;
  Id episode = 0;
  int version = 0;                // 1, 2, ...
  std::string hopes;              // what the client hopes for; encrypted
  std::string better_looks_like;  // what "better" looks like in their world; encrypted
  std::string small_shifts;       // small shifts that would feel meaningful; encrypted
  std::vector<GoalDefinition> goals;
  std::string change_note;  // what changed and why; encrypted
  Id changed_by = 0;
  Timestamp changed_at = 0;
  std::optional<Timestamp> client_agreed_at;
  std::optional<Timestamp> therapist_agreed_at;
  std::optional<int> revised_at_session;  // the session number it was agreed at, if any
};

struct GoalRatingRecord {
  Id id = 0;
  Id org = 0;
  Id episode = 0;
  Id session = 0;
  std::string goal_key;
  Rater rater = Rater::kClient;
  double value = 0.0;
  Id recorded_by = 0;
  Timestamp at = 0;
};

struct AllianceRating {
  Id id = 0;
  Id org = 0;
  Id episode = 0;
  Id session = 0;
  double value = 0.0;  // 0..10, the client's rating of working together
  Id recorded_by = 0;
  Timestamp at = 0;
};

struct MomentRecord {
  Id id = 0;
  Id org = 0;
  Id episode = 0;
  std::optional<Id> session;
  std::string tag;   // a well-known tag or a free one
  std::string text;  // encrypted
  Rater by = Rater::kClient;
  Id recorded_by = 0;
  Timestamp at = 0;
};

// One episode's record as the analytics read it: the episode and every row of it, each list
// in the order its Transaction::*_of method returns (sessions by number, definitions by
// version, the rest by id).
struct EpisodeRecords {
  EpisodeRecord episode;
  std::vector<SessionRecord> sessions;
  std::vector<Administration> administrations;
  std::vector<ProgressDefinition> definitions;
  std::vector<GoalRatingRecord> goal_ratings;
  std::vector<AllianceRating> alliance;
  std::vector<MomentRecord> moments;
};

// Whether reading an episode's record opens its encrypted free text (therapist notes,
// definition and goal texts, moment text) or leaves those fields empty. Profiles and
// caseloads compute from numbers, dates and keys only, so they leave it sealed: opening is
// most of the cost of reading a record, and text that is never opened is never in memory.
enum class SealedText : std::int8_t { kOpen, kLeaveSealed };

// Empties the fields SealedText::kLeaveSealed leaves out.
void clear_sealed_text(EpisodeRecords& records);

// A trainee's reflection: what I tried to fix, what I sat with.
struct Reflection {
  Id id = 0;
  Id org = 0;
  Id author = 0;
  std::optional<Id> episode;
  std::string tried_to_fix;  // encrypted
  std::string sat_with;      // encrypted
  Timestamp at = 0;
};

struct ReflectionComment {
  Id id = 0;
  Id org = 0;
  Id reflection = 0;
  Id author = 0;
  std::string text;  // encrypted
  Timestamp at = 0;
};

enum class AuditOutcome : std::int8_t { kOk, kDenied, kInvalid, kNotFound, kError };
std::string_view to_string(AuditOutcome outcome);

// Append-only: who did what to which record, when, and how it ended. Never health data.
struct AuditEntry {
  Id id = 0;
  Id org = 0;
  std::optional<Id> actor;  // nullopt for the system (e.g. migrations, seeding)
  std::string action;       // e.g. "episode.read", "session.create", "auth.login"
  std::string record_type;  // e.g. "client", "episode"
  std::optional<Id> record_id;
  AuditOutcome outcome = AuditOutcome::kOk;
  Timestamp at = 0;
};

// A signed-in browser or script: the opaque token it holds is kept only as its hash (the
// token itself never reaches the store). Expires when idle (last_seen_at) or absolutely
// (expires_at); the service decides the limits.
struct LoginSession {
  Id id = 0;
  Id org = 0;
  Id user = 0;
  std::string token_hash;  // hex of a hash of the token; unique across the deployment
  Timestamp created_at = 0;
  Timestamp last_seen_at = 0;
  Timestamp expires_at = 0;  // absolute expiry
  bool revoked = false;
};

// A one-time link to make an account: a therapist (or an admin) invites a client to their
// own record (client set, role client), or an admin invites a member of staff (no client;
// role therapist, supervisor or admin, with the new account's name and trainee flag). Kept
// as the hash of its token; single use (used_at is set once).
struct Invitation {
  Id id = 0;
  Id org = 0;
  std::optional<Id> client;  // the client's own record; none for staff
  Id created_by = 0;         // the therapist or admin who made the link
  std::string token_hash;
  Timestamp created_at = 0;
  Timestamp expires_at = 0;
  std::optional<Timestamp> used_at;
  Role role = Role::kClient;
  std::string display_name;  // staff only (sealed at rest like users' names); empty for clients
  bool trainee = false;      // staff only
};

// Validation of values before they are stored: InvalidArgument naming the field.
// Validation of values before they are stored: InvalidArgument naming the field.
Status validate(const User& user);
Status validate(const Client& client);
Status validate(const SessionRecord& session);
Status validate(const ProgressDefinition& definition);
Status validate(const GoalRatingRecord& rating, GoalScale scale);
Status validate(const AllianceRating& rating);
// A client invitation names its client and role client; a staff one names no client, a
// staff role and a display name.
Status validate(const Invitation& invitation);

}  // namespace tandem::core
